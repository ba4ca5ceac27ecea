"""Re-applying an entry id returns the original result and posts nothing, before and after snapshots."""
import pytest

from ledger import Applied, Ledger, LedgerRejectCode
from ledger import entries as E


def ledger_with_deposit() -> tuple[Ledger, E.JournalEntry]:
    ledger = Ledger()
    ledger.define_asset("BTC", 8)
    deposit = E.deposit("d:tx-1", 1, 7, "BTC", 500, "tx-1")
    assert ledger.apply(deposit) == Applied("d:tx-1")
    return ledger, deposit


@pytest.mark.parametrize("moment", ["live", "after snapshot", "restored"])
def test_a_repeated_entry_is_a_no_op_and_a_reused_id_is_refused(moment):
    ledger, deposit = ledger_with_deposit()
    if moment == "after snapshot":
        ledger.snapshot()
    if moment == "restored":
        ledger = Ledger.restore(ledger.snapshot())
    before = ledger.state_hash()
    retry = E.deposit("d:tx-1", 1, 7, "BTC", 500, "tx-1")  # An equal entry, not the same object.
    assert ledger.apply(retry) == Applied("d:tx-1")
    assert ledger.available(7, "BTC") == 500
    different = E.deposit("d:tx-1", 1, 7, "BTC", 5_000, "tx-1")
    assert ledger.apply(different).code is LedgerRejectCode.ENTRY_ID_REUSED
    assert ledger.state_hash() == before
    assert ledger.apply(deposit) == Applied("d:tx-1")


def test_snapshots_of_the_same_state_are_identical_bytes():
    ledger, _ = ledger_with_deposit()
    first = ledger.snapshot()
    assert ledger.snapshot() == first
    assert Ledger.restore(first).snapshot() == first
