"""Blotter-style scenarios: deposit, hold, settle with fees, release, withdraw."""
from ledger import Applied, Ledger, LedgerRejectCode
from ledger import entries as E


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.define_asset("BTC", 8)
    ledger.define_asset("USDT", 6)
    ledger.apply(E.deposit("d1", 1, 1, "USDT", 1_000_000, "tx-a"))
    ledger.apply(E.deposit("d2", 2, 2, "BTC", 100, "tx-b"))
    return ledger


def test_settlement_moves_held_funds_and_takes_fees_from_proceeds():
    ledger = _ledger()
    assert ledger.apply(E.hold("s3:hold", 3, 1, "USDT", 600, "s3")) == Applied("s3:hold")
    assert ledger.apply(E.hold("s4:hold", 4, 2, "BTC", 10, "s4")) == Applied("s4:hold")
    settled = E.trade_settlement("t1", 4, 1, 1, 2, "BTC", 10, "USDT", 500, 1, 2)
    assert ledger.apply(settled) == Applied("t1")
    assert ledger.balances(1) == {"BTC": (9, 0), "USDT": (999_400, 100)}
    assert ledger.balances(2) == {"BTC": (90, 0), "USDT": (498, 0)}
    assert ledger.account_balance("exchange:fees", "BTC") == 1
    assert ledger.account_balance("exchange:fees", "USDT") == 2
    assert ledger.apply(E.release("s3:release", 5, 1, "USDT", 100, "s3")) == Applied("s3:release")
    assert ledger.balances(1)["USDT"] == (999_500, 0)
    ledger.check()


def test_hold_beyond_available_is_rejected_and_changes_nothing():
    ledger = _ledger()
    before = ledger.state_hash()
    rejected = ledger.apply(E.hold("s3:hold", 3, 1, "USDT", 1_000_001, "s3"))
    assert rejected.code is LedgerRejectCode.INSUFFICIENT_FUNDS
    assert ledger.state_hash() == before


def test_withdrawal_request_then_complete_shrinks_custody():
    ledger = _ledger()
    assert ledger.apply(E.withdrawal_request("w1", 3, 2, "BTC", 40, "w1")) == Applied("w1")
    assert ledger.balances(2) == {"BTC": (60, 0)}
    assert ledger.withdrawing(2, "BTC") == 40
    assert ledger.apply(E.withdrawal_complete("w1:done", 4, 2, "BTC", 40, "w1")) == Applied("w1:done")
    assert ledger.custody_units("BTC") == 60
    ledger.check()
