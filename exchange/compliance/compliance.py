"""`Compliance`: the pure, deterministic compliance state the sequencer drives.

No I/O, no clock, no randomness: every change comes from `apply(command,
sequence, timestamp_ns)` with values the caller journaled, so replaying the
journal rebuilds the same state and the same `state_hash()`. Commands return a
result and never raise for bad input; a raise is our bug (broken invariant or
a sequence going backwards).
"""
import functools
import hashlib

import msgspec

from exchange.compliance import (
    addresses,
    cases,
    configuration,
    kyc_decisions,
    lists,
    onboarding,
    screening,
    withdrawals,
)
from exchange.compliance import commands as c
from exchange.compliance.codes import CaseStatus, KycStatus, WithdrawalStatus
from exchange.compliance.defaults import TIER_LIMITS, initial_policy
from exchange.compliance.gates import can_trade, deposit_gate, withdrawal_gate
from exchange.compliance.identity import normalise_name
from exchange.compliance.limits import rolled
from exchange.compliance.records import (
    EXACT_NAMES_ONLY, Case, ComplianceBook, Customer, DepositAddress, LimitUsage, TierLimits, Withdrawal,
)
from exchange.compliance.results import ComplianceResult, Refusal

_HANDLERS = {
    c.SignUp: onboarding.handle_sign_up,
    c.SubmitIdentity: onboarding.handle_submit_identity,
    c.VerifyCustomer: onboarding.handle_verify_customer,
    c.RejectCustomer: kyc_decisions.handle_kyc_decision,
    c.SuspendCustomer: kyc_decisions.handle_kyc_decision,
    c.ReinstateCustomer: kyc_decisions.handle_kyc_decision,
    c.CloseCustomer: kyc_decisions.handle_kyc_decision,
    c.LoadRestrictedParties: lists.handle_load_restricted_parties,
    c.SetRestrictedJurisdictions: lists.handle_set_restricted_jurisdictions,
    c.SetScreeningRules: lists.handle_set_screening_rules,
    c.ContinueRescreen: lists.handle_continue_rescreen,
    c.SetTierLimits: configuration.handle_set_tier_limits,
    c.SetWithdrawalPolicy: configuration.handle_set_withdrawal_policy,
    c.AssignTier: configuration.handle_assign_tier,
    c.IssueDepositAddress: addresses.handle_issue_deposit_address,
    c.AddWithdrawalAddress: addresses.handle_add_withdrawal_address,
    c.RemoveWithdrawalAddress: addresses.handle_remove_withdrawal_address,
    c.RecordDeposit: withdrawals.handle_record_deposit,
    c.RequestWithdrawal: withdrawals.handle_request_withdrawal,
    c.ApproveWithdrawal: withdrawals.handle_approve_withdrawal,
    c.RejectWithdrawal: withdrawals.handle_reject_withdrawal,
    c.CompleteWithdrawal: withdrawals.handle_complete_withdrawal,
    c.OpenCase: cases.handle_open_case,
    c.AnnotateCase: cases.handle_annotate_case,
    c.EscalateCase: cases.handle_escalate_case,
    c.CloseCase: cases.handle_close_case,
}

_HASH_ENCODER = msgspec.msgpack.Encoder(order="deterministic")
_SNAPSHOT_DECODER = msgspec.msgpack.Decoder(ComplianceBook)


