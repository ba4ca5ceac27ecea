"""What `Compliance.apply` and the `check_*` gates return."""
import msgspec

from exchange.compliance.codes import ComplianceCode, KycStatus
from exchange.compliance.records import Withdrawal


class Refusal(msgspec.Struct, frozen=True, kw_only=True, tag="refusal"):
    """A refused command or check: nothing changed, except a screening case it may have opened."""

    code: ComplianceCode
    message: str
    remaining_daily_tmt_units: int | None = None  # Set with LIMIT_EXCEEDED.
    remaining_monthly_tmt_units: int | None = None
    usable_from_ns: int | None = None  # Set with ADDRESS_COOLING_OFF.
    case_ids: tuple[int, ...] = ()  # With SCREENING_HIT: the open cases holding the hits.


class Accepted(msgspec.Struct, frozen=True, kw_only=True, tag="accepted"):
    """The command took effect; the fields the caller needs for its next step are set."""

    customer_id: str | None = None
    kyc_status: KycStatus | None = None
    deposit_address: str | None = None
    withdrawal: Withdrawal | None = None  # A copy: asset, amount and status for the ledger.
    case_ids: tuple[int, ...] = ()  # Cases opened or touched by this command.


ComplianceResult = Accepted | Refusal


def refuse(code: ComplianceCode, message: str, **details) -> Refusal:
    return Refusal(code=code, message=message, **details)
