"""Every reject path returns its stable code and leaves the ledger exactly as it was."""
import subprocess
import sys
from pathlib import Path

import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, settings

from ledger import Applied, EntryKind, JournalEntry, Ledger, LedgerInvariantError, LedgerRejectCode, Posting
from ledger import entries as E

Code = LedgerRejectCode


def funded_ledger() -> Ledger:
    ledger = Ledger()
    ledger.define_asset("BTC", 8)
    ledger.define_asset("USDT", 6)
    for customer in (1, 2, 3):
        ledger.apply(E.deposit(f"d{customer}b", 1, customer, "BTC", 1_000, "tx"))
        ledger.apply(E.deposit(f"d{customer}u", 1, customer, "USDT", 1_000_000, "tx"))
        ledger.apply(E.hold(f"h{customer}b", 2, customer, "BTC", 100, "order"))
        ledger.apply(E.hold(f"h{customer}u", 2, customer, "USDT", 100_000, "order"))
    ledger.apply(E.custody_rebalance("cold", 3, "BTC", 2_900, True, "sweep"))
    return ledger


def entry(kind, *postings, **fields) -> JournalEntry:
    return JournalEntry(entry_id="bad", kind=kind, cause="test", sequence=9, postings=tuple(postings), **fields)


def settlement(**overrides) -> JournalEntry:
    arguments = dict(
        entry_id="bad", sequence=9, trade_id=1, buyer_id=1, seller_id=2, base="BTC", base_units=10,
        quote="USDT", quote_units=5_000, buyer_fee_units=1, seller_fee_units=5,
    )
    return E.trade_settlement(**(arguments | overrides))


def correction(postings, reason="customer reported a double credit", approvers=("op:ann", "op:bob")) -> JournalEntry:
    return E.correction("bad", 9, tuple(postings), reason, approvers, "ticket-1")


