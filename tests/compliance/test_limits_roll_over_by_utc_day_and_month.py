"""Tier limits in tiyin: daily and monthly, per UTC calendar day and month."""
from compliance_desk import NS_PER_DAY, NS_PER_HOUR, OFFICER, Desk, utc_ns

from exchange.compliance import (
    AssignTier,
    ComplianceCode,
    RecordDeposit,
    RejectWithdrawal,
    RequestWithdrawal,
    SetTierLimits,
    SuspendCustomer,
)

ADDRESS = "bc1qowned"


def desk_with_small_limits(now_ns: int) -> Desk:
    desk = Desk(now_ns=now_ns)
    desk.ok(SetTierLimits(actor=OFFICER, tier=1, daily_deposit_tmt_units=1_000, monthly_deposit_tmt_units=2_500,
                          daily_withdrawal_tmt_units=1_000, monthly_withdrawal_tmt_units=2_500))
    desk.onboard("c1")
    return desk


def deposit(desk: Desk, value: int, chain_tx_id: str):
    return desk.do(RecordDeposit(customer_id="c1", value_tmt_units=value, chain_tx_id=chain_tx_id))


def withdraw(desk: Desk, value: int):
    return desk.do(RequestWithdrawal(customer_id="c1", asset="BTC", address=ADDRESS, amount_units=value,
                                     value_tmt_units=value))


def test_deposit_over_the_daily_limit_reports_the_allowance_left():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    assert desk.compliance.check_deposit("c1", 1_000, desk.now_ns) is None
    assert deposit(desk, 700, "tx1").customer_id == "c1"
    refusal = desk.compliance.check_deposit("c1", 301, desk.now_ns)
    assert refusal.code is ComplianceCode.LIMIT_EXCEEDED
    assert (refusal.remaining_daily_tmt_units, refusal.remaining_monthly_tmt_units) == (300, 1_800)
    assert deposit(desk, 301, "tx2").code is ComplianceCode.LIMIT_EXCEEDED
    assert deposit(desk, 300, "tx3").customer_id == "c1"


def test_daily_allowance_returns_at_utc_midnight_but_the_month_keeps_counting():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 23))
    deposit(desk, 1_000, "tx1")
    desk.advance(NS_PER_HOUR - 1)  # 23:59:59.999999999 UTC, still the 10th.
    assert desk.compliance.check_deposit("c1", 1, desk.now_ns).remaining_daily_tmt_units == 0
    desk.advance(1)
    assert desk.compliance.check_deposit("c1", 1_000, desk.now_ns) is None
    deposit(desk, 1_000, "tx2")
    desk.advance(NS_PER_DAY)
    refusal = desk.compliance.check_deposit("c1", 501, desk.now_ns)
    assert (refusal.remaining_daily_tmt_units, refusal.remaining_monthly_tmt_units) == (1_000, 500)


def test_monthly_allowance_returns_on_the_first_of_the_next_month():
    desk = desk_with_small_limits(utc_ns(2026, 2, 26, 12))
    for day in range(3):  # 26th, 27th, 28th of February 2026 (not a leap year).
        deposit(desk, 800, f"tx{day}")
        desk.advance(NS_PER_DAY)
    assert desk.now_ns == utc_ns(2026, 3, 1, 12)
    assert desk.compliance.check_deposit("c1", 1_000, desk.now_ns) is None


def test_a_deposit_counts_once_per_chain_transaction():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    deposit(desk, 600, "tx1")
    assert deposit(desk, 600, "tx1").code is ComplianceCode.DEPOSIT_ALREADY_RECORDED
    assert desk.compliance.check_deposit("c1", 400, desk.now_ns) is None
    assert deposit(desk, 600, " ").code is ComplianceCode.INVALID_CHAIN_TX
    assert deposit(desk, 0, "tx9").code is ComplianceCode.INVALID_AMOUNT


def test_a_suspended_customer_still_receives_deposits_frozen():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    desk.ok(SuspendCustomer(customer_id="c1", actor=OFFICER, reason="investigation"))
    assert desk.compliance.check_deposit("c1", 100, desk.now_ns) is None


