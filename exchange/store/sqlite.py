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
from typing import AsyncIterator, Callable

from msgspec.structs import astuple

from exchange.store.base import (
    CLOSED_ORDER_STATUSES,
    READ_CHUNK_ROWS,
    AuditRecord,
    Batch,
    JournalRecord,
    OrderRecord,
    SnapshotRecord,
    StoreConflictError,
    TradeRecord,
)
from exchange.store.migrations import SQLITE_MIGRATIONS
from exchange.store.rows import (
    AUDIT_COLUMNS,
    ENTRY_READ_COLUMNS,
    ORDER_COLUMNS,
    ORDER_MUTABLE_COLUMNS,
    TRADE_COLUMNS,
    audit_record,
    entry_rows,
    group_entries,
    order_record,
    trade_record,
    trade_row,
)
from ledger.entries import JournalEntry

_INT64_MAX = 2**63 - 1


def _money(amount_units: int) -> object:
    # SQLite integers are 64-bit; larger amounts go in as decimal text in the untyped column.
    return amount_units if -_INT64_MAX - 1 <= amount_units <= _INT64_MAX else str(amount_units)


def _placeholders(columns) -> str:
    return ", ".join("?" for _ in columns)


_INSERT_JOURNAL = "INSERT INTO journal (sequence, timestamp_ns, command) VALUES (?, ?, ?)"
_INSERT_ENTRY = (
    "INSERT INTO entries (entry_id, sequence, kind, cause, reason, approvers, parties) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_POSTING = (
    "INSERT INTO postings (entry_id, posting_index, debit_account, credit_account, asset, amount_units) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_TRADE = f"INSERT INTO trades ({', '.join(TRADE_COLUMNS)}) VALUES ({_placeholders(TRADE_COLUMNS)})"
_UPSERT_ORDER = (
    f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({_placeholders(ORDER_COLUMNS)}) "
    f"ON CONFLICT (order_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in ORDER_MUTABLE_COLUMNS)}"
)
_INSERT_AUDIT = f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({_placeholders(AUDIT_COLUMNS)})"
_CLOSED = ", ".join(f"'{status}'" for status in CLOSED_ORDER_STATUSES)


class SqliteStore:
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
            connection.executemany(_INSERT_JOURNAL, [(r.sequence, r.timestamp_ns, r.command) for r in batch.journal])
            connection.executemany(_INSERT_ENTRY, entries)
            connection.executemany(_INSERT_POSTING, postings)
            connection.executemany(_INSERT_TRADE, [trade_row(trade, _money) for trade in batch.trades])
            connection.executemany(_UPSERT_ORDER, [astuple(order) for order in batch.orders])
            connection.executemany(_INSERT_AUDIT, [astuple(record) for record in batch.audit])
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK")
            raise StoreConflictError(str(error)) from error
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    async def last_sequence(self) -> int:
        return await self._run(self._fetch_value, "SELECT coalesce(max(sequence), 0) FROM journal", ())

    def _fetch_value(self, sql: str, parameters: tuple):
        return self._connection.execute(sql, parameters).fetchone()[0]

    def _fetch_all(self, sql: str, parameters: tuple) -> list[tuple]:
        return self._connection.execute(sql, parameters).fetchall()

    async def read_journal(self, after_sequence: int = 0) -> AsyncIterator[JournalRecord]:
        sql = "SELECT sequence, timestamp_ns, command FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?"
        while True:
            rows = await self._run(self._fetch_all, sql, (after_sequence, READ_CHUNK_ROWS))
            for sequence, timestamp_ns, command in rows:
                yield JournalRecord(sequence=sequence, timestamp_ns=timestamp_ns, command=bytes(command))
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_sequence = rows[-1][0]

    async def read_entries(
        self, after_sequence: int = 0, until_sequence: int | None = None
    ) -> AsyncIterator[JournalEntry]:
        until = _INT64_MAX if until_sequence is None else until_sequence
        sql = (
            f"SELECT {ENTRY_READ_COLUMNS} FROM (SELECT * FROM entries WHERE entry_number > ? AND sequence > ? "
            "AND sequence <= ? ORDER BY entry_number LIMIT ?) AS e JOIN postings AS p ON p.entry_id = e.entry_id "
            "ORDER BY e.entry_number, p.posting_index"
        )
        after_number = 0
        while True:
            rows = await self._run(self._fetch_all, sql, (after_number, after_sequence, until, READ_CHUNK_ROWS))
            entries, after_number = group_entries(rows)
            for entry in entries:
                yield entry
            if len(entries) < READ_CHUNK_ROWS:
                return

    async def read_trades(
        self, account_id: int | None = None, instrument_id: int | None = None, after_trade_id: int = 0, limit: int = 500
    ) -> list[TradeRecord]:
        sql = f"SELECT {', '.join(TRADE_COLUMNS)} FROM trades WHERE trade_id > ?"
        parameters: list = [after_trade_id]
        if account_id is not None:
            sql += " AND (maker_account_id = ? OR taker_account_id = ?)"
            parameters += [account_id, account_id]
        if instrument_id is not None:
            sql += " AND instrument_id = ?"
            parameters.append(instrument_id)
        rows = await self._run(self._fetch_all, sql + " ORDER BY trade_id LIMIT ?", (*parameters, limit))
        return [trade_record(row) for row in rows]

    async def read_orders(
        self, account_id: int, instrument_id: int | None = None, open_only: bool = False, limit: int = 500
    ) -> list[OrderRecord]:
        sql = f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE account_id = ?"
        parameters: list = [account_id]
        if instrument_id is not None:
            sql += " AND instrument_id = ?"
            parameters.append(instrument_id)
        if open_only:
            sql += f" AND upper(status) NOT IN ({_CLOSED})"
        rows = await self._run(self._fetch_all, sql + " ORDER BY order_id DESC LIMIT ?", (*parameters, limit))
        return [order_record(row) for row in reversed(rows)]

    async def read_order(self, order_id: int) -> OrderRecord | None:
        sql = f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE order_id = ?"
        rows = await self._run(self._fetch_all, sql, (order_id,))
        return order_record(rows[0]) if rows else None

    async def read_audit(self, after_sequence: int = 0) -> AsyncIterator[AuditRecord]:
        sql = (
            f"SELECT audit_number, {', '.join(AUDIT_COLUMNS)} FROM audit WHERE audit_number > ? AND sequence > ? "
            "ORDER BY audit_number LIMIT ?"
        )
        after_number = 0
        while True:
            rows = await self._run(self._fetch_all, sql, (after_number, after_sequence, READ_CHUNK_ROWS))
            for row in rows:
                yield audit_record(row[1:])
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_number = rows[-1][0]

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        await self._run(self._save_snapshot, sequence, state_hash, data)

    def _save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        sql = "INSERT INTO snapshots (sequence, state_hash, data) VALUES (?, ?, ?)"
        try:
            self._connection.execute(sql, (sequence, state_hash, data))
        except sqlite3.IntegrityError as error:
            raise StoreConflictError(str(error)) from error

    async def load_snapshots(self) -> list[SnapshotRecord]:
        sql = "SELECT sequence, state_hash, data FROM snapshots ORDER BY sequence DESC"
        rows = await self._run(self._fetch_all, sql, ())
        return [SnapshotRecord(sequence=row[0], state_hash=row[1], data=bytes(row[2])) for row in rows]

    async def close(self) -> None:
        if self._connection is not None:
            await self._run(self._connection.close)
            self._connection = None
        self._worker.shutdown(wait=True)