CASES = [
    (entry("transfer", Posting("user:1:available", "user:2:available", "BTC", 1)), Code.UNKNOWN_KIND),
    (entry(EntryKind.DEPOSIT), Code.UNBALANCED_ENTRY),
    (E.deposit("bad", 9, 1, "BTC", 0, "tx"), Code.UNBALANCED_ENTRY),
    (E.deposit("bad", 9, 1, "BTC", -5, "tx"), Code.UNBALANCED_ENTRY),
    (E.deposit("bad", 9, 1, "BTC", 1.5, "tx"), Code.UNBALANCED_ENTRY),
    (E.deposit("bad", 9, 1, "BTC", True, "tx"), Code.UNBALANCED_ENTRY),
    (entry(EntryKind.CORRECTION, Posting("custody:hot", "custody:hot", "BTC", 1)), Code.UNBALANCED_ENTRY),
    (E.deposit("bad", 9, 1, "DOGE", 5, "tx"), Code.UNKNOWN_ASSET),
    (entry(EntryKind.DEPOSIT, Posting("custody:hot", "user:1:savings", "BTC", 5)), Code.UNKNOWN_ACCOUNT),
    (entry(EntryKind.DEPOSIT, Posting("bank:vault", "user:1:available", "BTC", 5)), Code.UNKNOWN_ACCOUNT),
    (entry(EntryKind.DEPOSIT, Posting("custody:hot", "user::available", "BTC", 5)), Code.UNKNOWN_ACCOUNT),
    (entry(EntryKind.HOLD, Posting("user:1:available", "user:2:held", "BTC", 5)), Code.POSTINGS_DO_NOT_MATCH_KIND),
    (entry(EntryKind.RELEASE, Posting("user:1:held", "user:2:available", "BTC", 5)), Code.POSTINGS_DO_NOT_MATCH_KIND),
    (entry(EntryKind.DEPOSIT, Posting("custody:hot", "user:1:held", "BTC", 5)), Code.POSTINGS_DO_NOT_MATCH_KIND),
    (entry(EntryKind.FEE, Posting("user:1:available", "user:2:available", "BTC", 5)), Code.POSTINGS_DO_NOT_MATCH_KIND),
    (
        entry(EntryKind.WITHDRAWAL_REJECT, Posting("pending:withdrawals:1", "user:2:available", "BTC", 5)),
        Code.POSTINGS_DO_NOT_MATCH_KIND,
    ),
    (
        entry(
            EntryKind.DEPOSIT,
            Posting("custody:hot", "user:1:available", "BTC", 5),
            Posting("custody:hot", "user:2:available", "BTC", 5),
        ),
        Code.POSTINGS_DO_NOT_MATCH_KIND,
    ),
    (msgspec.structs.replace(settlement(), parties=("1", "3")), Code.NOT_TRADE_PARTIES),
    (msgspec.structs.replace(settlement(), parties=()), Code.NOT_TRADE_PARTIES),
    (
        msgspec.structs.replace(
            settlement(buyer_fee_units=0, seller_fee_units=0),
            postings=settlement().postings[:2] + (Posting("user:3:available", "exchange:fees", "BTC", 1),),
        ),
        Code.NOT_TRADE_PARTIES,
    ),
    (settlement(base="USDT"), Code.POSTINGS_DO_NOT_MATCH_KIND),
    (settlement(buyer_fee_units=11), Code.FEE_EXCEEDS_PROCEEDS),
    (settlement(quote_units=100_001), Code.INSUFFICIENT_FUNDS),
    (correction([Posting("user:1:available", "exchange:equity", "BTC", 1)], reason=None), Code.CORRECTION_NEEDS_REASON),
    (correction([Posting("user:1:available", "exchange:equity", "BTC", 1)], reason="  "), Code.CORRECTION_NEEDS_REASON),
    (
        correction([Posting("user:1:available", "exchange:equity", "BTC", 1)], approvers=("op:ann",)),
        Code.CORRECTION_NEEDS_TWO_APPROVERS,
    ),
    (
        correction([Posting("user:1:available", "exchange:equity", "BTC", 1)], approvers=("op:ann", "op:ann")),
        Code.CORRECTION_NEEDS_TWO_APPROVERS,
    ),
    (correction([Posting("user:1:available", "user:2:available", "BTC", 1)]), Code.CORRECTION_BETWEEN_CUSTOMERS),
    (correction([Posting("exchange:equity", "user:1:available", "BTC", 1)]), Code.CUSTODY_SHORTFALL),
    (E.hold("bad", 9, 1, "BTC", 901, "order"), Code.INSUFFICIENT_FUNDS),
    (E.withdrawal_request("bad", 9, 1, "USDT", 900_001, "w"), Code.INSUFFICIENT_FUNDS),
    (E.custody_rebalance("bad", 9, "BTC", 101, True, "sweep"), Code.INSUFFICIENT_FUNDS),
    (E.deposit("d1b", 9, 1, "BTC", 999, "tx"), Code.ENTRY_ID_REUSED),
]


@pytest.mark.parametrize("bad_entry, code", CASES, ids=[f"{case[1].name}-{n}" for n, case in enumerate(CASES)])
def test_rejected_entry_changes_nothing(bad_entry, code):
    ledger = funded_ledger()
    before = (ledger.state_hash(), ledger.trial_balance(), ledger.entries_applied())
    result = ledger.apply(bad_entry)
    assert getattr(result, "code", result) is code
    assert (ledger.state_hash(), ledger.trial_balance(), ledger.entries_applied()) == before
    ledger.check()


def test_withdrawal_completion_needs_coins_in_the_hot_wallet():
    ledger = funded_ledger()  # 2,900 of the 3,000 BTC are in cold storage.
    assert ledger.apply(E.withdrawal_request("w1", 9, 1, "BTC", 500, "w1")) == Applied("w1")
    assert ledger.apply(E.withdrawal_complete("w1:done", 10, 1, "BTC", 500, "w1")).code is Code.INSUFFICIENT_FUNDS
    assert ledger.apply(E.custody_rebalance("warm", 11, "BTC", 400, False, "refill")) == Applied("warm")
    assert ledger.apply(E.withdrawal_complete("w1:done", 12, 1, "BTC", 500, "w1")) == Applied("w1:done")
    ledger.check()


