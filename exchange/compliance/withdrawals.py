"""Deposit bookkeeping and the withdrawal approval lifecycle (no ledger postings here).

pending_approval -> approved (1 approval, or 2 from different staff when the
value is above the four-eyes threshold) -> completed; pending_approval or
approved -> rejected, which gives the value back to the limit windows it was
counted in. Requests count against the withdrawal limits when made.
"""
import msgspec

from exchange.compliance.cases import blocking_case_ids
from exchange.compliance.codes import ComplianceCode, WithdrawalStatus
from exchange.compliance.commands import (
    ApproveWithdrawal,
    CompleteWithdrawal,
    RecordDeposit,
    RejectWithdrawal,
    RequestWithdrawal,
)
from exchange.compliance.gates import deposit_gate, withdrawal_gate
from exchange.compliance.guards import active_refusal, actor_refusal, staff_refusal
from exchange.compliance.limits import add_deposit, add_withdrawal, day_index, give_back_withdrawal, month_index, rolled
from exchange.compliance.records import ComplianceBook, LimitUsage, Withdrawal
from exchange.compliance.results import Accepted, ComplianceResult, Refusal, refuse

CHAIN_TX_LENGTH_MAX = 200


def _usage(book: ComplianceBook, customer_id: str, timestamp_ns: int) -> LimitUsage:
    usage = rolled(book.usage.get(customer_id, LimitUsage()), timestamp_ns)
    book.usage[customer_id] = usage
    return usage


def _chain_tx_refusal(chain_tx_id: str) -> Refusal | None:
    if not chain_tx_id.strip() or len(chain_tx_id) > CHAIN_TX_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_CHAIN_TX,
                      f"chain transaction id must be 1 to {CHAIN_TX_LENGTH_MAX} characters")
    return None


def _view(withdrawal: Withdrawal) -> Withdrawal:
    return msgspec.structs.replace(withdrawal, approved_by=list(withdrawal.approved_by))


def handle_record_deposit(book: ComplianceBook, command: RecordDeposit, sequence: int,
                          timestamp_ns: int) -> ComplianceResult:
    refusal = _chain_tx_refusal(command.chain_tx_id)
    if refusal:
        return refusal
    if command.chain_tx_id in book.deposit_tx_ids:
        return refuse(ComplianceCode.DEPOSIT_ALREADY_RECORDED, "this chain transaction was already counted")
    refusal = deposit_gate(book, command.customer_id, command.value_tmt_units, timestamp_ns)
    if refusal:
        return refusal
    add_deposit(_usage(book, command.customer_id, timestamp_ns), command.value_tmt_units)
    book.deposit_tx_ids[command.chain_tx_id] = command.customer_id
    return Accepted(customer_id=command.customer_id)


def handle_request_withdrawal(book: ComplianceBook, command: RequestWithdrawal, sequence: int,
                              timestamp_ns: int) -> ComplianceResult:
    if command.amount_units <= 0:
        return refuse(ComplianceCode.INVALID_AMOUNT, "withdrawal amount must be positive")
    refusal = withdrawal_gate(book, command.customer_id, command.asset, command.address, command.value_tmt_units,
                              timestamp_ns)
    if refusal:
        return refusal
    add_withdrawal(_usage(book, command.customer_id, timestamp_ns), command.value_tmt_units)
    withdrawal = Withdrawal(
        withdrawal_id=book.next_withdrawal_id,
        customer_id=command.customer_id,
        asset=command.asset,
        address=command.address,
        amount_units=command.amount_units,
        value_tmt_units=command.value_tmt_units,
        requested_at_ns=timestamp_ns,
        day_index=day_index(timestamp_ns),
        month_index=month_index(timestamp_ns),
        approvals_required=2 if command.value_tmt_units > book.policy.four_eyes_threshold_tmt_units else 1,
    )
    book.withdrawals[withdrawal.withdrawal_id] = withdrawal
    book.next_withdrawal_id += 1
    return Accepted(customer_id=command.customer_id, withdrawal=_view(withdrawal))


