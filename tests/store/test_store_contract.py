"""The Store contract, run unchanged against SQLite (a real file) and PostgreSQL (a fresh schema),
each also with its writes going through the separate writer process the running exchange uses."""
import asyncio
from typing import NamedTuple

import msgspec
import pytest

from engine.commands import StpMode
from exchange.store import (
    AuditRecord,
    Batch,
    JournalRecord,
    OrderRecord,
    StoreConflictError,
    TradeRecord,
    open_store,
)
from exchange.store.base import READ_CHUNK_ROWS
from ledger import entries as E


STP_MODES = [mode.value for mode in StpMode]


class StoreTarget(NamedTuple):
    url: str
    separate_writer: bool


@pytest.fixture(params=["sqlite", "postgres", "sqlite+writer", "postgres+writer"])
def store_url(request, tmp_path) -> StoreTarget:
    database, _, writer = request.param.partition("+")
    url = f"sqlite://{tmp_path}/exchange.db" if database == "sqlite" else request.getfixturevalue("postgres_url")
    return StoreTarget(url, bool(writer))


def run_with_store(target: StoreTarget, scenario):
    async def main():
        store = await open_store(target.url, separate_writer=target.separate_writer)
        try:
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


async def collect(iterator):
    return [item async for item in iterator]


def journal(sequence: int) -> JournalRecord:
    timestamp_ns = 1_700_000_000_000_000_000 + sequence
    return JournalRecord(sequence=sequence, timestamp_ns=timestamp_ns, command=b"cmd%d" % sequence)


def trade(trade_id: int, maker: int, taker: int, instrument_id: int = 1) -> TradeRecord:
    return TradeRecord(
        trade_id=trade_id, sequence=trade_id, timestamp_ns=trade_id, instrument_id=instrument_id, price_ticks=100,
        quantity_lots=2, taker_side="BUY", maker_order_id=trade_id * 10, taker_order_id=trade_id * 10 + 1,
        maker_account_id=maker, taker_account_id=taker, maker_fee_units=1, taker_fee_units=2**70,
    )


def order(order_id: int, account_id: int, status="NEW", filled_lots=0, instrument_id=1) -> OrderRecord:
    return OrderRecord(
        order_id=order_id, account_id=account_id, instrument_id=instrument_id, client_order_id=f"c{order_id}",
        side="SELL", order_type="LIMIT", time_in_force="GTC", price_ticks=101, stop_price_ticks=None,
        quantity_lots=5, filled_lots=filled_lots, status=status, created_sequence=order_id,
        updated_sequence=order_id, created_ns=order_id, updated_ns=order_id, post_only=order_id % 2 == 0,
        stp_mode=STP_MODES[order_id % len(STP_MODES)],
    )


def audit(sequence: int, previous_hash: str) -> AuditRecord:
    return AuditRecord(
        sequence=sequence, timestamp_ns=sequence, actor="op:alice", action="halt_market", target="instrument:1",
        reason="incident 7", payload=b"\x00\x01", previous_hash=previous_hash, hash=f"h{sequence}",
    )


def test_a_batch_reads_back_exactly_as_written(store_url):
    settlement = E.trade_settlement("t1", 2, 1, 7, 8, "BTC", 10, "USDT", 500, 1, 2)
    huge_deposit = E.deposit("d1", 1, 7, "ETH", 10**30, "tx-1")  # Beyond 64-bit integers: wei amounts.
    correction = E.correction(
        "c1", 3, (E.Posting("exchange:equity", "user:7:available", "USDT", 5),), "refund", ("op:a", "op:b"), "ticket-9"
    )
    batch = Batch(
        journal=[journal(1), journal(2), journal(3)],
        entries=[huge_deposit, settlement, correction],
        trades=[trade(1, maker=8, taker=7)],
        orders=[order(10, 8)],
        audit=[audit(3, "0" * 64)],
    )

    async def scenario(store):
        assert await store.last_sequence() == 0
        await store.write_batch(batch)
        assert await store.last_sequence() == 3
        assert await collect(store.read_journal()) == batch.journal
        assert await collect(store.read_entries()) == batch.entries
        assert await store.read_trades() == batch.trades
        assert await store.read_orders(8) == batch.orders
        assert await collect(store.read_audit()) == batch.audit

    run_with_store(store_url, scenario)


