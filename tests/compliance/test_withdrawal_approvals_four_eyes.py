"""Withdrawal approval lifecycle: one approval, or two different approvers above the threshold."""
import pytest
from compliance_desk import OFFICER, SECOND_OFFICER, Desk

from exchange.compliance import (
    ApproveWithdrawal,
    CompleteWithdrawal,
    Compliance,
    ComplianceCode,
    OpenCase,
    RejectWithdrawal,
    RequestWithdrawal,
    SetWithdrawalPolicy,
    SuspendCustomer,
    WithdrawalStatus,
)

THRESHOLD = 50_000


@pytest.fixture
def desk() -> Desk:
    desk = Desk()
    desk.ok(SetWithdrawalPolicy(actor=OFFICER, cooling_off_ns=0, four_eyes_threshold_tmt_units=THRESHOLD,
                                reason="test policy"))
    desk.onboard("c1")
    desk.whitelist("c1", "BTC", "bc1qmine")
    return desk


def request(desk: Desk, value_tmt_units: int) -> int:
    command = RequestWithdrawal(customer_id="c1", asset="BTC", address="bc1qmine", amount_units=12_345,
                                value_tmt_units=value_tmt_units)
    withdrawal = desk.ok(command).withdrawal
    assert (withdrawal.status, withdrawal.amount_units, withdrawal.customer_id) == (
        WithdrawalStatus.PENDING_APPROVAL, 12_345, "c1")
    return withdrawal.withdrawal_id


def approve(desk: Desk, withdrawal_id: int, actor: str = OFFICER):
    return desk.do(ApproveWithdrawal(actor=actor, withdrawal_id=withdrawal_id))


def complete(desk: Desk, withdrawal_id: int, chain_tx_id: str = "btc-tx-1"):
    return desk.do(CompleteWithdrawal(actor=OFFICER, withdrawal_id=withdrawal_id, chain_tx_id=chain_tx_id))


def test_threshold_boundary(desk):
    assert not desk.compliance.needs_four_eyes(THRESHOLD)
    assert desk.compliance.needs_four_eyes(THRESHOLD + 1)


def test_at_the_threshold_one_approval_is_enough(desk):
    withdrawal_id = request(desk, THRESHOLD)
    assert approve(desk, withdrawal_id).withdrawal.status is WithdrawalStatus.APPROVED
    withdrawal = complete(desk, withdrawal_id).withdrawal
    assert (withdrawal.status, withdrawal.chain_tx_id, withdrawal.approved_by) == (
        WithdrawalStatus.COMPLETED, "btc-tx-1", [OFFICER])


def test_above_the_threshold_two_different_people_must_approve(desk):
    withdrawal_id = request(desk, THRESHOLD + 1)
    assert approve(desk, withdrawal_id).withdrawal.status is WithdrawalStatus.PENDING_APPROVAL
    assert approve(desk, withdrawal_id).code is ComplianceCode.SAME_APPROVER
    assert complete(desk, withdrawal_id).code is ComplianceCode.WITHDRAWAL_NOT_APPROVED
    withdrawal = approve(desk, withdrawal_id, SECOND_OFFICER).withdrawal
    assert (withdrawal.status, withdrawal.approved_by) == (WithdrawalStatus.APPROVED, [OFFICER, SECOND_OFFICER])
    assert approve(desk, withdrawal_id, "officer-three").code is ComplianceCode.WITHDRAWAL_NOT_PENDING
    assert complete(desk, withdrawal_id).withdrawal.status is WithdrawalStatus.COMPLETED
    assert desk.compliance.withdrawal(withdrawal_id).status is WithdrawalStatus.COMPLETED


def test_completed_and_rejected_withdrawals_are_final(desk):
    done, dropped = request(desk, 100), request(desk, 100)
    approve(desk, done)
    complete(desk, done)
    assert complete(desk, done, "btc-tx-2").code is ComplianceCode.WITHDRAWAL_NOT_PENDING
    reject = RejectWithdrawal(actor=OFFICER, withdrawal_id=done, reason="too late")
    desk.refused(reject, ComplianceCode.WITHDRAWAL_NOT_PENDING)
    rejected = desk.ok(RejectWithdrawal(actor=OFFICER, withdrawal_id=dropped, reason="address risk score")).withdrawal
    assert (rejected.status, rejected.rejected_by, rejected.reason) == (
        WithdrawalStatus.REJECTED, OFFICER, "address risk score")
    assert approve(desk, dropped).code is ComplianceCode.WITHDRAWAL_NOT_PENDING
    assert complete(desk, dropped).code is ComplianceCode.WITHDRAWAL_NOT_PENDING


def test_an_approved_withdrawal_can_still_be_rejected(desk):
    withdrawal_id = request(desk, 100)
    approve(desk, withdrawal_id)
    desk.ok(RejectWithdrawal(actor=OFFICER, withdrawal_id=withdrawal_id, reason="custody incident"))
    assert desk.compliance.withdrawal(withdrawal_id).status is WithdrawalStatus.REJECTED


def test_one_chain_transaction_completes_one_withdrawal(desk):
    first, second = request(desk, 100), request(desk, 100)
    approve(desk, first)
    approve(desk, second)
    complete(desk, first, "btc-tx-9")
    assert complete(desk, second, "btc-tx-9").code is ComplianceCode.CHAIN_TX_ALREADY_USED
    assert complete(desk, second, "").code is ComplianceCode.INVALID_CHAIN_TX


def test_no_approval_while_the_customer_is_suspended_or_under_review(desk):
    first = request(desk, 100)
    desk.ok(OpenCase(actor=OFFICER, customer_id="c1", summary="structuring suspected", blocks_withdrawals=True))
    assert approve(desk, first).code is ComplianceCode.COMPLIANCE_REVIEW
    desk.ok(SuspendCustomer(customer_id="c1", actor=OFFICER, reason="court order"))
    assert approve(desk, first).code is ComplianceCode.CUSTOMER_SUSPENDED


def test_unknown_withdrawal_and_bad_requests(desk):
    assert approve(desk, 999).code is ComplianceCode.WITHDRAWAL_NOT_FOUND
    assert approve(desk, 1, actor=" ").code is ComplianceCode.INVALID_ACTOR
    bad = RequestWithdrawal(customer_id="c1", asset="BTC", address="bc1qmine", amount_units=0, value_tmt_units=1)
    desk.refused(bad, ComplianceCode.INVALID_AMOUNT)


def test_withdrawals_are_listed_by_customer_and_status(desk):
    first, second = request(desk, 100), request(desk, 200)
    approve(desk, second)
    assert [w.withdrawal_id for w in desk.compliance.withdrawals(customer_id="c1")] == [first, second]
    approved = desk.compliance.withdrawals(status=WithdrawalStatus.APPROVED)
    assert [w.withdrawal_id for w in approved] == [second]
    assert desk.compliance.withdrawals(customer_id="c2") == []


def test_the_default_threshold_is_100_000_tmt():
    compliance = Compliance()
    assert not compliance.needs_four_eyes(10_000_000)
    assert compliance.needs_four_eyes(10_000_001)
