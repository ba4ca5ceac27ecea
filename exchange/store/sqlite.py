"""SQLite adapter (stdlib sqlite3): the embedded default.

WAL with `synchronous=FULL`: a committed batch survives a power loss, not only a
process crash. Every blocking call runs on ONE dedicated worker thread that owns
the connection, so the event loop keeps accepting commands while a batch
commits, and SQLite never sees two threads.
"""
import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from msgspec.structs import astuple

from exchange.store.base import Batch, StoreConflictError
from exchange.store.migrations import SQLITE_MIGRATIONS
from exchange.store.reads import SqlReads
from exchange.store.rows import (
    INSERT_AUDIT,
    INSERT_ENTRY,
    INSERT_JOURNAL,
    INSERT_POSTING,
    INSERT_TRADE,
    UPSERT_ORDER,
    entry_rows,
    trade_row,
)

_INT64_MAX = 2**63 - 1


def _money(amount_units: int) -> object:
    # SQLite integers are 64-bit; larger amounts go in as decimal text in the untyped column.
    return amount_units if -_INT64_MAX - 1 <= amount_units <= _INT64_MAX else str(amount_units)


class SqliteStore(SqlReads):
    """Open with `await SqliteStore.open(path)`; see `exchange.store.base.Store` for the methods."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._connection: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: str) -> "SqliteStore":
        store = cls(path)
        try:
            await store._run(store._open)
        except BaseException:
            store._worker.shutdown(wait=False)
            raise
        return store

    async def _run(self, function: Callable, *arguments):
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *arguments)

    def _open(self) -> None:
        Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA busy_timeout=5000")
        self._connection = connection
        self._migrate()

    def _migrate(self) -> None:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_ns INTEGER NOT NULL)"
            )
            current = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
            for version, statements in SQLITE_MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_version (version, applied_ns) VALUES (?, ?)", (version, time.time_ns())
                )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    async def write_batch(self, batch: Batch) -> None:
        await self._run(self._write_batch, batch)

    def _write_batch(self, batch: Batch) -> None:
        connection = self._connection
        entries, postings = entry_rows(batch.entries, _money)
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany(INSERT_JOURNAL, [astuple(record) for record in batch.journal])
            connection.executemany(INSERT_ENTRY, entries)
            connection.executemany(INSERT_POSTING, postings)
            connection.executemany(INSERT_TRADE, [trade_row(trade, _money) for trade in batch.trades])
            connection.executemany(UPSERT_ORDER, [astuple(order) for order in batch.orders])
            connection.executemany(INSERT_AUDIT, [astuple(record) for record in batch.audit])
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK")
            raise StoreConflictError(str(error)) from error
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    async def _fetch(self, sql: str, parameters: tuple) -> list[tuple]:
        return await self._run(self._fetch_all, sql, parameters)

    def _fetch_all(self, sql: str, parameters: tuple) -> list[tuple]:
        return self._connection.execute(sql, parameters).fetchall()

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        await self._run(self._save_snapshot, sequence, state_hash, data)

    def _save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        sql = "INSERT INTO snapshots (sequence, state_hash, data) VALUES (?, ?, ?)"
        try:
            self._connection.execute(sql, (sequence, state_hash, data))
        except sqlite3.IntegrityError as error:
            raise StoreConflictError(str(error)) from error

    async def close(self) -> None:
        if self._connection is not None:
            await self._run(self._connection.close)
            self._connection = None
        self._worker.shutdown(wait=True)