def test_a_duplicate_sequence_fails_the_whole_batch(store_url):
    async def scenario(store):
        await store.write_batch(Batch(journal=[journal(1)], entries=[E.deposit("d1", 1, 7, "BTC", 5, "tx")]))
        duplicate = Batch(
            journal=[journal(2), journal(1)],
            entries=[E.deposit("d2", 2, 7, "BTC", 5, "tx2")],
            trades=[trade(1, 7, 8)],
            orders=[order(1, 7)],
            audit=[audit(2, "0" * 64)],
        )
        with pytest.raises(StoreConflictError):
            await store.write_batch(duplicate)
        assert await store.last_sequence() == 1
        assert [entry.entry_id for entry in await collect(store.read_entries())] == ["d1"]
        assert await store.read_trades() == []
        assert await store.read_order(1) is None
        assert await collect(store.read_audit()) == []

    run_with_store(store_url, scenario)


def test_a_reused_entry_id_fails_the_batch(store_url):
    async def scenario(store):
        await store.write_batch(Batch(journal=[journal(1)], entries=[E.deposit("d1", 1, 7, "BTC", 5, "tx")]))
        with pytest.raises(StoreConflictError):
            await store.write_batch(Batch(journal=[journal(2)], entries=[E.deposit("d1", 2, 7, "BTC", 5, "tx")]))
        assert await store.last_sequence() == 1

    run_with_store(store_url, scenario)


def test_a_duplicate_inside_a_large_batch_fails_all_of_it(store_url):
    # Large enough that the PostgreSQL adapter takes its COPY path.
    entries = [E.deposit(f"d{n}", n, 7, "BTC", 5, "tx") for n in range(1, 201)]
    entries.append(E.deposit("d5", 201, 7, "BTC", 5, "tx"))

    async def scenario(store):
        with pytest.raises(StoreConflictError):
            await store.write_batch(Batch(journal=[journal(n) for n in range(1, 202)], entries=entries))
        assert await store.last_sequence() == 0
        assert await collect(store.read_entries()) == []

    run_with_store(store_url, scenario)


def test_orders_are_upserted_and_filtered(store_url):
    async def scenario(store):
        await store.write_batch(Batch(orders=[order(1, 7), order(2, 7), order(3, 7, instrument_id=2), order(4, 8)]))
        filled = order(1, 7, status="FILLED", filled_lots=5)
        await store.write_batch(Batch(orders=[filled, order(2, 7, status="PARTIALLY_FILLED", filled_lots=1)]))
        assert await store.read_order(1) == filled
        assert await store.read_order(99) is None
        assert [o.order_id for o in await store.read_orders(7)] == [1, 2, 3]
        assert [o.order_id for o in await store.read_orders(7, open_only=True)] == [2, 3]
        assert [o.order_id for o in await store.read_orders(7, instrument_id=1)] == [1, 2]
        assert [o.order_id for o in await store.read_orders(7, limit=2)] == [2, 3]

    run_with_store(store_url, scenario)


def test_each_self_trade_prevention_mode_reads_back_and_survives_an_update(store_url):
    placed = [order(order_id, 7) for order_id in range(1, len(STP_MODES) + 1)]
    assert sorted(o.stp_mode for o in placed) == sorted(STP_MODES)

    async def scenario(store):
        await store.write_batch(Batch(orders=placed))
        assert await store.read_orders(7) == placed
        filled = [msgspec.structs.replace(o, status="FILLED", filled_lots=5) for o in placed]
        await store.write_batch(Batch(orders=filled))
        assert [await store.read_order(o.order_id) for o in placed] == filled

    run_with_store(store_url, scenario)


def test_trades_filter_by_account_instrument_and_cursor(store_url):
    async def scenario(store):
        trades = [trade(1, 7, 8), trade(2, 8, 9), trade(3, 9, 7, instrument_id=2), trade(4, 7, 9)]
        await store.write_batch(Batch(trades=trades))
        assert [t.trade_id for t in await store.read_trades(account_id=7)] == [1, 3, 4]
        assert [t.trade_id for t in await store.read_trades(instrument_id=2)] == [3]
        assert [t.trade_id for t in await store.read_trades(after_trade_id=1, limit=2)] == [2, 3]
        assert [t.trade_id for t in await store.read_trades(account_id=9, instrument_id=1)] == [2, 4]

    run_with_store(store_url, scenario)


