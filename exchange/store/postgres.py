"""PostgreSQL adapter (asyncpg): the production store.

A small connection pool: the sequencer's batch writes and the API's reads do
not queue behind each other. A batch is ONE statement, so one round trip and
one implicit transaction: each table's rows travel as one JSON document that
msgspec encodes in C straight from the records (no Python loop per row, which
on the event-loop thread is time the sequencer cannot apply commands), and
the server expands it with json_to_recordset inside data-modifying CTEs.
JSON numbers reach NUMERIC columns exactly (no float), nested arrays keep
their text as msgspec wrote it (approvers, parties), bytes travel as base64.
A URL query parameter such as `?search_path=schema` is passed to the server as
a setting.
"""
import functools
import itertools
import re

import asyncpg
import msgspec

from exchange.store.base import Batch, StoreConflictError
from exchange.store.migrations import POSTGRES_MIGRATIONS
from exchange.store.reads import SqlReads
from exchange.store.rows import ORDER_COLUMNS, ORDER_MUTABLE_COLUMNS, UPSERT_ORDER_CONFLICT, check_postings

_MIGRATION_LOCK_KEY = 0x4B4152414B554D  # Any constant: serialises concurrent migrators of one database.
_encode = msgspec.json.Encoder().encode


def _records(parameter: int, columns: str) -> str:
    """The JSON array of objects in $parameter (bytes, UTF-8) as rows, numbered from 1 in `ord`."""
    names = ", ".join(column.split()[0] for column in columns.split(", "))
    return (f"ROWS FROM (json_to_recordset(convert_from(${parameter}::bytea, 'UTF8')::json) AS ({columns})) "
            f"WITH ORDINALITY AS r({names}, ord)")


_ORDER_TYPES = (
    "order_id bigint, account_id bigint, instrument_id bigint, client_order_id text, side text, order_type text, "
    "time_in_force text, price_ticks bigint, stop_price_ticks bigint, quantity_lots bigint, filled_lots bigint, "
    "status text, created_sequence bigint, updated_sequence bigint, created_ns bigint, updated_ns bigint"
)
# An order written twice in one batch is one row (ON CONFLICT may not touch a row twice per statement):
# its last write's mutable columns, the rest from its first write, as consecutive upserts would leave it.
_FIRST_OR_LAST = ", ".join(
    f"r.{column}" if column in ORDER_MUTABLE_COLUMNS or column == "order_id"
    else f"first_value(r.{column}) OVER (PARTITION BY r.order_id ORDER BY r.ord)"
    for column in ORDER_COLUMNS
)
# Appended in array order (ORDER BY ord): entry_number and audit_number follow the batch, as readers expect.
_WRITE_BATCH = f"""
WITH journal_rows AS (
    INSERT INTO journal (sequence, timestamp_ns, command)
    SELECT r.sequence, r.timestamp_ns, decode(r.command, 'base64')
    FROM {_records(1, "sequence bigint, timestamp_ns bigint, command text")} ORDER BY r.ord
), entry_rows AS (
    SELECT * FROM {_records(2, "entry_id text, kind text, cause text, sequence bigint, postings json, "
                               "reason text, approvers text, parties text")}
), entries_written AS (
    INSERT INTO entries (entry_id, sequence, kind, cause, reason, approvers, parties)
    SELECT r.entry_id, r.sequence, r.kind, r.cause, r.reason, r.approvers, r.parties FROM entry_rows AS r ORDER BY r.ord
), postings_written AS (
    INSERT INTO postings (entry_id, posting_index, debit_account, credit_account, asset, amount_units)
    SELECT e.entry_id, p.ord - 1, p.debit_account, p.credit_account, p.asset, p.amount_units
    FROM entry_rows AS e, ROWS FROM (json_to_recordset(e.postings) AS (
        debit_account text, credit_account text, asset text, amount_units numeric)) WITH ORDINALITY
        AS p(debit_account, credit_account, asset, amount_units, ord)
), trades_written AS (
    INSERT INTO trades (trade_id, sequence, timestamp_ns, instrument_id, price_ticks, quantity_lots, taker_side,
        maker_order_id, taker_order_id, maker_account_id, taker_account_id, maker_fee_units, taker_fee_units)
    SELECT r.trade_id, r.sequence, r.timestamp_ns, r.instrument_id, r.price_ticks, r.quantity_lots, r.taker_side,
        r.maker_order_id, r.taker_order_id, r.maker_account_id, r.taker_account_id, r.maker_fee_units,
        r.taker_fee_units
    FROM {_records(3, "trade_id bigint, sequence bigint, timestamp_ns bigint, instrument_id bigint, "
                      "price_ticks bigint, quantity_lots bigint, taker_side text, maker_order_id bigint, "
                      "taker_order_id bigint, maker_account_id bigint, taker_account_id bigint, "
                      "maker_fee_units numeric, taker_fee_units numeric")} ORDER BY r.ord
), audit_written AS (
    INSERT INTO audit (sequence, timestamp_ns, actor, action, target, reason, payload, previous_hash, hash)
    SELECT r.sequence, r.timestamp_ns, r.actor, r.action, r.target, r.reason, decode(r.payload, 'base64'),
        r.previous_hash, r.hash
    FROM {_records(5, "sequence bigint, timestamp_ns bigint, actor text, action text, target text, reason text, "
                      "payload text, previous_hash text, hash text")} ORDER BY r.ord
)
INSERT INTO orders ({", ".join(ORDER_COLUMNS)})
SELECT DISTINCT ON (r.order_id) {_FIRST_OR_LAST}
FROM {_records(4, _ORDER_TYPES)} ORDER BY r.order_id, r.ord DESC
{UPSERT_ORDER_CONFLICT}
"""


@functools.lru_cache(maxsize=64)
def _numbered(sql: str) -> str:
    """`?` placeholders (shared SQL, which has no literal "?") -> asyncpg's $1, $2, ..."""
    counter = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class PostgresStore(SqlReads):
    """Open with `await PostgresStore.open(url)`; see `exchange.store.base.Store` for the methods."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str, connections_max: int = 4) -> "PostgresStore":
        pool = await asyncpg.create_pool(url, min_size=1, max_size=connections_max)
        store = cls(pool)
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
        check_postings(batch.entries)
        try:
            await self._pool.execute(
                _WRITE_BATCH, _encode(batch.journal), _encode(batch.entries), _encode(batch.trades),
                _encode(batch.orders), _encode(batch.audit),
            )
        except asyncpg.UniqueViolationError as error:
            raise StoreConflictError(str(error)) from error

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
