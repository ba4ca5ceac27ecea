"""Operator settings: tier limits, tier assignment, cooling-off and four-eyes threshold.

Changes apply from the next command on. A lowered cooling-off period does not
shorten the wait of addresses already whitelisted (their `usable_from_ns` is
fixed when added), so a settings change cannot be used to rush a withdrawal.
"""
from exchange.compliance.codes import ComplianceCode
from exchange.compliance.commands import AssignTier, SetTierLimits, SetWithdrawalPolicy
from exchange.compliance.guards import actor_refusal, find_customer, staff_refusal
from exchange.compliance.records import ComplianceBook, TierLimits
from exchange.compliance.results import Accepted, ComplianceResult, Refusal, refuse

TIER_MAX = 99
COOLING_OFF_NS_MAX = 90 * 86_400 * 1_000_000_000


def handle_set_tier_limits(book: ComplianceBook, command: SetTierLimits, sequence: int,
                           timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor)
    if refusal:
        return refusal
    limits = TierLimits(
        daily_deposit_tmt_units=command.daily_deposit_tmt_units,
        monthly_deposit_tmt_units=command.monthly_deposit_tmt_units,
        daily_withdrawal_tmt_units=command.daily_withdrawal_tmt_units,
        monthly_withdrawal_tmt_units=command.monthly_withdrawal_tmt_units,
    )
    if not 0 <= command.tier <= TIER_MAX:
        return refuse(ComplianceCode.INVALID_LIMITS, f"tier must be 0 to {TIER_MAX}")
    if min(limits.daily_deposit_tmt_units, limits.daily_withdrawal_tmt_units) < 0:
        return refuse(ComplianceCode.INVALID_LIMITS, "limits must not be negative")
    if limits.daily_deposit_tmt_units > limits.monthly_deposit_tmt_units:
        return refuse(ComplianceCode.INVALID_LIMITS, "daily deposit limit is above the monthly one")
    if limits.daily_withdrawal_tmt_units > limits.monthly_withdrawal_tmt_units:
        return refuse(ComplianceCode.INVALID_LIMITS, "daily withdrawal limit is above the monthly one")
    book.tier_limits[command.tier] = limits
    return Accepted()


def handle_set_withdrawal_policy(book: ComplianceBook, command: SetWithdrawalPolicy, sequence: int,
                                 timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    if not 0 <= command.cooling_off_ns <= COOLING_OFF_NS_MAX:
        return refuse(ComplianceCode.INVALID_POLICY, "cooling-off period must be 0 to 90 days")
    if command.four_eyes_threshold_tmt_units < 0:
        return refuse(ComplianceCode.INVALID_POLICY, "four-eyes threshold must not be negative")
    book.policy.cooling_off_ns = command.cooling_off_ns
    book.policy.four_eyes_threshold_tmt_units = command.four_eyes_threshold_tmt_units
    return Accepted()


def handle_assign_tier(book: ComplianceBook, command: AssignTier, sequence: int, timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    if command.tier not in book.tier_limits:
        return refuse(ComplianceCode.TIER_NOT_FOUND, f"no tier {command.tier}; define it with SetTierLimits")
    customer.tier = command.tier
    return Accepted(customer_id=customer.customer_id)