class Compliance:
    """Customers, KYC, tiers, limits, addresses, withdrawals approvals, lists and cases."""

    def __init__(self, book: ComplianceBook | None = None) -> None:
        """A new, empty state; `book` is for `restore` only."""
        if book is None:
            book = ComplianceBook(policy=initial_policy(), tier_limits=dict(TIER_LIMITS))
        self._book = book
        # Outside the book on purpose: a refused command must leave state_hash() unchanged.
        self._last_sequence = 0

    # Commands.

    def apply(self, command: c.ComplianceCommand, sequence: int, timestamp_ns: int) -> ComplianceResult:
        """Apply one journaled command. O(1) except list changes (O(customers))."""
        if sequence < self._last_sequence:
            raise ValueError(f"sequence {sequence} is before {self._last_sequence}: journal out of order")
        self._last_sequence = sequence
        return _HANDLERS[type(command)](self._book, command, sequence, timestamp_ns)

    def record_deposit(self, customer_id: str, value_tmt_units: int, chain_tx_id: str, sequence: int,
                       timestamp_ns: int) -> ComplianceResult:
        """Count a credited deposit against the limits: `apply(RecordDeposit(...))`."""
        command = c.RecordDeposit(customer_id=customer_id, value_tmt_units=value_tmt_units, chain_tx_id=chain_tx_id)
        return self.apply(command, sequence, timestamp_ns)

    # Gates: read-only, called before funds move.

    def check_can_trade(self, customer_id: str) -> Refusal | None:
        customer = self._book.customers.get(customer_id)
        if customer is not None and customer.kyc_status is KycStatus.VERIFIED:
            return None  # Every order asks: the common answer without the gate's two calls.
        return can_trade(self._book, customer_id)

    def check_deposit(self, customer_id: str, value_tmt_units: int, timestamp_ns: int) -> Refusal | None:
        return deposit_gate(self._book, customer_id, value_tmt_units, timestamp_ns)

    def check_withdrawal(self, customer_id: str, asset: str, address: str, value_tmt_units: int,
                         timestamp_ns: int) -> Refusal | None:
        return withdrawal_gate(self._book, customer_id, asset, address, value_tmt_units, timestamp_ns)

    def needs_four_eyes(self, value_tmt_units: int) -> bool:
        return value_tmt_units > self._book.policy.four_eyes_threshold_tmt_units

    # Queries: the returned records are copies; changing them changes nothing here.

    def customer(self, customer_id: str) -> Customer | None:
        customer = self._book.customers.get(customer_id)
        return _copy(customer, Customer) if customer else None

    def tier_of(self, customer_id: str) -> int | None:
        """The customer's tier without copying the record: cheap enough for per-fill fee look-ups."""
        customer = self._book.customers.get(customer_id)
        return customer.tier if customer else None

    def customer_by_deposit_address(self, address: str) -> Customer | None:
        record = self._book.deposit_addresses.get(address.lower())
        return self.customer(record.customer_id) if record else None

    def deposit_address(self, address: str) -> DepositAddress | None:
        """Who owns a deposit address and for which asset (to check a reported deposit)."""
        return self._book.deposit_addresses.get(address.lower())

    def withdrawal(self, withdrawal_id: int) -> Withdrawal | None:
        withdrawal = self._book.withdrawals.get(withdrawal_id)
        return _copy(withdrawal, Withdrawal) if withdrawal else None

    def withdrawals(self, customer_id: str | None = None,
                    status: WithdrawalStatus | None = None) -> list[Withdrawal]:
        """Withdrawals in id order, optionally of one customer and/or in one status."""
        return [
            _copy(w, Withdrawal)
            for w in self._book.withdrawals.values()
            if (customer_id is None or w.customer_id == customer_id) and (status is None or w.status == status)
        ]

    def cases(self, customer_id: str | None = None, status: CaseStatus | None = None) -> list[Case]:
        """Cases in id order, optionally of one customer and/or in one status."""
        return [
            _copy(case, Case)
            for case in self._book.cases.values()
            if (customer_id is None or case.customer_id == customer_id) and (status is None or case.status == status)
        ]

    def customers(self, kyc_status: KycStatus | None = None) -> list[Customer]:
        """Customers in id order (copies), optionally only those in one KYC status. O(customers)."""
        return [_copy(customer, Customer) for customer in self._book.customers.values()
                if kyc_status is None or customer.kyc_status == kyc_status]

    def match_keys(self, customer_id: str) -> tuple[str, ...]:
        """Keys two customers of one owner would share (surveillance): document number, name and
        date of birth, whitelisted withdrawal addresses. Identity data: never log them. No copy."""
        customer = self._book.customers.get(customer_id)
        if customer is None:
            return ()
        keys = [f"address:{entry.asset}:{entry.address.lower()}" for entry in customer.withdrawal_addresses]
        identity = customer.identity
        if identity is not None:
            keys.append(f"doc:{identity.document_number}")
            keys.append(_person_key(identity.full_name, identity.date_of_birth))
        return tuple(keys)

    def tier_limits(self, tier: int) -> TierLimits | None:
        return self._book.tier_limits.get(tier)

    def used_allowance(self, customer_id: str, timestamp_ns: int) -> LimitUsage:
        """What the customer has used of today's and this month's limits as seen at `timestamp_ns` (a copy)."""
        usage = self._book.usage.get(customer_id)
        return rolled(usage if usage is not None else LimitUsage(), timestamp_ns)

    def restricted_jurisdictions(self) -> list[str]:
        return list(self._book.restricted_jurisdictions)

    def name_match_min_score(self) -> int:
        return self._book.name_match_min_score

    def rescreen_pending(self) -> bool:
        """A list or rule change is still re-screening customers: ContinueRescreen commands go on with it."""
        return self._book.rescreen_after is not None

    def prepare_screening(self) -> None:
        screening.prepare(self._book)

    # Persistence.

    def state_hash(self) -> str:
        """Hex sha256 of a canonical (key-sorted) encoding of the whole state."""
        # Sorted keys make the hash independent of dict insertion order; int keys become str to sort.
        canonical = msgspec.to_builtins(self._book, str_keys=True)
        # Fields added later hash, at their defaults, as books did before they existed: old snapshots hold.
        if canonical["name_match_min_score"] == EXACT_NAMES_ONLY:
            del canonical["name_match_min_score"]
        if canonical["rescreen_after"] is None:
            del canonical["rescreen_after"]
        return hashlib.sha256(_HASH_ENCODER.encode(canonical)).hexdigest()

    def snapshot(self) -> bytes:
        return msgspec.msgpack.encode(self._book)

    @classmethod
    def restore(cls, data: bytes) -> "Compliance":
        return cls(_SNAPSHOT_DECODER.decode(data))


@functools.lru_cache(maxsize=65_536)
def _person_key(full_name: str, date_of_birth: str) -> str:
    # Cached: surveillance asks for both parties of every trade, and name normalisation is unicode work.
    return f"person:{normalise_name(full_name)}|{date_of_birth}"


def _copy(record, kind):
    return msgspec.msgpack.decode(msgspec.msgpack.encode(record), type=kind)