def test_withdrawal_requests_count_and_a_rejection_gives_the_allowance_back():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    desk.whitelist("c1", "BTC", ADDRESS)
    first = withdraw(desk, 600).withdrawal
    refusal = withdraw(desk, 401)
    assert refusal.code is ComplianceCode.LIMIT_EXCEEDED
    assert (refusal.remaining_daily_tmt_units, refusal.remaining_monthly_tmt_units) == (400, 1_900)
    desk.ok(RejectWithdrawal(actor=OFFICER, withdrawal_id=first.withdrawal_id, reason="customer asked to cancel"))
    assert desk.compliance.check_withdrawal("c1", "BTC", ADDRESS, 1_000, desk.now_ns) is None


def test_a_rejection_on_a_later_day_gives_back_only_the_month():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    desk.whitelist("c1", "BTC", ADDRESS)
    first = withdraw(desk, 1_000).withdrawal
    desk.advance(NS_PER_DAY)
    withdraw(desk, 1_000)
    desk.ok(RejectWithdrawal(actor=OFFICER, withdrawal_id=first.withdrawal_id, reason="travel rule data missing"))
    refusal = desk.compliance.check_withdrawal("c1", "BTC", ADDRESS, 1_001, desk.now_ns)
    assert (refusal.remaining_daily_tmt_units, refusal.remaining_monthly_tmt_units) == (0, 1_500)


def test_a_higher_tier_raises_the_limits_and_tiers_must_exist():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    assert desk.compliance.check_deposit("c1", 5_000, desk.now_ns).code is ComplianceCode.LIMIT_EXCEEDED
    desk.ok(AssignTier(actor=OFFICER, customer_id="c1", tier=2, reason="enhanced due diligence passed"))
    assert desk.compliance.check_deposit("c1", 5_000, desk.now_ns) is None
    desk.refused(AssignTier(actor=OFFICER, customer_id="c1", tier=7, reason="x"), ComplianceCode.TIER_NOT_FOUND)


def test_lowering_a_limit_below_usage_leaves_no_allowance_rather_than_a_negative_one():
    desk = desk_with_small_limits(utc_ns(2026, 3, 10, 9))
    deposit(desk, 900, "tx1")
    desk.ok(SetTierLimits(actor=OFFICER, tier=1, daily_deposit_tmt_units=500, monthly_deposit_tmt_units=500,
                          daily_withdrawal_tmt_units=500, monthly_withdrawal_tmt_units=500))
    refusal = desk.compliance.check_deposit("c1", 1, desk.now_ns)
    assert (refusal.remaining_daily_tmt_units, refusal.remaining_monthly_tmt_units) == (0, 0)


def test_tier_limits_are_validated():
    desk = Desk()
    valid = dict(actor=OFFICER, tier=4, daily_deposit_tmt_units=1, monthly_deposit_tmt_units=2,
                 daily_withdrawal_tmt_units=1, monthly_withdrawal_tmt_units=2)
    desk.ok(SetTierLimits(**valid))
    assert desk.compliance.tier_limits(4).monthly_deposit_tmt_units == 2
    for change in ({"daily_deposit_tmt_units": -1}, {"daily_deposit_tmt_units": 3},
                   {"daily_withdrawal_tmt_units": 3}, {"tier": -1}):
        desk.refused(SetTierLimits(**{**valid, **change}), ComplianceCode.INVALID_LIMITS)


def test_used_allowance_reads_zero_for_a_new_day_and_month():
    desk = desk_with_small_limits(utc_ns(2026, 3, 31, 22))
    deposit(desk, 700, "tx-used")
    today = desk.compliance.used_allowance("c1", desk.now_ns)
    assert (today.day_deposit_tmt_units, today.month_deposit_tmt_units) == (700, 700)
    next_day = desk.compliance.used_allowance("c1", utc_ns(2026, 4, 1, 1))
    assert (next_day.day_deposit_tmt_units, next_day.month_deposit_tmt_units) == (0, 0)
    assert desk.compliance.used_allowance("nobody", desk.now_ns).day_deposit_tmt_units == 0
    next_day.day_deposit_tmt_units = 999  # a copy: changing it changes nothing inside
    assert desk.compliance.used_allowance("c1", desk.now_ns).day_deposit_tmt_units == 700
