"""Postings (and the journal, entries, trades, audit) refuse UPDATE and DELETE in both databases."""
import asyncio
import sqlite3
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest

from exchange.store import Batch, JournalRecord, open_store
from exchange.store.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS
from ledger import entries as E

APPEND_ONLY_CHANGES = [
    "UPDATE postings SET amount_units = 1000000",
    "DELETE FROM postings",
    "UPDATE entries SET kind = 'deposit'",
    "DELETE FROM entries",
    "UPDATE journal SET command = command",
    "DELETE FROM journal",
]


async def _write_one_batch(url: str) -> None:
    store = await open_store(url)
    try:
        await store.write_batch(
            Batch(
                journal=[JournalRecord(sequence=1, timestamp_ns=1, command=b"c")],
                entries=[E.deposit("d1", 1, 7, "BTC", 5, "tx")],
            )
        )
    finally:
        await store.close()


@pytest.mark.parametrize("statement", APPEND_ONLY_CHANGES)
def test_sqlite_refuses_changes_to_append_only_tables(tmp_path, statement):
    path = tmp_path / "exchange.db"
    asyncio.run(_write_one_batch(f"sqlite://{path}"))
    connection = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute(statement)
    assert connection.execute("SELECT amount_units FROM postings").fetchall() == [(5,)]
    assert connection.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SQLITE_MIGRATIONS[-1][0]


async def _postgres_refuses(url: str, statement: str) -> list:
    await _write_one_batch(url)
    schema = parse_qs(urlsplit(url).query)["search_path"][0]
    connection = await asyncpg.connect(url.split("?")[0], server_settings={"search_path": schema})
    try:
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await connection.execute(statement)
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await connection.execute("TRUNCATE postings")
        versions = await connection.fetch("SELECT version FROM schema_version")
        return [await connection.fetchval("SELECT amount_units FROM postings"), [row[0] for row in versions]]
    finally:
        await connection.close()


@pytest.mark.postgres
@pytest.mark.parametrize("statement", APPEND_ONLY_CHANGES)
def test_postgres_refuses_changes_to_append_only_tables(postgres_url, statement):
    amount_units, versions = asyncio.run(_postgres_refuses(postgres_url, statement))
    assert amount_units == 5
    assert versions == [version for version, _ in POSTGRES_MIGRATIONS]
