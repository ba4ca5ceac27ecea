"""Compliance commands: msgspec tagged Structs, decoded as one union by "type".

Staff commands carry `actor` (the staff id, for the audit log) and a `reason`
wherever the law expects the decision to be explained. Amounts are integers:
`value_tmt_units` is tiyin (1/100 TMT), converted by the sequencer from the
asset amount at its reference price.
"""
import msgspec

from exchange.compliance.codes import CaseResolution, DocumentType
from exchange.compliance.identity import MASK


class _Command(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    pass


class SignUp(_Command, tag="sign_up"):
    """Create a customer in KYC `pending`."""

    customer_id: str
    email: str

    def __repr__(self) -> str:
        return f"SignUp(customer_id={self.customer_id!r}, email={MASK})"

    def __rich_repr__(self):
        yield "customer_id", self.customer_id
        yield "email", MASK


class SubmitIdentity(_Command, tag="submit_identity"):
    """The customer's identity data, screened and checked for duplicates on arrival."""

    customer_id: str
    full_name: str
    document_type: DocumentType
    document_number: str
    country: str  # Of residence, ISO 3166-1 alpha-2.
    date_of_birth: str  # YYYY-MM-DD.

    def __repr__(self) -> str:
        return f"SubmitIdentity(customer_id={self.customer_id!r}, <identity fields masked>)"

    def __rich_repr__(self):
        yield "customer_id", self.customer_id


class VerifyCustomer(_Command, tag="verify_customer"):
    customer_id: str
    actor: str
    reason: str


class RejectCustomer(_Command, tag="reject_customer"):
    customer_id: str
    actor: str
    reason: str


class SuspendCustomer(_Command, tag="suspend_customer"):
    customer_id: str
    actor: str
    reason: str


class ReinstateCustomer(_Command, tag="reinstate_customer"):
    customer_id: str
    actor: str
    reason: str


class CloseCustomer(_Command, tag="close_customer"):
    customer_id: str
    actor: str
    reason: str


class RestrictedParty(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of an operator-loaded sanctions / restricted-parties list."""

    name: str
    date_of_birth: str | None = None  # YYYY-MM-DD
    document_number: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


class LoadRestrictedParties(_Command, tag="load_restricted_parties"):
    """Replace the list called `list_name` and re-screen every verified customer."""

    actor: str
    list_name: str
    entries: list[RestrictedParty]


class SetRestrictedJurisdictions(_Command, tag="set_restricted_jurisdictions"):
    """Replace the restricted countries of residence and re-screen every verified customer."""

    actor: str
    countries: list[str]


class SetScreeningRules(_Command, tag="set_screening_rules"):
    """How alike a customer's name and a listed name must be to match (0-100); re-screens every
    verified customer. 100: equal normalised names only, the rule before this command existed."""

    actor: str
    name_match_min_score: int
    reason: str


class ContinueRescreen(_Command, tag="continue_rescreen"):
    """Screen the next customers of a re-screen a list or rule change started (the runtime sends these)."""

    actor: str


class SetTierLimits(_Command, tag="set_tier_limits"):
    """Define a tier or change its limits (tiyin)."""

    actor: str
    tier: int
    daily_deposit_tmt_units: int
    monthly_deposit_tmt_units: int
    daily_withdrawal_tmt_units: int
    monthly_withdrawal_tmt_units: int


class SetWithdrawalPolicy(_Command, tag="set_withdrawal_policy"):
    """Change the cooling-off period of new addresses and the four-eyes threshold."""

    actor: str
    cooling_off_ns: int
    four_eyes_threshold_tmt_units: int
    reason: str


class AssignTier(_Command, tag="assign_tier"):
    actor: str
    customer_id: str
    tier: int
    reason: str


class IssueDepositAddress(_Command, tag="issue_deposit_address"):
    """Give a verified customer its deposit address for one asset (the same one on repeat)."""

    customer_id: str
    asset: str


class AddWithdrawalAddress(_Command, tag="add_withdrawal_address"):
    """Whitelist a destination; usable once the cooling-off period has passed."""

    customer_id: str
    asset: str
    address: str
    label: str


class RemoveWithdrawalAddress(_Command, tag="remove_withdrawal_address"):
    """Take an address off the whitelist (adding it back starts a new cooling-off period)."""

    customer_id: str
    asset: str
    address: str


class RecordDeposit(_Command, tag="record_deposit"):
    """Count a deposit credit against the customer's limits (idempotent on the chain tx)."""

    customer_id: str
    value_tmt_units: int
    chain_tx_id: str  # Unique per deposit: add the output index when one transaction pays several addresses.


class RequestWithdrawal(_Command, tag="request_withdrawal"):
    customer_id: str
    asset: str
    address: str
    amount_units: int  # Of the asset, for the ledger postings.
    value_tmt_units: int  # For the limits and the four-eyes threshold.


class ApproveWithdrawal(_Command, tag="approve_withdrawal"):
    actor: str
    withdrawal_id: int


class RejectWithdrawal(_Command, tag="reject_withdrawal"):
    actor: str
    withdrawal_id: int
    reason: str


class CompleteWithdrawal(_Command, tag="complete_withdrawal"):
    actor: str
    withdrawal_id: int
    chain_tx_id: str


class OpenCase(_Command, tag="open_case"):
    actor: str
    customer_id: str
    summary: str
    blocks_withdrawals: bool


class AnnotateCase(_Command, tag="annotate_case"):
    actor: str
    case_id: int
    note: str


class EscalateCase(_Command, tag="escalate_case"):
    actor: str
    case_id: int
    escalated_to: str  # E.g. "head of compliance", "financial intelligence unit".
    reason: str


class CloseCase(_Command, tag="close_case"):
    actor: str
    case_id: int
    resolution: CaseResolution
    reason: str


ComplianceCommand = (
    SignUp
    | SubmitIdentity
    | VerifyCustomer
    | RejectCustomer
    | SuspendCustomer
    | ReinstateCustomer
    | CloseCustomer
    | LoadRestrictedParties
    | SetRestrictedJurisdictions
    | SetScreeningRules
    | ContinueRescreen
    | SetTierLimits
    | SetWithdrawalPolicy
    | AssignTier
    | IssueDepositAddress
    | AddWithdrawalAddress
    | RemoveWithdrawalAddress
    | RecordDeposit
    | RequestWithdrawal
    | ApproveWithdrawal
    | RejectWithdrawal
    | CompleteWithdrawal
    | OpenCase
    | AnnotateCase
    | EscalateCase
    | CloseCase
)
