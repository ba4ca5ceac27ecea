"""The Store port: what the sequencer writes per batch and what readers get back.

One `write_batch(batch)` is one database transaction: all of it is durable, or
none of it (group commit). Journal sequences, entry ids, trade ids and audit
hashes are unique: a duplicate fails the whole batch with StoreConflictError.
Journal, entries, postings, trades and audit rows are append-only (triggers
refuse UPDATE and DELETE); order rows are upserted by `order_id`; snapshots
may be added and pruned.

Streams (`read_journal`, `read_entries`, `read_audit`) are async iterators of
single records, fetched from the database in chunks of `READ_CHUNK_ROWS`.
"""
from typing import AsyncIterator, Protocol

import msgspec

from ledger.entries import JournalEntry

READ_CHUNK_ROWS = 1000
# An order with one of these statuses left the book for good; `open_only` filters them out.
CLOSED_ORDER_STATUSES = ("FILLED", "CANCELED", "CANCELLED", "EXPIRED", "EXPIRED_IN_MATCH", "REJECTED")


class JournalRecord(msgspec.Struct, frozen=True, gc=False):
    # Not kw_only: the venue builds these positionally on its hot path (keyword matching costs ~1 us each).
    sequence: int
    timestamp_ns: int
    command: bytes  # The encoded command, exactly as the sequencer applied it.


class TradeRecord(msgspec.Struct, frozen=True, gc=False):
    # Not kw_only: the venue builds these positionally on its hot path (keyword matching costs ~1 us each).
    trade_id: int
    sequence: int
    timestamp_ns: int
    instrument_id: int
    price_ticks: int
    quantity_lots: int
    taker_side: str
    maker_order_id: int
    taker_order_id: int
    maker_account_id: int
    taker_account_id: int
    maker_fee_units: int
    taker_fee_units: int


class OrderRecord(msgspec.Struct, frozen=True, gc=False):
    # Not kw_only: the venue builds these positionally on its hot path (keyword matching costs ~1 us each).
    order_id: int
    account_id: int
    instrument_id: int
    client_order_id: str | None
    side: str
    order_type: str
    time_in_force: str
    price_ticks: int | None
    stop_price_ticks: int | None
    quantity_lots: int
    filled_lots: int
    status: str
    created_sequence: int
    updated_sequence: int
    created_ns: int
    updated_ns: int
    post_only: bool = False  # A maker-only order (Binance LIMIT_MAKER): shown as such when read back.
    stp_mode: str = "EXPIRE_TAKER"  # engine.commands.StpMode's value; the default is the engine's default.


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sequence: int
    timestamp_ns: int
    actor: str
    action: str
    target: str
    reason: str
    payload: bytes
    previous_hash: str
    hash: str


class SnapshotRecord(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sequence: int  # The last journal sequence the snapshot includes.
    state_hash: str
    data: bytes


class Batch(msgspec.Struct, kw_only=True):
    """Everything one group commit writes, in the order the sequencer produced it."""

    journal: list[JournalRecord] = []
    entries: list[JournalEntry] = []
    trades: list[TradeRecord] = []
    orders: list[OrderRecord] = []
    audit: list[AuditRecord] = []


class StoreError(Exception):
    """The store could not do what was asked; the batch, if any, was not written."""


class StoreConflictError(StoreError):
    """A unique key (sequence, entry id, trade id, audit hash) already exists: the whole batch was refused."""


class Store(Protocol):
    async def write_batch(self, batch: Batch) -> None:
        """Write the whole batch in one transaction; raise StoreConflictError on a duplicate key."""

    async def last_sequence(self) -> int:
        """The highest journal sequence written, 0 for an empty store."""

    def read_journal(self, after_sequence: int = 0) -> AsyncIterator[JournalRecord]:
        """Journal records with sequence > after_sequence, in order."""

    def read_entries(self, after_sequence: int = 0, until_sequence: int | None = None) -> AsyncIterator[JournalEntry]:
        """Ledger entries with after_sequence < sequence <= until_sequence, in the order written."""

    async def read_trades(
        self, account_id: int | None = None, instrument_id: int | None = None, after_trade_id: int = 0, limit: int = 500
    ) -> list[TradeRecord]:
        """Trades with trade_id > after_trade_id (either side is the account), oldest first."""

    async def read_orders(
        self, account_id: int, instrument_id: int | None = None, open_only: bool = False, limit: int = 500
    ) -> list[OrderRecord]:
        """The account's `limit` most recent orders, in ascending order_id."""

    async def read_order(self, order_id: int) -> OrderRecord | None: ...

    def read_audit(self, after_sequence: int = 0) -> AsyncIterator[AuditRecord]:
        """Audit records with sequence > after_sequence, in the order written."""

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None: ...

    async def load_snapshots(self) -> list[SnapshotRecord]:
        """All snapshots, newest (highest sequence) first."""

    async def close(self) -> None: ...