def _find(book: ComplianceBook, withdrawal_id: int) -> Withdrawal | Refusal:
    withdrawal = book.withdrawals.get(withdrawal_id)
    if withdrawal is None:
        return refuse(ComplianceCode.WITHDRAWAL_NOT_FOUND, f"no withdrawal {withdrawal_id}")
    return withdrawal


def handle_approve_withdrawal(book: ComplianceBook, command: ApproveWithdrawal, sequence: int,
                              timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor)
    if refusal:
        return refusal
    withdrawal = _find(book, command.withdrawal_id)
    if isinstance(withdrawal, Refusal):
        return withdrawal
    if withdrawal.status is not WithdrawalStatus.PENDING_APPROVAL:
        return refuse(ComplianceCode.WITHDRAWAL_NOT_PENDING, f"withdrawal is {withdrawal.status.value}")
    if command.actor in withdrawal.approved_by:
        return refuse(ComplianceCode.SAME_APPROVER, "four-eyes: a second approval must come from a different person")
    customer = book.customers[withdrawal.customer_id]
    refusal = active_refusal(customer)
    if refusal:
        return refusal
    if blocking_case_ids(book, customer):
        return refuse(ComplianceCode.COMPLIANCE_REVIEW, "the account is under compliance review")
    withdrawal.approved_by.append(command.actor)
    if len(withdrawal.approved_by) >= withdrawal.approvals_required:
        withdrawal.status = WithdrawalStatus.APPROVED
        withdrawal.decided_at_ns = timestamp_ns
    return Accepted(customer_id=withdrawal.customer_id, withdrawal=_view(withdrawal))


def handle_reject_withdrawal(book: ComplianceBook, command: RejectWithdrawal, sequence: int,
                             timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    withdrawal = _find(book, command.withdrawal_id)
    if isinstance(withdrawal, Refusal):
        return withdrawal
    if withdrawal.status not in (WithdrawalStatus.PENDING_APPROVAL, WithdrawalStatus.APPROVED):
        return refuse(ComplianceCode.WITHDRAWAL_NOT_PENDING, f"withdrawal is {withdrawal.status.value}")
    withdrawal.status = WithdrawalStatus.REJECTED
    withdrawal.rejected_by = command.actor
    withdrawal.reason = command.reason
    withdrawal.decided_at_ns = timestamp_ns
    usage = _usage(book, withdrawal.customer_id, timestamp_ns)
    give_back_withdrawal(usage, withdrawal.value_tmt_units, withdrawal.day_index, withdrawal.month_index)
    return Accepted(customer_id=withdrawal.customer_id, withdrawal=_view(withdrawal))


def handle_complete_withdrawal(book: ComplianceBook, command: CompleteWithdrawal, sequence: int,
                               timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor) or _chain_tx_refusal(command.chain_tx_id)
    if refusal:
        return refusal
    withdrawal = _find(book, command.withdrawal_id)
    if isinstance(withdrawal, Refusal):
        return withdrawal
    if withdrawal.status is WithdrawalStatus.PENDING_APPROVAL:
        return refuse(ComplianceCode.WITHDRAWAL_NOT_APPROVED,
                      f"withdrawal has {len(withdrawal.approved_by)} of {withdrawal.approvals_required} approvals")
    if withdrawal.status is not WithdrawalStatus.APPROVED:
        return refuse(ComplianceCode.WITHDRAWAL_NOT_PENDING, f"withdrawal is {withdrawal.status.value}")
    if command.chain_tx_id in book.chain_tx_ids:
        return refuse(ComplianceCode.CHAIN_TX_ALREADY_USED, "this chain transaction completed another withdrawal")
    withdrawal.status = WithdrawalStatus.COMPLETED
    withdrawal.completed_by = command.actor
    withdrawal.chain_tx_id = command.chain_tx_id
    book.chain_tx_ids[command.chain_tx_id] = withdrawal.withdrawal_id
    return Accepted(customer_id=withdrawal.customer_id, withdrawal=_view(withdrawal))
