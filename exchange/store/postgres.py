"""PostgreSQL adapter (asyncpg): the production store.

A small connection pool: the sequencer's batch writes and the API's reads do
not queue behind each other. A batch is one transaction; its append-only rows
go in by COPY or by pipelined executemany. The default, `write_method="auto"`,
uses COPY for a table with at least COPY_ROWS_MIN rows in the batch (COPY is
several times faster at 1,000 entries per commit) and executemany below (COPY's
extra protocol steps cost more than they save on a handful of rows); see
benchmarks/results/ledger.md. Order rows are always upserted with INSERT ... ON CONFLICT. A URL query parameter
such as `?search_path=schema` is passed to the server as a setting.
"""
from typing import AsyncIterator

import asyncpg
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
from exchange.store.migrations import POSTGRES_MIGRATIONS
from exchange.store.rows import (
    AUDIT_COLUMNS,
    ENTRY_COLUMNS,
    ENTRY_READ_COLUMNS,
    JOURNAL_COLUMNS,
    ORDER_COLUMNS,
    ORDER_MUTABLE_COLUMNS,
    POSTING_COLUMNS,
    TRADE_COLUMNS,
    audit_record,
    entry_rows,
    group_entries,
    order_record,
    trade_record,
    trade_row,
)
from ledger.entries import JournalEntry

WRITE_METHODS = ("auto", "copy", "executemany")
COPY_ROWS_MIN = 32
_BIGINT_MAX = 2**63 - 1
_MIGRATION_LOCK_KEY = 0x4B4152414B554D  # Any constant: serialises concurrent migrators of one database.
_CLOSED = ", ".join(f"'{status}'" for status in CLOSED_ORDER_STATUSES)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(columns)))})"


def _identity(amount_units: int) -> int:
    return amount_units


_UPSERT_ORDER = _insert_sql("orders", ORDER_COLUMNS) + (
    f" ON CONFLICT (order_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in ORDER_MUTABLE_COLUMNS)}"
)


