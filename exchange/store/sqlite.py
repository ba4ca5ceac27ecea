"""SQLite adapter (stdlib sqlite3): the embedded default.

WAL with `synchronous=FULL`: a committed batch survives a power loss, not only a
process crash. Every blocking call runs on ONE dedicated worker thread that owns
the connection, so the event loop keeps accepting commands while a batch
commits, and SQLite never sees two threads.

A batch goes in as multi-row INSERTs (`VALUES (...), (...), ...`), not by
executemany: sqlite3 releases the GIL around every statement step and the
worker must win it back from the busy event-loop thread, so one step per row
(executemany) made the two threads convoy on the GIL. A chunk holds a power of
two of rows (at most _CHUNK_ROWS_MAX, within SQLite's variable limit): a
handful of steps per table, and a handful of statements per table that serve
every batch size from sqlite3's statement cache. Rows bind directly (no JSON
in between): SQLite's JSON functions cost 2-3x the CPU of binding, cannot
carry bytes and cut a string at a NUL (see benchmarks/results/ledger.md).
"""
import asyncio
import functools
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Callable

from msgspec.structs import astuple

from exchange.store.base import Batch, StoreConflictError
from exchange.store.migrations import SQLITE_MIGRATIONS
from exchange.store.reads import SqlReads
from exchange.store.rows import (
    AUDIT_COLUMNS,
    ENTRY_COLUMNS,
    JOURNAL_COLUMNS,
    ORDER_COLUMNS,
    POSTING_COLUMNS,
    TRADE_COLUMNS,
    UPSERT_ORDER_CONFLICT,
    entry_rows,
    orders_by_creation,
    trade_row,
)

_INT64_MAX = 2**63 - 1
_CHUNK_ROWS_MAX = 512  # Bounds the statement text; longer chunks save no measurable time.


def _money(amount_units: int) -> object:
    # SQLite integers are 64-bit; larger amounts go in as decimal text in the untyped column.
    return amount_units if -_INT64_MAX - 1 <= amount_units <= _INT64_MAX else str(amount_units)


@functools.lru_cache(maxsize=128)
def _multi_row_insert(table: str, columns: tuple[str, ...], rows: int, conflict: str) -> str:
    row = f"({', '.join('?' for _ in columns)})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)} {conflict}"


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
        # Checkpoint every ~40 MB of WAL, not SQLite's 4 MB: an order row updated again and again is
        # copied into the database once per checkpoint, and the writer commits ~11 % faster.
        connection.execute("PRAGMA wal_autocheckpoint=10000")
        connection.execute("PRAGMA busy_timeout=5000")
        self._connection = connection
        self._variables_max = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
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
        created, earlier = orders_by_creation(batch)
        connection.execute("BEGIN IMMEDIATE")
        try:
            self._insert("journal", JOURNAL_COLUMNS, list(map(astuple, batch.journal)))
            self._insert("entries", ENTRY_COLUMNS, entries)
            self._insert("postings", POSTING_COLUMNS, postings)
            self._insert("trades", TRADE_COLUMNS, [trade_row(trade, _money) for trade in batch.trades])
            self._insert("orders", ORDER_COLUMNS, list(map(astuple, created)))
            self._insert("orders", ORDER_COLUMNS, list(map(astuple, earlier)), UPSERT_ORDER_CONFLICT)
            self._insert("audit", AUDIT_COLUMNS, list(map(astuple, batch.audit)))
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK")
            raise StoreConflictError(str(error)) from error
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple], conflict: str = "") -> None:
        """INSERT `rows` in order, a power of two of them per statement."""
        values = list(chain.from_iterable(rows))
        width = len(columns)
        chunk = min(_CHUNK_ROWS_MAX, self._variables_max // width)
        chunk = 1 << (chunk.bit_length() - 1)
        start = 0
        while start < len(rows):
            while chunk > len(rows) - start:  # The largest power of two that fits what is left.
                chunk //= 2
            sql = _multi_row_insert(table, columns, chunk, conflict)
            self._connection.execute(sql, values[start * width:(start + chunk) * width])
            start += chunk

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

