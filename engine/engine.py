"""Engine: every instrument's book behind one deterministic `apply`.

Pure: no I/O, no clock, no randomness. The caller supplies `sequence` and
`timestamp_ns`; the same commands in the same order give the same events and
the same state_hash(). Bad input never raises: it yields one OrderRejected.
A raised exception is our bug (a broken invariant), never an operating error.

Reference price: the last trade price; before the first trade, or after an
operator's SetReferencePrice (which wins until the next trade), the operator's
price. DefineInstrument gives the first one. A new instrument starts OPEN.
Market states: HALTED refuses new orders and amends and never matches (cancels
pass); CANCEL_ONLY refuses new orders and amends; POST_ONLY accepts only limit
GTC orders that do not cross; AUCTION collects limit GTC orders without
matching and leaving it runs the call auction (auction.py).
Trade ids come from a counter in the engine state (the first trade is 1).
Market data: depth() gives the top levels and the book's update sequence;
depth_diff() the levels changed since a sequence (deleted ones with quantity
0), for a publisher of diffs.
Known limit: one command may trade through any number of levels (a market
order stops at the band edge, a limit order at its price); no separate cap
on fills per command.
"""
import functools

from engine import snapshot as snapshot_codec
from engine.auction import uncross
from engine.book import OrderBook
from engine.commands import (AmendOrder, CancelAll, CancelOrder, DefineInstrument, EngineCommand,
                             MarketState, PlaceOrder, SetMarketState, SetReferencePrice)
from engine.events import InstrumentDefined, MarketStateChanged, OrderRejected, ReferencePriceSet
from engine.index import OrderIndex
from engine.instrument import Instrument, instrument_problem
from engine.orders import amend_order, cancel_all, cancel_order
from engine.placement import place
from engine.reject import RejectCode
from engine.stops import trigger_stops
from engine.views import Depth, DepthDiff, OrderView, order_view

_OPEN = MarketState.OPEN
_MAY_BE_CROSSED = (MarketState.AUCTION, MarketState.HALTED)


