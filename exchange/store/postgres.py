"""PostgreSQL adapter (asyncpg): the production store.

A small connection pool: the sequencer's batch writes and the API's reads do
not queue behind each other. A batch is one transaction; its append-only rows
go in by COPY or by pipelined executemany. The default, `write_method="auto"`,
uses COPY for a table with at least COPY_ROWS_MIN rows in the batch (COPY is
1.5-3x faster at 1,000 entries per commit) and executemany below (COPY's extra
protocol steps cost more than they save on a handful of rows); see
benchmarks/results/ledger.md. Orders the batch created go in the same way
(rows.orders_by_creation); the orders it changed are upserted by ONE statement:
msgspec encodes them to JSON in C straight from the records (no Python loop per
row on the event-loop thread) and the server expands them with
json_to_recordset. (Every table that way, in one statement, cut the client's
CPU per batch by two thirds but cost the server more than it saved: measured
slower end to end, see benchmarks/results/ledger.md.) Such an update leaves the
indexed columns alone, so with room on the page (the orders table's
fillfactor, migration 4) PostgreSQL updates the row in place without new index
entries (a HOT update). Money columns read and write as int through
pg_numeric on every pooled connection. A URL query parameter such as
`?search_path=schema` is passed to the server as a setting.
"""
import functools
import itertools
import re

import asyncpg
import msgspec
from msgspec.structs import astuple

from exchange.store import pg_numeric
from exchange.store.base import Batch, StoreConflictError
from exchange.store.migrations import POSTGRES_MIGRATIONS
from exchange.store.reads import SqlReads
from exchange.store.rows import (
    AUDIT_COLUMNS,
    ENTRY_COLUMNS,
    INSERT_AUDIT,
    INSERT_ENTRY,
    INSERT_JOURNAL,
    INSERT_ORDER,
    INSERT_POSTING,
    INSERT_TRADE,
    JOURNAL_COLUMNS,
    ORDER_COLUMNS,
    POSTING_COLUMNS,
    TRADE_COLUMNS,
    UPSERT_ORDER_CONFLICT,
    entry_rows,
    orders_by_creation,
    trade_row,
)

WRITE_METHODS = ("auto", "copy", "executemany")
COPY_ROWS_MIN = 32
_MIGRATION_LOCK_KEY = 0x4B4152414B554D  # Any constant: serialises concurrent migrators of one database.

_ORDER_TYPES = (
    "order_id bigint, account_id bigint, instrument_id bigint, client_order_id text, side text, order_type text, "
    "time_in_force text, price_ticks bigint, stop_price_ticks bigint, quantity_lots bigint, filled_lots bigint, "
    "status text, created_sequence bigint, updated_sequence bigint, created_ns bigint, updated_ns bigint, "
    "post_only boolean, stp_mode text"
)
_UPSERT_ORDERS = f"""
INSERT INTO orders ({", ".join(ORDER_COLUMNS)})
SELECT * FROM json_to_recordset(convert_from($1::bytea, 'UTF8')::json) AS ({_ORDER_TYPES})
{UPSERT_ORDER_CONFLICT}
"""
_encode = msgspec.json.Encoder().encode


@functools.lru_cache(maxsize=64)
def _numbered(sql: str) -> str:
    """`?` placeholders (shared SQL, which has no literal "?") -> asyncpg's $1, $2, ..."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


def _identity(amount_units: int) -> int:
    return amount_units


class PostgresStore(SqlReads):
    """Open with `await PostgresStore.open(url)`; see `exchange.store.base.Store` for the methods."""

    def __init__(self, pool: asyncpg.Pool, write_method: str) -> None:
        if write_method not in WRITE_METHODS:
            raise ValueError(f"write_method must be one of {WRITE_METHODS}")
        self._pool = pool
        self._write_method = write_method

    @classmethod
    async def open(cls, url: str, write_method: str = "auto", connections_max: int = 4) -> "PostgresStore":
        pool = await asyncpg.create_pool(url, min_size=1, max_size=connections_max, init=pg_numeric.use_for)
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
        created, earlier = orders_by_creation(batch)
        tables = (
            ("journal", JOURNAL_COLUMNS, INSERT_JOURNAL, [astuple(record) for record in batch.journal]),
            ("entries", ENTRY_COLUMNS, INSERT_ENTRY, entries),
            ("postings", POSTING_COLUMNS, INSERT_POSTING, postings),
            ("trades", TRADE_COLUMNS, INSERT_TRADE, [trade_row(trade, _identity) for trade in batch.trades]),
            ("audit", AUDIT_COLUMNS, INSERT_AUDIT, [astuple(record) for record in batch.audit]),
            ("orders", ORDER_COLUMNS, INSERT_ORDER, [astuple(record) for record in created]),
        )
        try:
            async with self._pool.acquire() as connection, connection.transaction():
                for table, columns, insert_sql, rows in tables:
                    if not rows:
                        continue
                    if self._uses_copy(len(rows)):
                        await connection.copy_records_to_table(table, records=rows, columns=columns)
                    else:
                        await connection.executemany(_numbered(insert_sql), rows)
                if earlier:
                    await connection.execute(_UPSERT_ORDERS, _encode(earlier))
        except asyncpg.UniqueViolationError as error:
            raise StoreConflictError(str(error)) from error

    def _uses_copy(self, rows: int) -> bool:
        return self._write_method == "copy" or (self._write_method == "auto" and rows >= COPY_ROWS_MIN)

    async def _fetch(self, sql: str, parameters: tuple) -> list:
        return await self._pool.fetch(_numbered(sql), *parameters)

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        sql = "INSERT INTO snapshots (sequence, state_hash, data) VALUES ($1, $2, $3)"
        try:
            await self._pool.execute(sql, sequence, state_hash, data)
        except asyncpg.UniqueViolationError as error:
            raise StoreConflictError(str(error)) from error

    async def close(self) -> None:
        await self._pool.close()
