"""Stateful property test: tier limits behave like a naive sum over calendar windows."""
import datetime

from compliance_desk import NS_PER_HOUR, OFFICER, Desk, utc_ns
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from exchange.compliance import (
    Accepted,
    ComplianceCode,
    RecordDeposit,
    RejectWithdrawal,
    RequestWithdrawal,
    SetTierLimits,
    SetWithdrawalPolicy,
)

ADDRESS = "bc1qmine"


class ReferenceLimits:
    """Recomputes usage from the full history on every question: slow, obviously right."""

    def __init__(self) -> None:
        self.deposits: list[tuple[int, int]] = []  # (timestamp_ns, value)
        self.withdrawals: dict[int, tuple[int, int]] = {}  # withdrawal id -> (timestamp_ns, value), live only
        self.limits = (1_000, 3_000, 1_000, 3_000)

    @staticmethod
    def _windows(timestamp_ns: int) -> tuple[datetime.date, tuple[int, int]]:
        moment = datetime.datetime.fromtimestamp(timestamp_ns // 1_000_000_000, tz=datetime.UTC)
        return moment.date(), (moment.year, moment.month)

    def _used(self, events, now_ns: int) -> tuple[int, int]:
        day, month = self._windows(now_ns)
        daily = sum(value for at_ns, value in events if self._windows(at_ns)[0] == day)
        monthly = sum(value for at_ns, value in events if self._windows(at_ns)[1] == month)
        return daily, monthly

    def remaining_deposit(self, now_ns: int) -> tuple[int, int]:
        daily, monthly = self._used(self.deposits, now_ns)
        return max(self.limits[0] - daily, 0), max(self.limits[1] - monthly, 0)

    def remaining_withdrawal(self, now_ns: int) -> tuple[int, int]:
        daily, monthly = self._used(self.withdrawals.values(), now_ns)
        return max(self.limits[2] - daily, 0), max(self.limits[3] - monthly, 0)


def assert_same_decision(result, value: int, remaining: tuple[int, int]) -> bool:
    """True when accepted; checks the refusal's allowance against the reference."""
    if value <= min(remaining):
        assert isinstance(result, Accepted), result
        return True
    assert result.code is ComplianceCode.LIMIT_EXCEEDED, result
    assert (result.remaining_daily_tmt_units, result.remaining_monthly_tmt_units) == remaining
    return False


class LimitsAgainstReference(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk(now_ns=utc_ns(2026, 1, 30, 20))
        self.reference = ReferenceLimits()
        self.desk.ok(SetWithdrawalPolicy(actor=OFFICER, cooling_off_ns=0, four_eyes_threshold_tmt_units=10**9,
                                         reason="test"))
        self._set_limits(*self.reference.limits)
        self.desk.onboard("c1")
        self.desk.whitelist("c1", "BTC", ADDRESS)
        self.deposit_count = 0

    def _set_limits(self, daily_deposit, monthly_deposit, daily_withdrawal, monthly_withdrawal):
        self.desk.ok(SetTierLimits(actor=OFFICER, tier=1, daily_deposit_tmt_units=daily_deposit,
                                   monthly_deposit_tmt_units=monthly_deposit,
                                   daily_withdrawal_tmt_units=daily_withdrawal,
                                   monthly_withdrawal_tmt_units=monthly_withdrawal))

    @rule(hours=st.integers(0, 24 * 20), extra_ns=st.integers(0, NS_PER_HOUR))
    def time_passes(self, hours, extra_ns):
        self.desk.advance(hours * NS_PER_HOUR + extra_ns)

    @rule(value=st.integers(1, 1_200))
    def deposit(self, value):
        self.deposit_count += 1
        remaining = self.reference.remaining_deposit(self.desk.now_ns)
        command = RecordDeposit(customer_id="c1", value_tmt_units=value, chain_tx_id=f"tx{self.deposit_count}")
        if assert_same_decision(self.desk.do(command), value, remaining):
            self.reference.deposits.append((self.desk.now_ns, value))

    @rule(value=st.integers(1, 1_200))
    def request_withdrawal(self, value):
        remaining = self.reference.remaining_withdrawal(self.desk.now_ns)
        command = RequestWithdrawal(customer_id="c1", asset="BTC", address=ADDRESS, amount_units=value,
                                    value_tmt_units=value)
        result = self.desk.do(command)
        if assert_same_decision(result, value, remaining):
            self.reference.withdrawals[result.withdrawal.withdrawal_id] = (self.desk.now_ns, value)

    @precondition(lambda self: self.reference.withdrawals)
    @rule(data=st.data())
    def reject_withdrawal(self, data):
        withdrawal_id = data.draw(st.sampled_from(sorted(self.reference.withdrawals)))
        self.desk.ok(RejectWithdrawal(actor=OFFICER, withdrawal_id=withdrawal_id, reason="test"))
        del self.reference.withdrawals[withdrawal_id]

    @rule(daily=st.integers(0, 2_000), extra_monthly=st.integers(0, 3_000))
    def change_limits(self, daily, extra_monthly):
        self.reference.limits = (daily, daily + extra_monthly, daily, daily + extra_monthly)
        self._set_limits(*self.reference.limits)

    @invariant()
    def allowances_match(self):
        now_ns = self.desk.now_ns
        deposit = self.desk.compliance.check_deposit("c1", 10**9, now_ns)
        assert (deposit.remaining_daily_tmt_units, deposit.remaining_monthly_tmt_units) == (
            self.reference.remaining_deposit(now_ns))
        withdrawal = self.desk.compliance.check_withdrawal("c1", "BTC", ADDRESS, 10**9, now_ns)
        assert (withdrawal.remaining_daily_tmt_units, withdrawal.remaining_monthly_tmt_units) == (
            self.reference.remaining_withdrawal(now_ns))


LimitsAgainstReference.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_limits_against_reference = LimitsAgainstReference.TestCase
