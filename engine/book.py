"""One instrument's order book: price levels of FIFO queues, plus its market data.

Both sides are SortedDicts keyed so that the best level has the smallest key:
asks by price, bids by NEGATED price. One matching loop then serves both
sides (see matching.py). `sides[0]` is bids, `sides[1]` asks, and
`best_keys[i]` caches the smallest key of `sides[i]` (None when empty), so the
hot path never pays for a SortedDict peek; every level deletion updates it.
A level is a deque of RestingOrder in time priority with its live lot total,
live order count and the sequence of its last change; with the last
REMOVED_LEVELS_MAX deleted levels this answers depth diffs (depth_diff) for a
market-data publisher without a scan of the events.

Cancellation is lazy: a cancelled order gets `remaining_lots = 0` and stays in
its deque until matching pops it or the level is dropped, so a cancel is O(1)
instead of a scan of the queue. A level is deleted as soon as its live count
is 0, so the book never shows an empty level, and a queue whose dead entries
outnumber the live ones is compacted (bounded memory).
Invariants (check()): never crossed, no empty level, level totals equal the
sum of their live orders, live orders sit at their own price and side.
"""
from collections import deque

import msgspec
from sortedcontainers import SortedDict

from engine.commands import MarketState, OrderType, PlaceOrder, Side, StpMode, TimeInForce
from engine.instrument import Instrument

DEAD_SLACK = 32  # Dead queue entries tolerated beyond twice the live count before compaction.
REMOVED_LEVELS_MAX = 4_096  # Deleted levels remembered for depth diffs.


class RestingOrder(msgspec.Struct, eq=False, gc=False):
    """An open order: resting in a level, or parked as a stop until triggered.

    A mutable msgspec Struct (C-level init and slots) because one is built per order on the hot
    path; it copies only what matching reads or changes and keeps the accepted command for the
    rest. eq=False: two orders are the same only when they are the same object.
    """

    order_id: int
    account_id: int
    instrument_id: int
    client_order_id: str | None
    side: Side
    price_ticks: int | None  # As amended; None for a market stop.
    quantity_lots: int  # Submitted, as amended.
    remaining_lots: int  # Open; 0 once the order is done (and while it is a dead queue entry).
    filled_lots: int
    command: PlaceOrder
    waiting_for_trigger: bool
    # Worst price a triggered STOP_MARKET may trade at: the band edge when it was placed,
    # so the funds held at placement always cover the fill.
    protection_price_ticks: int | None = None

    @property
    def order_type(self) -> OrderType:
        return self.command.order_type

    @property
    def time_in_force(self) -> TimeInForce:
        return self.command.time_in_force

    @property
    def stop_price_ticks(self) -> int | None:
        return self.command.stop_price_ticks

    @property
    def post_only(self) -> bool:
        return self.command.post_only

    @property
    def stp_mode(self) -> StpMode:
        return self.command.stp_mode


class Level:
    """All live orders at one price, oldest first, and the sequence of its last change."""

    __slots__ = ("price_ticks", "orders", "quantity_lots", "count", "sequence")

    def __init__(self, price_ticks: int, sequence: int):
        self.price_ticks = price_ticks
        self.orders: deque[RestingOrder] = deque()
        self.quantity_lots = 0
        self.count = 0
        self.sequence = sequence