def test_a_rejected_id_can_be_retried_once_funds_arrive():
    ledger = funded_ledger()
    assert ledger.apply(E.hold("s9:hold", 9, 1, "BTC", 1_000, "s9")).code is Code.INSUFFICIENT_FUNDS
    ledger.apply(E.deposit("d9", 9, 1, "BTC", 100, "tx"))
    assert ledger.apply(E.hold("s9:hold", 9, 1, "BTC", 1_000, "s9")) == Applied("s9:hold")


def test_a_funded_correction_to_one_customer_applies():
    ledger = funded_ledger()
    ledger.apply(E.correction("cap", 9, (Posting("custody:hot", "exchange:equity", "BTC", 50),), "capital injection",
                              ("op:ann", "op:bob"), "board-7"))
    refund = correction([Posting("exchange:equity", "user:1:available", "BTC", 50)])
    assert ledger.apply(refund) == Applied("bad")
    assert ledger.available(1, "BTC") == 950
    ledger.check()


SINGLE_POSTING_KINDS = [kind for kind in EntryKind if kind not in (EntryKind.TRADE_SETTLEMENT, EntryKind.CORRECTION)]
customer_accounts = st.sampled_from(["user:{}:available", "user:{}:held", "pending:withdrawals:{}"])


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(SINGLE_POSTING_KINDS + [EntryKind.CORRECTION, EntryKind.FEE]),
    source=customer_accounts,
    target=customer_accounts,
    asset=st.sampled_from(["BTC", "USDT"]),
    amount_units=st.integers(1, 2_000),
)
def test_no_kind_moves_value_from_one_customer_to_another(kind, source, target, asset, amount_units):
    ledger = funded_ledger()
    before = ledger.state_hash()
    posting = Posting(source.format(1), target.format(2), asset, amount_units)
    result = ledger.apply(JournalEntry(
        entry_id="x", kind=kind, cause="c", sequence=9, postings=(posting,), reason="r", approvers=("a", "b")
    ))
    assert result != Applied("x")
    assert ledger.state_hash() == before


def test_the_closed_set_has_no_transfer_kind():
    assert {kind.value for kind in EntryKind} == {
        "deposit", "withdrawal_request", "withdrawal_complete", "withdrawal_reject", "hold", "release",
        "trade_settlement", "fee", "custody_rebalance", "correction",
    }
    assert not [name for name in dir(E) if "transfer" in name.lower() or "pay" in name.lower()]


def _snapshot_with(balances) -> bytes:
    return msgspec.msgpack.encode(
        {"version": 1, "asset_decimals": {"BTC": 8}, "balances": {"BTC": balances}, "applied": {}}
    )


@pytest.mark.parametrize(
    "balances, broken",
    [
        ({"custody:hot": -5, "user:1:available": 6}, "sum"),
        ({"custody:hot": 5, "user:1:available": -5}, "floor"),
        ({"custody:hot": -5, "exchange:equity": -3, "user:1:available": 8}, "exceed custody"),
        ({"custody:hot": -5, "user:1:savings": 5}, "not in the chart"),
    ],
)
def test_check_detects_each_broken_invariant(balances, broken):
    with pytest.raises(LedgerInvariantError, match=broken):
        Ledger.restore(_snapshot_with(balances))


def test_check_still_runs_under_python_optimize():
    script = (
        "import msgspec, sys\n"
        "from ledger import Ledger, LedgerInvariantError\n"
        "data = msgspec.msgpack.encode({'version': 1, 'asset_decimals': {'BTC': 8},"
        " 'balances': {'BTC': {'custody:hot': -5, 'user:1:available': 6}}, 'applied': {}})\n"
        "try:\n    Ledger.restore(data)\nexcept LedgerInvariantError:\n    sys.exit(7)\n"
    )
    repository = Path(__file__).resolve().parents[2]
    completed = subprocess.run([sys.executable, "-O", "-c", script], cwd=repository, capture_output=True)
    assert completed.returncode == 7, completed.stderr
