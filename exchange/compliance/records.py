"""The compliance state: plain msgspec Structs, so snapshot and hash are one encode.

`ComplianceBook` holds everything; only the handlers called by `Compliance.apply`
change it. Dicts are keyed by stable ids and encoded in sorted order for the hash.
"""
import msgspec

from exchange.compliance.codes import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    HitSource,
    KycStatus,
    WithdrawalStatus,
)
from exchange.compliance.identity import MASK, Identity


class TierLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Capital-control limits of one KYC tier, in tiyin (1/100 TMT)."""

    daily_deposit_tmt_units: int
    monthly_deposit_tmt_units: int
    daily_withdrawal_tmt_units: int
    monthly_withdrawal_tmt_units: int


class Policy(msgspec.Struct, kw_only=True):
    cooling_off_ns: int
    four_eyes_threshold_tmt_units: int  # Strictly above it, two different approvers.
    default_tier: int


class LimitUsage(msgspec.Struct, kw_only=True):
    """What a customer used in the current UTC day and calendar month."""

    day_index: int = -1  # Days since 1970-01-01 UTC.
    month_index: int = -1  # year * 12 + month - 1.
    day_deposit_tmt_units: int = 0
    month_deposit_tmt_units: int = 0
    day_withdrawal_tmt_units: int = 0
    month_withdrawal_tmt_units: int = 0


class WhitelistedAddress(msgspec.Struct, frozen=True, kw_only=True):
    asset: str
    address: str
    label: str
    added_at_ns: int
    usable_from_ns: int  # added_at_ns + the cooling-off period in force when added.


class DepositAddress(msgspec.Struct, frozen=True, kw_only=True):
    address: str
    customer_id: str
    asset: str
    issued_at_ns: int


class Customer(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    kyc_status: KycStatus
    tier: int
    signed_up_at_ns: int
    identity: Identity | None = None
    verified_at_ns: int | None = None
    status_reason: str = ""  # The officer's reason for the latest KYC decision.
    deposit_addresses: dict[str, str] = {}  # asset -> address
    withdrawal_addresses: list[WhitelistedAddress] = []
    case_ids: list[int] = []
    cleared_hit_keys: list[str] = []  # Screening hits an officer closed as false positives.

    def __repr__(self) -> str:
        return (
            f"Customer(customer_id={self.customer_id!r}, kyc_status={self.kyc_status.value!r}, "
            f"tier={self.tier}, email={MASK}, identity={self.identity!r})"
        )

    def __rich_repr__(self):
        yield "customer_id", self.customer_id
        yield "kyc_status", self.kyc_status.value
        yield "identity", MASK


class ScreeningHit(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Evidence of one match; `hit_key` is stable so a cleared hit stays cleared.

    omit_defaults: a hit without `name_score` encodes (and hashes) as hits did before the field existed."""

    hit_key: str
    source: HitSource
    list_name: str  # "" for a restricted jurisdiction.
    party_name: str  # The list entry's name, or the country code.
    matched_on: tuple[str, ...]  # "name", "similar_name", "date_of_birth", "document_number", "country"
    name_score: int | None = None  # For "similar_name": the score (name_matching.name_score), 0-100.

    def __repr__(self) -> str:
        return f"ScreeningHit(source={self.source.value!r}, list_name={self.list_name!r}, {MASK})"

    def __rich_repr__(self):
        yield "source", self.source.value
        yield "list_name", self.list_name


class CaseNote(msgspec.Struct, frozen=True, kw_only=True):
    actor: str
    timestamp_ns: int
    text: str


class Case(msgspec.Struct, kw_only=True):
    case_id: int
    customer_id: str
    kind: CaseKind
    status: CaseStatus
    blocks_withdrawals: bool
    opened_at_ns: int
    opened_by: str  # A staff id, or "system" for screening.
    summary: str
    hits: list[ScreeningHit] = []
    notes: list[CaseNote] = []
    escalated_to: str = ""
    resolution: CaseResolution | None = None
    closed_by: str = ""
    closed_at_ns: int | None = None


class Withdrawal(msgspec.Struct, kw_only=True):
    withdrawal_id: int
    customer_id: str
    asset: str
    address: str
    amount_units: int
    value_tmt_units: int
    requested_at_ns: int
    day_index: int  # The limit windows it was counted in, to give allowance back.
    month_index: int
    approvals_required: int
    approved_by: list[str] = []
    status: WithdrawalStatus = WithdrawalStatus.PENDING_APPROVAL
    rejected_by: str = ""
    reason: str = ""
    completed_by: str = ""
    chain_tx_id: str = ""
    decided_at_ns: int | None = None


class ListedParty(msgspec.Struct, frozen=True, kw_only=True):
    """A restricted-parties entry with its match keys precomputed at load."""

    list_name: str
    name: str
    name_key: str
    date_of_birth: str | None
    document_key: str | None
    country: str | None


EXACT_NAMES_ONLY = 100  # The screening rule until a SetScreeningRules (journals written before it existed).


class ComplianceBook(msgspec.Struct, kw_only=True):
    policy: Policy
    tier_limits: dict[int, TierLimits]
    customers: dict[str, Customer] = {}
    customer_by_email: dict[str, str] = {}
    customers_by_document: dict[str, list[str]] = {}  # Every customer who ever submitted it.
    deposit_addresses: dict[str, DepositAddress] = {}  # Keyed by the lower-cased address.
    usage: dict[str, LimitUsage] = {}
    withdrawals: dict[int, Withdrawal] = {}
    chain_tx_ids: dict[str, int] = {}  # Completed withdrawal per chain transaction.
    deposit_tx_ids: dict[str, str] = {}  # Recorded deposit chain tx -> customer.
    cases: dict[int, Case] = {}
    restricted_parties: dict[str, list[ListedParty]] = {}  # list name -> entries
    party_keys: dict[str, list[ListedParty]] = {}  # "n:"+name_key / "d:"+document_key -> entries
    restricted_jurisdictions: list[str] = []
    # Names at least this alike match (SetScreeningRules); EXACT_NAMES_ONLY: equal normalised names only.
    name_match_min_score: int = EXACT_NAMES_ONLY
    # A re-screen of every customer in progress (lists.rescreen): the last customer id it reached, "" before
    # the first; None when none is.
    rescreen_after: str | None = None
    next_withdrawal_id: int = 1
    next_case_id: int = 1