class OrderBook:
    """Book, stops and market data of one instrument."""

    def __init__(self, instrument: Instrument, reference_price_ticks: int):
        self.instrument = instrument
        self.instrument_id = instrument.instrument_id
        self.bids = SortedDict()  # -price_ticks -> Level
        self.asks = SortedDict()  # price_ticks -> Level
        self.sides = (self.bids, self.asks)
        self.best_keys: list[int | None] = [None, None]
        self.buy_stops = SortedDict()  # stop_price_ticks -> list[RestingOrder], trigger when last >= stop
        self.sell_stops = SortedDict()  # -stop_price_ticks -> list[RestingOrder], trigger when last <= stop
        self.market_state = MarketState.OPEN
        self.last_trade_price_ticks: int | None = None
        self.update_sequence = 0  # Sequence of the last command that changed the visible book.
        # Deleted levels as (sequence, side index, price_ticks), for depth diffs; diffs from before
        # `diff_floor_sequence` cannot be answered (the caller takes a fresh depth snapshot).
        self.removed_levels: deque[tuple[int, int, int]] = deque()
        self.diff_floor_sequence = 0
        self.reference_price_ticks = reference_price_ticks
        self.band_low_ticks, self.band_high_ticks = instrument.band(reference_price_ticks)

    def set_reference(self, price_ticks: int) -> None:
        """Move the band centre (last trade or operator); O(1)."""
        self.reference_price_ticks = price_ticks
        self.band_low_ticks, self.band_high_ticks = self.instrument.band(price_ticks)

    def rest(self, order: RestingOrder, sequence: int) -> None:
        """Append an order at the tail of its level; O(1), O(log levels) for a new level."""
        if order.side is Side.BUY:
            index, key = 0, -order.price_ticks
        else:
            index, key = 1, order.price_ticks
        side = self.sides[index]
        level = side.get(key)
        if level is None:
            level = Level(order.price_ticks, sequence)
            side[key] = level
            best_key = self.best_keys[index]
            if best_key is None or key < best_key:
                self.best_keys[index] = key
        level.orders.append(order)
        level.quantity_lots += order.remaining_lots
        level.count += 1
        level.sequence = self.update_sequence = sequence

    def unrest(self, order: RestingOrder, sequence: int) -> None:
        """Take a live resting order off the book (lazy in its queue); O(1) unless the level empties."""
        if order.side is Side.BUY:
            index, key = 0, -order.price_ticks
        else:
            index, key = 1, order.price_ticks
        side = self.sides[index]
        level = side[key]
        level.quantity_lots -= order.remaining_lots
        level.count -= 1
        level.sequence = self.update_sequence = sequence
        order.remaining_lots = 0
        if level.count == 0:
            self.drop_level(index, key, sequence)
        elif len(level.orders) > 2 * level.count + DEAD_SLACK:
            self.compact(level)

    @staticmethod
    def compact(level: Level) -> None:
        """Drop cancelled entries from a level's queue, keeping the live ones in order; O(queue)."""
        level.orders = deque(entry for entry in level.orders if entry.remaining_lots)

    def drop_level(self, index: int, key: int, sequence: int) -> None:
        """Delete an empty level, keep the cached best key right, remember it for diffs; O(log levels)."""
        side = self.sides[index]
        del side[key]
        if key == self.best_keys[index]:
            self.best_keys[index] = next(iter(side), None)
        removed_levels = self.removed_levels
        if len(removed_levels) == REMOVED_LEVELS_MAX:
            self.diff_floor_sequence = removed_levels.popleft()[0]
        removed_levels.append((sequence, index, key if index else -key))

    def reduce(self, order: RestingOrder, new_remaining_lots: int, sequence: int) -> None:
        """Lower a resting order's open quantity in place, keeping its time priority."""
        key = -order.price_ticks if order.side is Side.BUY else order.price_ticks
        level = (self.bids if order.side is Side.BUY else self.asks)[key]
        level.sequence = self.update_sequence = sequence
        level.quantity_lots -= order.remaining_lots - new_remaining_lots
        order.quantity_lots -= order.remaining_lots - new_remaining_lots
        order.remaining_lots = new_remaining_lots

    def best_bid(self) -> int | None:
        return None if self.best_keys[0] is None else -self.best_keys[0]

    def best_ask(self) -> int | None:
        return self.best_keys[1]

    def depth(self, levels_max: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Top levels per side, best first, as (price_ticks, quantity_lots); O(levels_max)."""
        bids = [(level.price_ticks, level.quantity_lots) for level in self.bids.values()[:levels_max]]
        asks = [(level.price_ticks, level.quantity_lots) for level in self.asks.values()[:levels_max]]
        return bids, asks

    def depth_diff(self, since_sequence: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
        """Levels changed after `since_sequence`, best first, quantity 0 for a deleted level;
        None when that is too old to answer. O(levels + remembered deletions)."""
        if since_sequence < self.diff_floor_sequence:
            return None
        changed: tuple[dict[int, int], dict[int, int]] = ({}, {})
        for sequence, index, price_ticks in self.removed_levels:
            if sequence > since_sequence:
                changed[index][price_ticks] = 0
        for index, side in enumerate(self.sides):
            for level in side.values():
                if level.sequence > since_sequence:
                    changed[index][level.price_ticks] = level.quantity_lots
        bids = sorted(changed[0].items(), reverse=True)
        asks = sorted(changed[1].items())
        return bids, asks

    def resting_orders(self):
        """Every live resting order: bids best first, then asks, each level in time priority."""
        for side in (self.bids, self.asks):
            for level in side.values():
                for order in level.orders:
                    if order.remaining_lots:
                        yield order

    def stop_orders(self):
        """Every parked stop: buys by trigger order, then sells by trigger order."""
        for stops in (self.buy_stops, self.sell_stops):
            for queue in stops.values():
                yield from queue

    def check(self, allow_crossed: bool = False) -> None:
        """Raise AssertionError when an invariant is broken; O(orders). Only an auction may cross."""
        if self.best_keys != [next(iter(self.bids), None), next(iter(self.asks), None)]:
            raise AssertionError(f"cached best keys {self.best_keys} are stale")
        bid, ask = self.best_bid(), self.best_ask()
        if not allow_crossed and bid is not None and ask is not None and bid >= ask:
            raise AssertionError(f"book {self.instrument_id} crossed: {bid} >= {ask}")
        for side_name, side, sign in (("bids", self.bids, -1), ("asks", self.asks, 1)):
            for key, level in side.items():
                live = [order for order in level.orders if order.remaining_lots]
                if not live:
                    raise AssertionError(f"empty level {side_name} {level.price_ticks}")
                if key != sign * level.price_ticks:
                    raise AssertionError(f"level key {key} does not match price {level.price_ticks}")
                if level.sequence > self.update_sequence:
                    raise AssertionError(f"level {level.price_ticks} changed after its book")
                if level.count != len(live):
                    raise AssertionError(f"level count {level.count} != {len(live)}")
                if level.quantity_lots != sum(order.remaining_lots for order in live):
                    raise AssertionError(f"level total wrong at {level.price_ticks}")
                for order in live:
                    if order.price_ticks != level.price_ticks or (order.side is Side.BUY) != (sign < 0):
                        raise AssertionError(f"order {order.order_id} in the wrong level")
