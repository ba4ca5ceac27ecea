"""Daily and monthly deposit / withdrawal allowances per customer.

Windows are the UTC calendar day and calendar month of the command's
`timestamp_ns`. A timestamp earlier than the stored window (a clock step back)
counts in the stored window: the safe side, never a fresh allowance.
O(1) per check and per record.
"""
import datetime

from exchange.compliance.codes import ComplianceCode
from exchange.compliance.records import LimitUsage, TierLimits
from exchange.compliance.results import Refusal, refuse

NS_PER_DAY = 86_400 * 1_000_000_000
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def day_index(timestamp_ns: int) -> int:
    return timestamp_ns // NS_PER_DAY


def month_index(timestamp_ns: int) -> int:
    date = datetime.date.fromordinal(_EPOCH_ORDINAL + day_index(timestamp_ns))
    return date.year * 12 + date.month - 1


def rolled(usage: LimitUsage, timestamp_ns: int) -> LimitUsage:
    """The usage as seen at `timestamp_ns`: counters of past windows read as zero."""
    day, month = day_index(timestamp_ns), month_index(timestamp_ns)
    fresh = LimitUsage(day_index=max(day, usage.day_index), month_index=max(month, usage.month_index))
    if day <= usage.day_index:
        fresh.day_deposit_tmt_units = usage.day_deposit_tmt_units
        fresh.day_withdrawal_tmt_units = usage.day_withdrawal_tmt_units
    if month <= usage.month_index:
        fresh.month_deposit_tmt_units = usage.month_deposit_tmt_units
        fresh.month_withdrawal_tmt_units = usage.month_withdrawal_tmt_units
    return fresh


def check_deposit(usage: LimitUsage, limits: TierLimits, value_tmt_units: int) -> Refusal | None:
    remaining_daily = limits.daily_deposit_tmt_units - usage.day_deposit_tmt_units
    remaining_monthly = limits.monthly_deposit_tmt_units - usage.month_deposit_tmt_units
    return _within(value_tmt_units, remaining_daily, remaining_monthly, "deposit")


def check_withdrawal(usage: LimitUsage, limits: TierLimits, value_tmt_units: int) -> Refusal | None:
    remaining_daily = limits.daily_withdrawal_tmt_units - usage.day_withdrawal_tmt_units
    remaining_monthly = limits.monthly_withdrawal_tmt_units - usage.month_withdrawal_tmt_units
    return _within(value_tmt_units, remaining_daily, remaining_monthly, "withdrawal")


def _within(value_tmt_units: int, remaining_daily: int, remaining_monthly: int, kind: str) -> Refusal | None:
    # A lowered tier limit can leave usage above it: report no allowance, never a negative one.
    remaining_daily, remaining_monthly = max(remaining_daily, 0), max(remaining_monthly, 0)
    if value_tmt_units <= remaining_daily and value_tmt_units <= remaining_monthly:
        return None
    return refuse(
        ComplianceCode.LIMIT_EXCEEDED,
        f"{kind} of {value_tmt_units} tiyin exceeds the remaining allowance "
        f"(today {remaining_daily}, this month {remaining_monthly})",
        remaining_daily_tmt_units=remaining_daily,
        remaining_monthly_tmt_units=remaining_monthly,
    )


def add_deposit(usage: LimitUsage, value_tmt_units: int) -> None:
    usage.day_deposit_tmt_units += value_tmt_units
    usage.month_deposit_tmt_units += value_tmt_units


def add_withdrawal(usage: LimitUsage, value_tmt_units: int) -> None:
    usage.day_withdrawal_tmt_units += value_tmt_units
    usage.month_withdrawal_tmt_units += value_tmt_units


def give_back_withdrawal(usage: LimitUsage, value_tmt_units: int, day: int, month: int) -> None:
    """Return a rejected request's value to the windows it was counted in, if still current."""
    if day == usage.day_index:
        usage.day_withdrawal_tmt_units -= value_tmt_units
    if month == usage.month_index:
        usage.month_withdrawal_tmt_units -= value_tmt_units
