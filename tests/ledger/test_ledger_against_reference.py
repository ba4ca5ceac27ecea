"""Stateful: random deposits, holds, settlements, fees, releases and withdrawals against a naive model."""
from collections import defaultdict

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ledger import Applied, Ledger, LedgerRejectCode
from ledger import entries as E
from ledger.trial_balance import TrialBalance

CUSTOMERS = (1, 2, 3)
ASSETS = ("BTC", "USDT")
amounts = st.integers(1, 60)


class ReferenceLedger:
    """Every balance as a plain counter; each operation states when it is allowed."""

    def __init__(self):
        self.available = defaultdict(int)
        self.held = defaultdict(int)
        self.withdrawing = defaultdict(int)
        self.fees = defaultdict(int)
        self.hot = defaultdict(int)
        self.cold = defaultdict(int)
        self.equity = defaultdict(int)

    @staticmethod
    def move(source, source_key, target, target_key, amount_units) -> bool:
        if source[source_key] < amount_units:
            return False
        source[source_key] -= amount_units
        target[target_key] += amount_units
        return True


class LedgerAgainstReference(RuleBasedStateMachine):
    @initialize()
    def open_ledger(self):
        self.ledger = Ledger()
        for asset in ASSETS:
            self.ledger.define_asset(asset, 8)
        self.reference = ReferenceLedger()
        self.applied_entries = []
        self.next_id = 0

    def entry_id(self) -> str:
        self.next_id += 1
        return f"e{self.next_id}"

    def expect(self, entry, allowed: bool, code=LedgerRejectCode.INSUFFICIENT_FUNDS):
        result = self.ledger.apply(entry)
        if allowed:
            assert result == Applied(entry.entry_id)
            self.applied_entries.append(entry)
        else:
            assert getattr(result, "code", result) is code

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def deposit(self, customer, asset, amount):
        self.reference.available[customer, asset] += amount
        self.reference.hot[asset] += amount
        self.expect(E.deposit(self.entry_id(), self.next_id, customer, asset, amount, "tx"), True)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def hold(self, customer, asset, amount):
        r = self.reference
        allowed = r.move(r.available, (customer, asset), r.held, (customer, asset), amount)
        self.expect(E.hold(self.entry_id(), self.next_id, customer, asset, amount, "order"), allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def release(self, customer, asset, amount):
        r = self.reference
        allowed = r.move(r.held, (customer, asset), r.available, (customer, asset), amount)
        self.expect(E.release(self.entry_id(), self.next_id, customer, asset, amount, "order"), allowed)

    @rule(
        buyer=st.sampled_from(CUSTOMERS),
        seller=st.sampled_from(CUSTOMERS),
        base_units=amounts,
        quote_units=amounts,
        fee_share=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    )
    def settle(self, buyer, seller, base_units, quote_units, fee_share):
        r = self.reference
        buyer_fee, seller_fee = base_units * fee_share[0] // 3, quote_units * fee_share[1] // 3
        allowed = r.held[buyer, "USDT"] >= quote_units and r.held[seller, "BTC"] >= base_units
        if allowed:
            r.move(r.held, (buyer, "USDT"), r.available, (seller, "USDT"), quote_units)
            r.move(r.held, (seller, "BTC"), r.available, (buyer, "BTC"), base_units)
            r.move(r.available, (buyer, "BTC"), r.fees, "BTC", buyer_fee)
            r.move(r.available, (seller, "USDT"), r.fees, "USDT", seller_fee)
        entry = E.trade_settlement(
            self.entry_id(), self.next_id, self.next_id, buyer, seller, "BTC", base_units, "USDT", quote_units,
            buyer_fee, seller_fee,
        )
        self.expect(entry, allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def charge_fee(self, customer, asset, amount):
        r = self.reference
        allowed = r.move(r.available, (customer, asset), r.fees, asset, amount)
        self.expect(E.fee(self.entry_id(), self.next_id, customer, asset, amount, "withdrawal-fee"), allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def request_withdrawal(self, customer, asset, amount):
        r = self.reference
        allowed = r.move(r.available, (customer, asset), r.withdrawing, (customer, asset), amount)
        self.expect(E.withdrawal_request(self.entry_id(), self.next_id, customer, asset, amount, "w"), allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def complete_withdrawal(self, customer, asset, amount):
        r = self.reference
        allowed = r.withdrawing[customer, asset] >= amount and r.hot[asset] >= amount
        if allowed:
            r.withdrawing[customer, asset] -= amount
            r.hot[asset] -= amount
        self.expect(E.withdrawal_complete(self.entry_id(), self.next_id, customer, asset, amount, "w"), allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts)
    def reject_withdrawal(self, customer, asset, amount):
        r = self.reference
        allowed = r.move(r.withdrawing, (customer, asset), r.available, (customer, asset), amount)
        self.expect(E.withdrawal_reject(self.entry_id(), self.next_id, customer, asset, amount, "w"), allowed)

    @rule(asset=st.sampled_from(ASSETS), amount=amounts, to_cold=st.booleans())
    def rebalance_custody(self, asset, amount, to_cold):
        r = self.reference
        source, target = (r.hot, r.cold) if to_cold else (r.cold, r.hot)
        allowed = r.move(source, asset, target, asset, amount)
        self.expect(E.custody_rebalance(self.entry_id(), self.next_id, asset, amount, to_cold, "sweep"), allowed)

    @rule(customer=st.sampled_from(CUSTOMERS), asset=st.sampled_from(ASSETS), amount=amounts, to_customer=st.booleans())
    def correct(self, customer, asset, amount, to_customer):
        # The exchange refunds from, or claws back into, its own equity: never another customer's money.
        r = self.reference
        user = f"user:{customer}:available"
        if to_customer:
            allowed, code = r.fees[asset] + r.equity[asset] >= amount, LedgerRejectCode.CUSTODY_SHORTFALL
            posting = E.Posting("exchange:equity", user, asset, amount)
        else:
            allowed, code = r.available[customer, asset] >= amount, LedgerRejectCode.INSUFFICIENT_FUNDS
            posting = E.Posting(user, "exchange:equity", asset, amount)
        if allowed:
            sign = 1 if to_customer else -1
            r.available[customer, asset] += sign * amount
            r.equity[asset] -= sign * amount
        entry = E.correction(self.entry_id(), self.next_id, (posting,), "ticket", ("op:ann", "op:bob"), "t")
        self.expect(entry, allowed, code)

    @rule(data=st.data())
    def reapply_an_applied_entry(self, data):
        if not self.applied_entries:
            return
        before = self.ledger.state_hash()
        entry = data.draw(st.sampled_from(self.applied_entries))
        assert self.ledger.apply(entry) == Applied(entry.entry_id)
        assert self.ledger.state_hash() == before

    @invariant()
    def balances_match_reference_and_invariants_hold(self):
        self.ledger.check()
        r = self.reference
        for customer in CUSTOMERS:
            for asset in ASSETS:
                assert self.ledger.available(customer, asset) == r.available[customer, asset]
                assert self.ledger.held(customer, asset) == r.held[customer, asset]
                assert self.ledger.withdrawing(customer, asset) == r.withdrawing[customer, asset]
        for asset in ASSETS:
            assert self.ledger.account_balance("exchange:fees", asset) == r.fees[asset]
            assert self.ledger.account_balance("custody:hot", asset) == -r.hot[asset]
            assert self.ledger.account_balance("custody:cold", asset) == -r.cold[asset]
            assert self.ledger.account_balance("exchange:equity", asset) == r.equity[asset]

    def teardown(self):
        # Replay is recovery: the same entries into a fresh ledger give the same state, as does a snapshot.
        replayed = Ledger()
        for asset in ASSETS:
            replayed.define_asset(asset, 8)
        for entry in self.applied_entries:
            assert replayed.apply(entry) == Applied(entry.entry_id)
        assert replayed.state_hash() == self.ledger.state_hash()
        assert replayed.trial_balance() == self.ledger.trial_balance()
        assert TrialBalance().add_all(self.applied_entries).balances() == self.ledger.trial_balance()
        restored = Ledger.restore(self.ledger.snapshot())
        assert restored.state_hash() == self.ledger.state_hash()
        for entry in self.applied_entries[-3:]:
            assert restored.apply(entry) == Applied(entry.entry_id)
        assert restored.state_hash() == self.ledger.state_hash()


LedgerAgainstReference.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestLedgerAgainstReference = LedgerAgainstReference.TestCase
