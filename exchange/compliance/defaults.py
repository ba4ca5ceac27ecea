"""Every default of the compliance domain, in one place.

Only `Compliance()` reads these, to build its initial policy; afterwards the
journaled commands `SetWithdrawalPolicy` and `SetTierLimits` change them, so a
replay from an empty state always reaches the same values.
"""
from exchange.compliance.records import Policy, TierLimits

NS_PER_SECOND = 1_000_000_000
NS_PER_HOUR = 3_600 * NS_PER_SECOND

# A freshly whitelisted address waits this long: time for the customer to notice
# a hijacked account before funds can leave to an attacker's address.
COOLING_OFF_NS = 24 * NS_PER_HOUR
# Withdrawals worth more than this (1/100 TMT) need two different approvers.
FOUR_EYES_THRESHOLD_TMT_UNITS = 10_000_000  # 100,000 TMT
DEFAULT_TIER = 1
MINIMUM_AGE_YEARS = 18

# Tier -> limits in tiyin (1/100 TMT). Tier 1 is the entry level every verified
# customer starts on; higher tiers are assigned by compliance after enhanced checks.
TIER_LIMITS = {
    1: TierLimits(
        daily_deposit_tmt_units=2_000_000,
        monthly_deposit_tmt_units=10_000_000,
        daily_withdrawal_tmt_units=2_000_000,
        monthly_withdrawal_tmt_units=10_000_000,
    ),
    2: TierLimits(
        daily_deposit_tmt_units=20_000_000,
        monthly_deposit_tmt_units=100_000_000,
        daily_withdrawal_tmt_units=20_000_000,
        monthly_withdrawal_tmt_units=100_000_000,
    ),
    3: TierLimits(
        daily_deposit_tmt_units=200_000_000,
        monthly_deposit_tmt_units=2_000_000_000,
        daily_withdrawal_tmt_units=200_000_000,
        monthly_withdrawal_tmt_units=2_000_000_000,
    ),
}


def initial_policy() -> Policy:
    """The policy a new, empty compliance state starts with."""
    return Policy(
        cooling_off_ns=COOLING_OFF_NS,
        four_eyes_threshold_tmt_units=FOUR_EYES_THRESHOLD_TMT_UNITS,
        default_tier=DEFAULT_TIER,
    )