def test_entries_stream_in_order_across_chunks_and_by_sequence_window(store_url):
    count = READ_CHUNK_ROWS * 2 + 7
    deposits = [E.deposit(f"d{n}", n, n % 5, "BTC", n + 1, f"tx{n}") for n in range(1, count + 1)]
    holds = [E.hold(f"s{n}:hold", n, n % 5, "BTC", 1, f"s{n}") for n in range(1, count + 1)]
    interleaved = [entry for pair in zip(deposits, holds) for entry in pair]

    async def scenario(store):
        await store.write_batch(Batch(journal=[journal(n) for n in range(1, count + 1)], entries=interleaved))
        assert await collect(store.read_entries()) == interleaved
        window = await collect(store.read_entries(after_sequence=10, until_sequence=12))
        assert [entry.entry_id for entry in window] == ["d11", "s11:hold", "d12", "s12:hold"]
        journal_back = await collect(store.read_journal(after_sequence=5))
        assert [record.sequence for record in journal_back] == list(range(6, count + 1))

    run_with_store(store_url, scenario)


def test_snapshots_load_newest_first_and_never_duplicate(store_url):
    async def scenario(store):
        await store.save_snapshot(10, "aa", b"ten")
        await store.save_snapshot(30, "cc", b"thirty")
        await store.save_snapshot(20, "bb", b"twenty")
        assert [(s.sequence, s.state_hash, s.data) for s in await store.load_snapshots()] == [
            (30, "cc", b"thirty"), (20, "bb", b"twenty"), (10, "aa", b"ten"),
        ]
        with pytest.raises(StoreConflictError):
            await store.save_snapshot(20, "zz", b"again")

    run_with_store(store_url, scenario)


def test_reopening_keeps_data_and_applies_no_migration_twice(store_url):
    async def write(store):
        await store.write_batch(Batch(journal=[journal(1)], entries=[E.deposit("d1", 1, 7, "BTC", 5, "tx")]))

    async def read(store):
        return await store.last_sequence(), len(await collect(store.read_entries()))

    run_with_store(store_url, write)
    assert run_with_store(store_url, read) == (1, 1)
    assert run_with_store(store_url, read) == (1, 1)


def test_audit_stream_after_a_sequence(store_url):
    async def scenario(store):
        await store.write_batch(Batch(audit=[audit(1, "0" * 64), audit(2, "h1"), audit(5, "h2")]))
        assert [record.sequence for record in await collect(store.read_audit(after_sequence=1))] == [2, 5]
        with pytest.raises(StoreConflictError):
            await store.write_batch(Batch(audit=[audit(1, "h5")]))  # Same hash again: the chain would fork.

    run_with_store(store_url, scenario)


def test_an_entry_without_postings_is_refused_before_the_transaction(store_url):
    empty = E.JournalEntry(entry_id="x", kind=E.EntryKind.HOLD, cause="c", sequence=1, postings=())

    async def scenario(store):
        with pytest.raises(ValueError):
            await store.write_batch(Batch(journal=[journal(1)], entries=[empty]))
        assert await store.last_sequence() == 0

    run_with_store(store_url, scenario)


def test_an_order_written_twice_in_one_batch_keeps_its_first_creation_and_last_update(store_url):
    def update(order_id, status, filled_lots, sequence):
        return msgspec.structs.replace(order(order_id, 7), status=status, filled_lots=filled_lots,
                                       updated_sequence=sequence, updated_ns=sequence)

    async def scenario(store):
        await store.write_batch(Batch(orders=[order(1, 7)]))
        created = order(2, 7)
        later = msgspec.structs.replace(update(2, "FILLED", 5, 9), created_sequence=99, created_ns=99)
        await store.write_batch(Batch(orders=[
            update(1, "PARTIALLY_FILLED", 1, 5), created, update(1, "FILLED", 5, 6), update(2, "NEW", 2, 8), later,
        ]))
        assert await store.read_order(1) == update(1, "FILLED", 5, 6)
        assert await store.read_order(2) == msgspec.structs.replace(later, created_sequence=2, created_ns=2)

    run_with_store(store_url, scenario)


