"""A ledger whose caller guarantees unique entry ids (the venue) keeps no applied-id table:
the same balances and state hash as a remembering ledger, and snapshots that do not grow with history."""
from ledger import Applied, Ledger, LedgerRejectCode
from ledger import entries as E


def _apply_history(ledger: Ledger, orders: int) -> None:
    ledger.define_asset("BTC", 8)
    ledger.define_asset("USDT", 6)
    ledger.apply(E.deposit("d1", 1, 1, "USDT", 10**12, "tx-a"))
    ledger.apply(E.deposit("d2", 2, 2, "BTC", 10**9, "tx-b"))
    for n in range(orders):
        assert ledger.apply(E.hold(f"h{n}", 3 + n, 1, "USDT", 500, f"o{n}")) == Applied(f"h{n}")
        assert ledger.apply(E.hold(f"g{n}", 3 + n, 2, "BTC", 10, f"p{n}")) == Applied(f"g{n}")
        assert ledger.apply(E.trade_settlement(f"t{n}", 3 + n, n, 1, 2, "BTC", 10, "USDT", 500, 1, 2)) == Applied(f"t{n}")


def test_same_balances_and_state_hash_as_a_remembering_ledger():
    remembering, forgetting = Ledger(), Ledger(remember_entries=False)
    _apply_history(remembering, 50)
    _apply_history(forgetting, 50)
    assert forgetting.trial_balance() == remembering.trial_balance()
    assert forgetting.entries_applied() == remembering.entries_applied() == 2 + 150
    assert forgetting.state_hash() == remembering.state_hash()


def test_snapshot_size_does_not_grow_with_history_and_restores_the_same_state():
    small, large = Ledger(remember_entries=False), Ledger(remember_entries=False)
    _apply_history(small, 10)
    _apply_history(large, 1_000)
    assert len(large.snapshot()) <= len(small.snapshot()) + 16  # only the balances' digits differ
    restored = Ledger.restore(large.snapshot(), remember_entries=False)
    assert restored.state_hash() == large.state_hash()
    assert restored.entries_applied() == large.entries_applied()


def test_a_remembering_ledger_still_answers_a_retry_after_restore():
    ledger = Ledger()
    _apply_history(ledger, 3)
    restored = Ledger.restore(ledger.snapshot())
    assert restored.apply(E.hold("h0", 3, 1, "USDT", 500, "o0")) == Applied("h0")
    assert restored.apply(E.hold("h0", 3, 1, "USDT", 501, "o0")).code is LedgerRejectCode.ENTRY_ID_REUSED
    assert restored.state_hash() == ledger.state_hash()