class PostgresStore:
    """Open with `await PostgresStore.open(url)`; see `exchange.store.base.Store` for the methods."""

    def __init__(self, pool: asyncpg.Pool, write_method: str) -> None:
        if write_method not in WRITE_METHODS:
            raise ValueError(f"write_method must be one of {WRITE_METHODS}")
        self._pool = pool
        self._write_method = write_method

    @classmethod
    async def open(cls, url: str, write_method: str = "auto", connections_max: int = 4) -> "PostgresStore":
        pool = await asyncpg.create_pool(url, min_size=1, max_size=connections_max)
        store = cls(pool, write_method)
        try:
            await store._migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    async def _migrate(self) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK_KEY)
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
            )
            current = await connection.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
            for version, statements in POSTGRES_MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    await connection.execute(statement)
                await connection.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, now())", version)

    async def write_batch(self, batch: Batch) -> None:
        entries, postings = entry_rows(batch.entries, _identity)
        tables = (
            ("journal", JOURNAL_COLUMNS, [astuple(record) for record in batch.journal]),
            ("entries", ENTRY_COLUMNS, entries),
            ("postings", POSTING_COLUMNS, postings),
            ("trades", TRADE_COLUMNS, [trade_row(trade, _identity) for trade in batch.trades]),
            ("audit", AUDIT_COLUMNS, [astuple(record) for record in batch.audit]),
        )
        try:
            async with self._pool.acquire() as connection, connection.transaction():
                for table, columns, rows in tables:
                    if not rows:
                        continue
                    if self._uses_copy(len(rows)):
                        await connection.copy_records_to_table(table, records=rows, columns=columns)
                    else:
                        await connection.executemany(_insert_sql(table, columns), rows)
                if batch.orders:
                    await connection.executemany(_UPSERT_ORDER, [astuple(order) for order in batch.orders])
        except asyncpg.UniqueViolationError as error:
            raise StoreConflictError(str(error)) from error

    def _uses_copy(self, rows: int) -> bool:
        return self._write_method == "copy" or (self._write_method == "auto" and rows >= COPY_ROWS_MIN)

    async def last_sequence(self) -> int:
        return await self._pool.fetchval("SELECT coalesce(max(sequence), 0) FROM journal")

    async def read_journal(self, after_sequence: int = 0) -> AsyncIterator[JournalRecord]:
        sql = "SELECT sequence, timestamp_ns, command FROM journal WHERE sequence > $1 ORDER BY sequence LIMIT $2"
        while True:
            rows = await self._pool.fetch(sql, after_sequence, READ_CHUNK_ROWS)
            for sequence, timestamp_ns, command in rows:
                yield JournalRecord(sequence=sequence, timestamp_ns=timestamp_ns, command=bytes(command))
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_sequence = rows[-1][0]

    async def read_entries(
        self, after_sequence: int = 0, until_sequence: int | None = None
    ) -> AsyncIterator[JournalEntry]:
        until = _BIGINT_MAX if until_sequence is None else until_sequence
        sql = (
            f"SELECT {ENTRY_READ_COLUMNS} FROM (SELECT * FROM entries WHERE entry_number > $1 AND sequence > $2 "
            "AND sequence <= $3 ORDER BY entry_number LIMIT $4) AS e JOIN postings AS p ON p.entry_id = e.entry_id "
            "ORDER BY e.entry_number, p.posting_index"
        )
        after_number = 0
        while True:
            rows = await self._pool.fetch(sql, after_number, after_sequence, until, READ_CHUNK_ROWS)
            entries, after_number = group_entries(tuple(row) for row in rows)
            for entry in entries:
                yield entry
            if len(entries) < READ_CHUNK_ROWS:
                return

    async def read_trades(
        self, account_id: int | None = None, instrument_id: int | None = None, after_trade_id: int = 0, limit: int = 500
    ) -> list[TradeRecord]:
        conditions, parameters = ["trade_id > $1"], [after_trade_id]
        if account_id is not None:
            parameters.append(account_id)
            conditions.append(f"(maker_account_id = ${len(parameters)} OR taker_account_id = ${len(parameters)})")
        if instrument_id is not None:
            parameters.append(instrument_id)
            conditions.append(f"instrument_id = ${len(parameters)}")
        parameters.append(limit)
        sql = (
            f"SELECT {', '.join(TRADE_COLUMNS)} FROM trades WHERE {' AND '.join(conditions)} "
            f"ORDER BY trade_id LIMIT ${len(parameters)}"
        )
        return [trade_record(row) for row in await self._pool.fetch(sql, *parameters)]

    async def read_orders(
        self, account_id: int, instrument_id: int | None = None, open_only: bool = False, limit: int = 500
    ) -> list[OrderRecord]:
        conditions, parameters = ["account_id = $1"], [account_id]
        if instrument_id is not None:
            parameters.append(instrument_id)
            conditions.append(f"instrument_id = ${len(parameters)}")
        if open_only:
            conditions.append(f"upper(status) NOT IN ({_CLOSED})")
        parameters.append(limit)
        sql = (
            f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE {' AND '.join(conditions)} "
            f"ORDER BY order_id DESC LIMIT ${len(parameters)}"
        )
        rows = await self._pool.fetch(sql, *parameters)
        return [order_record(row) for row in reversed(rows)]

    async def read_order(self, order_id: int) -> OrderRecord | None:
        row = await self._pool.fetchrow(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE order_id = $1", order_id)
        return None if row is None else order_record(row)

    async def read_audit(self, after_sequence: int = 0) -> AsyncIterator[AuditRecord]:
        sql = (
            f"SELECT audit_number, {', '.join(AUDIT_COLUMNS)} FROM audit WHERE audit_number > $1 AND sequence > $2 "
            "ORDER BY audit_number LIMIT $3"
        )
        after_number = 0
        while True:
            rows = await self._pool.fetch(sql, after_number, after_sequence, READ_CHUNK_ROWS)
            for row in rows:
                yield audit_record(tuple(row)[1:])
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_number = rows[-1][0]

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        sql = "INSERT INTO snapshots (sequence, state_hash, data) VALUES ($1, $2, $3)"
        try:
            await self._pool.execute(sql, sequence, state_hash, data)
        except asyncpg.UniqueViolationError as error:
            raise StoreConflictError(str(error)) from error

    async def load_snapshots(self) -> list[SnapshotRecord]:
        rows = await self._pool.fetch("SELECT sequence, state_hash, data FROM snapshots ORDER BY sequence DESC")
        return [SnapshotRecord(sequence=row[0], state_hash=row[1], data=bytes(row[2])) for row in rows]

    async def close(self) -> None:
        await self._pool.close()
