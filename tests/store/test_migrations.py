"""Migrations apply in version order, once each, and a later version reaches an existing database."""
import asyncio
import sqlite3
from urllib.parse import parse_qs, urlsplit

import asyncpg

from engine.commands import StpMode
from exchange.store import Batch, JournalRecord, StoreConflictError, open_store
from exchange.store import postgres as postgres_adapter
from exchange.store import sqlite as sqlite_adapter

PROBE = ("CREATE TABLE later_probe (probe_id INTEGER PRIMARY KEY)",)


def with_next_version(migrations: tuple) -> tuple[tuple, list[int]]:
    """The migrations plus one later version, and every version number that should then be applied."""
    versions = [version for version, _ in migrations]
    return migrations + ((versions[-1] + 1, PROBE),), versions + [versions[-1] + 1]


def open_and_close(url: str, write: bool = False) -> int:
    async def main():
        store = await open_store(url)
        try:
            if write:
                await store.write_batch(Batch(journal=[JournalRecord(sequence=1, timestamp_ns=1, command=b"c")]))
            return await store.last_sequence()
        finally:
            await store.close()

    return asyncio.run(main())


def test_sqlite_applies_a_new_version_once_to_an_existing_database(tmp_path, monkeypatch):
    url, path = f"sqlite://{tmp_path}/exchange.db", tmp_path / "exchange.db"
    open_and_close(url, write=True)
    migrations, expected = with_next_version(sqlite_adapter.SQLITE_MIGRATIONS)
    monkeypatch.setattr(sqlite_adapter, "SQLITE_MIGRATIONS", migrations)
    assert open_and_close(url) == 1
    assert open_and_close(url) == 1
    connection = sqlite3.connect(path)
    assert [row[0] for row in connection.execute("SELECT version FROM schema_version ORDER BY version")] == expected
    assert connection.execute("SELECT count(*) FROM later_probe").fetchone() == (0,)


def test_postgres_applies_a_new_version_once_to_an_existing_database(postgres_url, monkeypatch):
    open_and_close(postgres_url, write=True)
    migrations, expected = with_next_version(postgres_adapter.POSTGRES_MIGRATIONS)
    monkeypatch.setattr(postgres_adapter, "POSTGRES_MIGRATIONS", migrations)
    assert open_and_close(postgres_url) == 1
    assert open_and_close(postgres_url) == 1

    async def versions():
        schema = parse_qs(urlsplit(postgres_url).query)["search_path"][0]
        connection = await asyncpg.connect(postgres_url.split("?")[0], server_settings={"search_path": schema})
        try:
            await connection.fetchval("SELECT count(*) FROM later_probe")
            return [row[0] for row in await connection.fetch("SELECT version FROM schema_version ORDER BY version")]
        finally:
            await connection.close()

    assert asyncio.run(versions()) == expected


def read_order(url: str, order_id: int):
    async def read():
        store = await open_store(url)
        try:
            return await store.read_order(order_id)
        finally:
            await store.close()

    return asyncio.run(read())


def postgres_execute(url: str, sql: str) -> None:
    async def execute():
        schema = parse_qs(urlsplit(url).query)["search_path"][0]
        connection = await asyncpg.connect(url.split("?")[0], server_settings={"search_path": schema})
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute())


ORDER_V1_COLUMNS = (
    "order_id, account_id, instrument_id, client_order_id, side, order_type, time_in_force, price_ticks, "
    "stop_price_ticks, quantity_lots, filled_lots, status, created_sequence, updated_sequence, created_ns, updated_ns"
)
ORDER_V1_VALUES = "7, 3, 1, NULL, 'BUY', 'LIMIT', 'GTC', 100, NULL, 5, 0, 'NEW', 7, 7, 7, 7"
# A post-only order as version 2 wrote it, before stp_mode was kept.
INSERT_ORDER_V2 = f"INSERT INTO orders ({ORDER_V1_COLUMNS}, post_only) VALUES ({ORDER_V1_VALUES}, true)"


def sqlite_at_version(tmp_path, monkeypatch, version: int, insert_sql: str) -> str:
    """A SQLite store created by the first `version` migrations, holding one row written by `insert_sql`."""
    url, path = f"sqlite://{tmp_path}/exchange.db", tmp_path / "exchange.db"
    with monkeypatch.context() as patched:
        patched.setattr(sqlite_adapter, "SQLITE_MIGRATIONS", sqlite_adapter.SQLITE_MIGRATIONS[:version])
        open_and_close(url)
    connection = sqlite3.connect(path)
    connection.execute(insert_sql)
    connection.commit()
    connection.close()
    return url


def test_orders_stored_before_post_only_was_kept_read_back_as_not_post_only(tmp_path, monkeypatch):
    url = sqlite_at_version(tmp_path, monkeypatch, 1,
                            f"INSERT INTO orders ({ORDER_V1_COLUMNS}) VALUES ({ORDER_V1_VALUES})")
    order = read_order(url, 7)
    assert order.order_id == 7 and order.post_only is False


def test_sqlite_orders_stored_before_stp_mode_was_kept_read_back_with_the_engine_default(tmp_path, monkeypatch):
    url = sqlite_at_version(tmp_path, monkeypatch, 2, INSERT_ORDER_V2)
    order = read_order(url, 7)
    assert (order.order_id, order.post_only, order.stp_mode) == (7, True, StpMode.EXPIRE_TAKER.value)


def postgres_at_version(postgres_url: str, monkeypatch, version: int, insert_sql: str) -> None:
    """The PostgreSQL schema created by the first `version` migrations, holding the rows `insert_sql` writes."""
    with monkeypatch.context() as patched:
        patched.setattr(postgres_adapter, "POSTGRES_MIGRATIONS", postgres_adapter.POSTGRES_MIGRATIONS[:version])
        open_and_close(postgres_url)
    postgres_execute(postgres_url, insert_sql)


def test_postgres_orders_stored_before_stp_mode_was_kept_read_back_with_the_engine_default(postgres_url, monkeypatch):
    postgres_at_version(postgres_url, monkeypatch, 2, INSERT_ORDER_V2)
    order = read_order(postgres_url, 7)
    assert (order.order_id, order.post_only, order.stp_mode) == (7, True, StpMode.EXPIRE_TAKER.value)


def test_postgres_entries_stored_before_version_4_read_back_and_their_ids_stay_unique(postgres_url, monkeypatch):
    """Version 4 retypes entry ids (bytewise comparison) and gives orders room for in-place updates."""
    postgres_at_version(postgres_url, monkeypatch, 3, """
        INSERT INTO entries (entry_id, sequence, kind, cause, reason, approvers, parties)
            VALUES ('d1', 1, 'deposit', 'tx-1', NULL, '[]', '[]');
        INSERT INTO postings (entry_id, posting_index, debit_account, credit_account, asset, amount_units)
            VALUES ('d1', 0, 'custody:hot', 'user:7:available', 'BTC', 100000000000000000000000000000)""")

    async def after_version_4():
        store = await open_store(postgres_url)
        try:
            entries = [entry async for entry in store.read_entries()]
            duplicate = Batch(journal=[JournalRecord(sequence=2, timestamp_ns=2, command=b"c")],
                              entries=[entries[0]])
            try:
                await store.write_batch(duplicate)
            except StoreConflictError:
                return entries, True
            return entries, False
        finally:
            await store.close()

    entries, refused = asyncio.run(after_version_4())
    assert [(e.entry_id, e.postings[0].amount_units) for e in entries] == [("d1", 10**29)]
    assert refused