class Engine:
    def __init__(self):
        self.books: dict[int, OrderBook] = {}
        self.index = OrderIndex()
        self.trade_id_last = 0
        # partial() calls are C-level: the dispatch adds no Python frame to the hot path.
        self._handlers = {
            PlaceOrder: functools.partial(place, self),
            CancelOrder: functools.partial(cancel_order, self),
            CancelAll: functools.partial(cancel_all, self),
            AmendOrder: functools.partial(amend_order, self),
            DefineInstrument: self._define_instrument,
            SetMarketState: self._set_market_state,
            SetReferencePrice: self._set_reference_price,
        }

    def apply(self, command: EngineCommand, sequence: int, timestamp_ns: int) -> list:
        """Apply one command; returns its events in order (one OrderRejected when refused)."""
        return self._handlers[type(command)](command, sequence, timestamp_ns)

    def _define_instrument(self, command: DefineInstrument, sequence: int, timestamp_ns: int) -> list:
        instrument = command.instrument
        if instrument.instrument_id in self.books:
            code = RejectCode.INSTRUMENT_ID_IN_USE
        elif instrument_problem(instrument) is not None or \
                any(book.instrument.symbol == instrument.symbol for book in self.books.values()):
            code = RejectCode.INSTRUMENT_INVALID
        elif command.reference_price_ticks <= 0:
            code = RejectCode.PRICE_MUST_BE_POSITIVE
        else:
            self.books[instrument.instrument_id] = OrderBook(instrument, command.reference_price_ticks)
            return [InstrumentDefined(sequence, timestamp_ns, instrument, command.reference_price_ticks)]
        return [OrderRejected(sequence, timestamp_ns, code, "define_instrument", None, None,
                              instrument.instrument_id, None)]

    def _set_market_state(self, command: SetMarketState, sequence: int, timestamp_ns: int) -> list:
        book = self.books.get(command.instrument_id)
        if book is None:
            return [OrderRejected(sequence, timestamp_ns, RejectCode.INSTRUMENT_UNKNOWN, "set_market_state",
                                  None, None, command.instrument_id, None)]
        old_market_state = book.market_state
        book.market_state = command.market_state
        events: list = [MarketStateChanged(sequence, timestamp_ns, book.instrument_id, old_market_state,
                                           command.market_state)]
        if command.market_state not in _MAY_BE_CROSSED:
            trade_id_before = self.trade_id_last
            uncross(self, book, events, sequence, timestamp_ns)
            if self.trade_id_last != trade_id_before and command.market_state is _OPEN:
                trigger_stops(self, book, events, sequence, timestamp_ns)
        return events

    def _set_reference_price(self, command: SetReferencePrice, sequence: int, timestamp_ns: int) -> list:
        book = self.books.get(command.instrument_id)
        code = None
        if book is None:
            code = RejectCode.INSTRUMENT_UNKNOWN
        elif command.price_ticks <= 0:
            code = RejectCode.PRICE_MUST_BE_POSITIVE
        if code is not None:
            return [OrderRejected(sequence, timestamp_ns, code, "set_reference_price", None, None,
                                  command.instrument_id, None)]
        book.set_reference(command.price_ticks)
        return [ReferencePriceSet(sequence, timestamp_ns, book.instrument_id, command.price_ticks)]

    def state_hash(self) -> str:
        """Hex sha256 of the canonical snapshot; O(open orders)."""
        return snapshot_codec.state_hash(self)

    def snapshot(self) -> bytes:
        """Canonical bytes of the whole state; Engine.restore(them) continues identically."""
        return snapshot_codec.encode(self)

    @classmethod
    def restore(cls, data: bytes) -> "Engine":
        engine = cls()
        snapshot_codec.decode_into(engine, data)
        return engine

    def instrument(self, instrument_id: int) -> Instrument | None:
        book = self.books.get(instrument_id)
        return None if book is None else book.instrument

    def instruments(self) -> list[Instrument]:
        return [self.books[instrument_id].instrument for instrument_id in sorted(self.books)]

    def order(self, order_id: int) -> OrderView | None:
        """An open order (resting, or a stop waiting for its trigger); None once done."""
        order = self.index.orders.get(order_id)
        return None if order is None else order_view(order)

    def order_by_client_id(self, account_id: int, client_order_id: str) -> OrderView | None:
        order = self.index.by_client_id.get((account_id, client_order_id))
        return None if order is None else order_view(order)

    def open_orders(self, account_id: int, instrument_id: int | None = None) -> list[OrderView]:
        """An account's open orders in order id order; O(its open orders)."""
        return [order_view(order) for order in self.index.of_account(account_id)
                if instrument_id is None or order.instrument_id == instrument_id]

    def depth(self, instrument_id: int, levels_max: int) -> Depth:
        """Aggregated top `levels_max` levels per side; raises KeyError for an unknown instrument."""
        book = self.books[instrument_id]
        bids, asks = book.depth(levels_max)
        return Depth(instrument_id=instrument_id, sequence=book.update_sequence, bids=bids, asks=asks)

    def depth_diff(self, instrument_id: int, since_sequence: int) -> DepthDiff | None:
        """Levels changed after `since_sequence` (quantity 0: gone), or None when that is older than
        the engine remembers: take depth() again. O(levels). Raises KeyError for an unknown instrument."""
        book = self.books[instrument_id]
        changed = book.depth_diff(since_sequence)
        if changed is None:
            return None
        return DepthDiff(instrument_id=instrument_id, since_sequence=since_sequence,
                         sequence=book.update_sequence, bids=changed[0], asks=changed[1])

    def price_band(self, instrument_id: int) -> tuple[int, int]:
        """Inclusive [low, high] ticks a limit or stop price may have right now."""
        book = self.books[instrument_id]
        return (book.band_low_ticks, book.band_high_ticks)

    def market_state(self, instrument_id: int) -> MarketState:
        return self.books[instrument_id].market_state

    def check(self) -> None:
        """Assert every book invariant and that the index matches the books; O(open orders)."""
        open_ids = set()
        for book in self.books.values():
            book.check(allow_crossed=book.market_state in _MAY_BE_CROSSED)
            for order in list(book.resting_orders()) + list(book.stop_orders()):
                if self.index.orders.get(order.order_id) is not order:
                    raise AssertionError(f"order {order.order_id} in a book but not indexed")
                open_ids.add(order.order_id)
        if open_ids != set(self.index.orders):
            raise AssertionError("index holds orders that are in no book")