def test_orders_a_batch_creates_and_orders_it_changes_read_back_as_its_last_records_leave_them(store_url):
    """With journal rows, as the sequencer writes: created orders (many: the bulk path too) and earlier ones."""
    def placed(order_id: int, sequence: int) -> OrderRecord:
        return msgspec.structs.replace(order(order_id, 7), created_sequence=sequence, updated_sequence=sequence)

    def cancelled(record: OrderRecord, sequence: int) -> OrderRecord:
        return msgspec.structs.replace(record, status="CANCELED", updated_sequence=sequence, updated_ns=sequence)

    first = [placed(order_id, 1) for order_id in range(1, 41)]
    second = [placed(order_id, 2) for order_id in range(41, 81)]
    changed = [cancelled(record, 3) for record in first[::2] + second[::3]]

    async def scenario(store):
        await store.write_batch(Batch(journal=[journal(1)], orders=first))
        await store.write_batch(Batch(journal=[journal(2), journal(3)], orders=second + changed))
        expected = {record.order_id: record for record in first + second + changed}
        assert await store.read_orders(7, limit=100) == sorted(expected.values(), key=lambda r: r.order_id)

    run_with_store(store_url, scenario)


def test_a_batch_that_creates_an_order_already_stored_fails_whole(store_url):
    async def scenario(store):
        await store.write_batch(Batch(journal=[journal(1)], orders=[order(1, 7)]))
        created_again = msgspec.structs.replace(order(1, 7), created_sequence=2)
        with pytest.raises(StoreConflictError):
            await store.write_batch(Batch(journal=[journal(2)], orders=[order(2, 7), created_again],
                                          entries=[E.deposit("d2", 2, 7, "BTC", 5, "tx2")]))
        assert await store.last_sequence() == 1
        assert await store.read_order(2) is None
        assert await collect(store.read_entries()) == []

    run_with_store(store_url, scenario)


def test_columns_hold_exactly_what_they_held_before(store_url):
    """Raw columns, not only what reads decode: JSON text of approvers/parties, exact money, exact bytes."""
    correction = E.correction(
        "c1", 1, (E.Posting("exchange:equity", "user:7:available", "USDT", 2**63),), 'say "hi"\\\n\ttab é😀',
        ("op:a", 'op:"b"'), "ticket-9",
    )
    settlement = E.trade_settlement("t1", 1, 1, 7, 8, "BTC", 2**63 - 1, "USDT", 10**38, 1, 0)
    command = bytes(range(256))
    huge_fee = msgspec.structs.replace(trade(1, 7, 8), maker_fee_units=2**63 - 1, taker_fee_units=-(2**63) - 1)

    async def scenario(store):
        await store.write_batch(Batch(
            journal=[JournalRecord(sequence=1, timestamp_ns=5, command=command),
                     JournalRecord(sequence=2, timestamp_ns=6, command=b"")],
            entries=[correction, settlement], trades=[huge_fee],
            audit=[msgspec.structs.replace(audit(1, "0" * 64), payload=b"", reason="\u2028 \\u0000 'q'")],
        ))
        rows = await store._fetch("SELECT entry_id, approvers, parties, reason FROM entries ORDER BY entry_number", ())
        assert [tuple(row) for row in rows] == [
            ("c1", '["op:a","op:\\"b\\""]', "[]", correction.reason), ("t1", "[]", '["7","8"]', None),
        ]
        rows = await store._fetch("SELECT amount_units FROM postings ORDER BY entry_id, posting_index", ())
        assert [int(row[0]) for row in rows] == [2**63, 10**38, 2**63 - 1, 1]
        assert [record.command for record in await collect(store.read_journal())] == [command, b""]
        assert await store.read_trades() == [huge_fee]
        assert [record.reason for record in await collect(store.read_audit())] == ["\u2028 \\u0000 'q'"]
        assert await collect(store.read_entries()) == [correction, settlement]

    run_with_store(store_url, scenario)


def test_sqlite_stores_an_amount_beyond_64_bits_as_decimal_text(tmp_path):
    url = StoreTarget(f"sqlite://{tmp_path}/exchange.db", separate_writer=False)

    async def scenario(store):
        await store.write_batch(Batch(entries=[E.deposit("d1", 1, 7, "ETH", 10**30, "tx"),
                                               E.deposit("d2", 1, 7, "ETH", 2**63 - 1, "tx")]))
        rows = await store._fetch("SELECT typeof(amount_units) FROM postings ORDER BY entry_id", ())
        assert [row[0] for row in rows] == ["text", "integer"]

    run_with_store(url, scenario)
