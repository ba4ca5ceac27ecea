"""What applying one command gives back: the answer for the client and what to store.

`Refused.code` is a stable name shared by every layer (engine RejectCode names,
ledger codes, compliance and access codes, and the venue's own below), so the
API maps one string to an HTTP status and a Binance error code.
"""
from collections.abc import Sequence

import msgspec

from exchange.store.base import AuditRecord, JournalRecord, OrderRecord, TradeRecord


class VenueCode:
    """Refusal codes the venue itself owns (the other layers bring their own names)."""

    ASSET_UNKNOWN = "ASSET_UNKNOWN"
    ASSET_EXISTS = "ASSET_EXISTS"
    ASSET_INVALID = "ASSET_INVALID"
    INSTRUMENT_INVALID = "INSTRUMENT_INVALID"
    INSTRUMENT_UNKNOWN = "INSTRUMENT_UNKNOWN"
    FEE_INVALID = "FEE_INVALID"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    AMOUNT_MUST_BE_POSITIVE = "AMOUNT_MUST_BE_POSITIVE"
    ADDRESS_UNKNOWN = "ADDRESS_UNKNOWN"
    CORRECTION_INVALID = "CORRECTION_INVALID"
    CORRECTION_UNKNOWN = "CORRECTION_UNKNOWN"
    CORRECTION_NOT_PENDING = "CORRECTION_NOT_PENDING"
    CORRECTION_SAME_APPROVER = "CORRECTION_SAME_APPROVER"
    DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS = "DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS"


class Refused(msgspec.Struct, frozen=True, kw_only=True, tag="refused"):
    code: str
    message: str
    details: dict = {}


class OrderResult(msgspec.Struct, frozen=True, kw_only=True, tag="order"):
    """The order as it stands once the command is applied, and the fills it took part in."""

    order: OrderRecord
    fills: list[TradeRecord] = []


class OrderExists(msgspec.Struct, frozen=True, kw_only=True, tag="order_exists"):
    """A retried order (same account, client order id and payload): nothing new, here is the original."""

    order_id: int


class Accepted(msgspec.Struct, frozen=True, kw_only=True, tag="ok"):
    """Generic success carrying the fields the caller needs."""

    data: dict = {}


class Outcome:
    """Everything one command produced: stored in its batch, answered after the commit.

    Each part starts as the shared empty tuple and becomes a list when the command adds to it (the
    writers check, or assign a whole list): most commands fill three or four of the seven, and an
    outcome waits in memory until its batch commits, so empty lists would be ~400 bytes and six
    garbage-collected objects per command in flight for nothing.
    """

    __slots__ = ("journal", "result", "events", "entries", "trades", "orders", "audit", "balances", "levels")

    def __init__(self, journal: JournalRecord):
        self.journal = journal
        self.result = None
        self.events: Sequence = ()
        self.entries: Sequence = ()
        self.trades: Sequence[TradeRecord] = ()
        self.orders: Sequence[OrderRecord] = ()
        self.audit: Sequence[AuditRecord] = ()
        # Taken right after this command, for streams published after the commit: the venue may
        # already be ahead by then, so nothing published is read from live state.
        self.balances: Sequence[tuple[int, str, int, int]] = ()  # (customer, asset, available, held)
        self.levels: Sequence[tuple[int, str, int, int]] = ()  # (instrument, side, price_ticks, quantity_lots)
