"""The read side of the Store, written once for both adapters so they answer exactly alike.

SQL here uses `?` placeholders; an adapter supplies `_fetch(sql, parameters)`
and rewrites the placeholders if its driver wants others (PostgreSQL: $1, $2...).
Streams page by key (sequence, entry_number, audit_number), never by OFFSET.
"""
from typing import AsyncIterator, Awaitable, Callable

from exchange.store.base import (
    CLOSED_ORDER_STATUSES,
    READ_CHUNK_ROWS,
    AuditRecord,
    JournalRecord,
    OrderRecord,
    SnapshotRecord,
    TradeRecord,
)
from exchange.store.rows import (
    AUDIT_COLUMNS,
    ENTRY_READ_COLUMNS,
    ORDER_COLUMNS,
    TRADE_COLUMNS,
    audit_record,
    group_entries,
    order_record,
    trade_record,
)
from ledger.entries import JournalEntry

SEQUENCE_MAX = 2**63 - 1  # Both databases store sequences as signed 64-bit integers.
_CLOSED = ", ".join(f"'{status}'" for status in CLOSED_ORDER_STATUSES)
_JOURNAL_PAGE = "SELECT sequence, timestamp_ns, command FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?"
_ENTRIES_PAGE = (
    f"SELECT {ENTRY_READ_COLUMNS} FROM (SELECT * FROM entries WHERE entry_number > ? AND sequence > ? "
    "AND sequence <= ? ORDER BY entry_number LIMIT ?) AS e JOIN postings AS p ON p.entry_id = e.entry_id "
    "ORDER BY e.entry_number, p.posting_index"
)
_AUDIT_PAGE = (
    f"SELECT audit_number, {', '.join(AUDIT_COLUMNS)} FROM audit WHERE audit_number > ? AND sequence > ? "
    "ORDER BY audit_number LIMIT ?"
)


class SqlReads:
    """Mixin: every Store read, given the adapter's `_fetch(sql, parameters) -> rows` (rows index like tuples)."""

    _fetch: Callable[[str, tuple], Awaitable[list]]

    async def last_sequence(self) -> int:
        rows = await self._fetch("SELECT coalesce(max(sequence), 0) FROM journal", ())
        return rows[0][0]

    async def read_journal(self, after_sequence: int = 0) -> AsyncIterator[JournalRecord]:
        while True:
            rows = await self._fetch(_JOURNAL_PAGE, (after_sequence, READ_CHUNK_ROWS))
            for sequence, timestamp_ns, command in rows:
                yield JournalRecord(sequence=sequence, timestamp_ns=timestamp_ns, command=bytes(command))
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_sequence = rows[-1][0]

    async def read_entries(
        self, after_sequence: int = 0, until_sequence: int | None = None
    ) -> AsyncIterator[JournalEntry]:
        until = SEQUENCE_MAX if until_sequence is None else until_sequence
        after_number = 0
        while True:
            rows = await self._fetch(_ENTRIES_PAGE, (after_number, after_sequence, until, READ_CHUNK_ROWS))
            entries, after_number = group_entries(rows)
            for entry in entries:
                yield entry
            if len(entries) < READ_CHUNK_ROWS:  # Every stored entry has postings, so none hides from the join.
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
        rows = await self._fetch(sql + " ORDER BY trade_id LIMIT ?", (*parameters, limit))
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
        rows = await self._fetch(sql + " ORDER BY order_id DESC LIMIT ?", (*parameters, limit))
        return [order_record(row) for row in reversed(rows)]

    async def read_order(self, order_id: int) -> OrderRecord | None:
        rows = await self._fetch(f"SELECT {', '.join(ORDER_COLUMNS)} FROM orders WHERE order_id = ?", (order_id,))
        return order_record(rows[0]) if rows else None

    async def read_audit(self, after_sequence: int = 0) -> AsyncIterator[AuditRecord]:
        after_number = 0
        while True:
            rows = await self._fetch(_AUDIT_PAGE, (after_number, after_sequence, READ_CHUNK_ROWS))
            for row in rows:
                yield audit_record(tuple(row)[1:])
            if len(rows) < READ_CHUNK_ROWS:
                return
            after_number = rows[-1][0]

    async def load_snapshots(self) -> list[SnapshotRecord]:
        rows = await self._fetch("SELECT sequence, state_hash, data FROM snapshots ORDER BY sequence DESC", ())
        return [SnapshotRecord(sequence=row[0], state_hash=row[1], data=bytes(row[2])) for row in rows]
