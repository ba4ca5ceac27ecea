"""Migrations apply in version order, once each, and a later version reaches an existing database."""
import asyncio
import sqlite3
from urllib.parse import parse_qs, urlsplit

import asyncpg

from exchange.store import Batch, JournalRecord, open_store
from exchange.store import postgres as postgres_adapter
from exchange.store import sqlite as sqlite_adapter

NEXT_VERSION = (2, ("CREATE TABLE later_probe (probe_id INTEGER PRIMARY KEY)",))


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
    monkeypatch.setattr(sqlite_adapter, "SQLITE_MIGRATIONS", sqlite_adapter.SQLITE_MIGRATIONS + (NEXT_VERSION,))
    assert open_and_close(url) == 1
    assert open_and_close(url) == 1
    connection = sqlite3.connect(path)
    assert [row[0] for row in connection.execute("SELECT version FROM schema_version ORDER BY version")] == [1, 2]
    assert connection.execute("SELECT count(*) FROM later_probe").fetchone() == (0,)


def test_postgres_applies_a_new_version_once_to_an_existing_database(postgres_url, monkeypatch):
    open_and_close(postgres_url, write=True)
    monkeypatch.setattr(postgres_adapter, "POSTGRES_MIGRATIONS", postgres_adapter.POSTGRES_MIGRATIONS + (NEXT_VERSION,))
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

    assert asyncio.run(versions()) == [1, 2]
