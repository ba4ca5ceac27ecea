"""Records <-> database rows, shared by both adapters so they store exactly the same thing."""
from operator import attrgetter
from typing import Callable, Iterable

import msgspec

from exchange.store.base import AuditRecord, Batch, OrderRecord, TradeRecord
from ledger.entries import EntryKind, JournalEntry, Posting

JOURNAL_COLUMNS = ("sequence", "timestamp_ns", "command")
ENTRY_COLUMNS = ("entry_id", "sequence", "kind", "cause", "reason", "approvers", "parties")
POSTING_COLUMNS = ("entry_id", "posting_index", "debit_account", "credit_account", "asset", "amount_units")
TRADE_COLUMNS = tuple(TradeRecord.__struct_fields__)
ORDER_COLUMNS = tuple(OrderRecord.__struct_fields__)
AUDIT_COLUMNS = tuple(AuditRecord.__struct_fields__)
# Order columns an upsert may change; the created_* columns keep the first write.
ORDER_MUTABLE_COLUMNS = (
    "price_ticks", "stop_price_ticks", "quantity_lots", "filled_lots", "status", "updated_sequence", "updated_ns"
)

# SQLite and PostgreSQL both spell an upsert so; the created_* columns keep the first write.
UPSERT_ORDER_CONFLICT = (
    f"ON CONFLICT (order_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in ORDER_MUTABLE_COLUMNS)}"
)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


# The PostgreSQL adapter's executemany path, with `?` placeholders (it numbers them).
INSERT_JOURNAL = _insert("journal", JOURNAL_COLUMNS)
INSERT_ENTRY = _insert("entries", ENTRY_COLUMNS)
INSERT_POSTING = _insert("postings", POSTING_COLUMNS)
INSERT_TRADE = _insert("trades", TRADE_COLUMNS)
INSERT_AUDIT = _insert("audit", AUDIT_COLUMNS)
INSERT_ORDER = _insert("orders", ORDER_COLUMNS)
# Entry columns joined with posting columns, as `read_entries` selects them.
ENTRY_READ_COLUMNS = (
    "e.entry_number, e.entry_id, e.sequence, e.kind, e.cause, e.reason, e.approvers, e.parties, "
    "p.debit_account, p.credit_account, p.asset, p.amount_units"
)

_EMPTY_LIST_JSON = "[]"
_encode_json = msgspec.json.Encoder().encode
_decode_strings = msgspec.json.Decoder(tuple[str, ...]).decode
_postings = attrgetter("postings")


def _strings_json(values: tuple[str, ...]) -> str:
    return _encode_json(values).decode() if values else _EMPTY_LIST_JSON


def check_postings(entries: list[JournalEntry]) -> None:
    """Refuse, before any transaction, an entry without postings: only applied entries are stored."""
    if not all(map(_postings, entries)):
        empty = next(entry for entry in entries if not entry.postings)
        raise ValueError(f"entry {empty.entry_id} has no postings: only applied entries are stored")


def entry_rows(entries: list[JournalEntry], money: Callable[[int], object]) -> tuple[list[tuple], list[tuple]]:
    """(entry rows, posting rows); `money` adapts an amount to the database's integer column."""
    check_postings(entries)
    entries_out: list[tuple] = []
    postings_out: list[tuple] = []
    for entry in entries:
        entry_id = entry.entry_id
        entries_out.append(
            (entry_id, entry.sequence, str(entry.kind), entry.cause, entry.reason,
             _strings_json(entry.approvers), _strings_json(entry.parties))
        )
        for index, posting in enumerate(entry.postings):
            postings_out.append(
                (entry_id, index, posting.debit_account, posting.credit_account, posting.asset,
                 money(posting.amount_units))
            )
    return entries_out, postings_out


def group_entries(rows: Iterable[tuple]) -> tuple[list[JournalEntry], int]:
    """Rows of ENTRY_READ_COLUMNS (ordered by entry, then posting) -> entries, last entry_number seen."""
    entries: list[JournalEntry] = []
    current: tuple | None = None
    postings: list[Posting] = []
    last_number = 0
    for row in rows:
        if current is None or row[0] != current[0]:
            if current is not None:
                entries.append(_entry(current, postings))
            current, postings, last_number = row, [], row[0]
        postings.append(Posting(row[8], row[9], row[10], int(row[11])))
    if current is not None:
        entries.append(_entry(current, postings))
    return entries, last_number


def _entry(row: tuple, postings: list[Posting]) -> JournalEntry:
    return JournalEntry(
        entry_id=row[1],
        kind=EntryKind(row[3]),
        cause=row[4],
        sequence=row[2],
        postings=tuple(postings),
        reason=row[5],
        approvers=_decode_strings(row[6]),
        parties=_decode_strings(row[7]),
    )


def orders_by_creation(batch: Batch) -> tuple[list[OrderRecord], list[OrderRecord]]:
    """The batch's orders, one row each: (those its own commands created, those created before it).

    An order placed and cancelled or filled within one batch has several records (a fifth of the
    shared flow's order rows); it is written once, as consecutive upserts would leave it: the
    mutable columns of its last record, the rest of its first. Orders the batch created cannot be
    stored yet, so they go in by plain INSERT, which costs the database less than an upsert (a
    stored one is a conflict, as its journal row would be); the others are upserted. A batch
    without journal rows (tests, tools) upserts everything.
    """
    orders = batch.orders
    latest = {record.order_id: record for record in orders}
    if len(latest) < len(orders):
        earliest = {record.order_id: record for record in reversed(orders)}
        for order_id, record in latest.items():
            first = earliest[order_id]
            if first is not record:
                latest[order_id] = msgspec.structs.replace(
                    first, **{column: getattr(record, column) for column in ORDER_MUTABLE_COLUMNS})
    if not batch.journal:
        return [], list(latest.values())
    first_sequence = batch.journal[0].sequence
    created, earlier = [], []
    for record in latest.values():
        (created if record.created_sequence >= first_sequence else earlier).append(record)
    return created, earlier


def trade_row(trade: TradeRecord, money: Callable[[int], object]) -> tuple:
    row = msgspec.structs.astuple(trade)
    return row[:-2] + (money(trade.maker_fee_units), money(trade.taker_fee_units))


def trade_record(row) -> TradeRecord:
    values = tuple(row)
    return TradeRecord(**dict(zip(TRADE_COLUMNS[:-2], values[:-2])), maker_fee_units=int(values[-2]),
                       taker_fee_units=int(values[-1]))


def order_record(row) -> OrderRecord:
    fields = dict(zip(ORDER_COLUMNS, tuple(row)))
    fields["post_only"] = bool(fields["post_only"])  # SQLite keeps 0 / 1.
    return OrderRecord(**fields)


def audit_record(row) -> AuditRecord:
    values = dict(zip(AUDIT_COLUMNS, tuple(row)))
    values["payload"] = bytes(values["payload"])
    return AuditRecord(**values)
