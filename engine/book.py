"""One instrument's order book: price levels of FIFO queues, plus its market data.

Both sides are SortedDicts keyed so that the best level is always
`peekitem(0)`: asks by price, bids by NEGATED price. One matching loop then
serves both sides (see matching.py). A level is a deque of RestingOrder in
time priority with its live lot total and live order count.

Cancellation is lazy: a cancelled order gets `remaining_lots = 0` and stays in
its deque until matching pops it or the level is dropped, so a cancel is O(1)
instead of a scan of the queue. A level is deleted as soon as its live count
is 0, so the book never shows an empty level, and a queue whose dead entries
outnumber the live ones is compacted (bounded memory).
Invariants (check()): never crossed, no empty level, level totals equal the
sum of their live orders, live orders sit at their own price and side.
"""
from collections import deque

from sortedcontainers import SortedDict

from engine.commands import MarketState, Side
from engine.instrument import Instrument

_DEAD_SLACK = 32  # Dead queue entries tolerated beyond the live count before compaction.


class RestingOrder:
    """An open order: resting in a level, or parked as a stop until triggered."""

    __slots__ = (
        "order_id", "account_id", "instrument_id", "client_order_id", "side", "order_type",
        "time_in_force", "price_ticks", "stop_price_ticks", "quantity_lots", "remaining_lots",
        "filled_lots", "post_only", "stp_mode", "protection_price_ticks", "waiting_for_trigger",
    )

    def __init__(self, order_id, account_id, instrument_id, client_order_id, side, order_type,
                 time_in_force, price_ticks, stop_price_ticks, quantity_lots, post_only, stp_mode):
        self.order_id = order_id
        self.account_id = account_id
        self.instrument_id = instrument_id
        self.client_order_id = client_order_id
        self.side = side
        self.order_type = order_type
        self.time_in_force = time_in_force
        self.price_ticks = price_ticks
        self.stop_price_ticks = stop_price_ticks
        self.quantity_lots = quantity_lots
        self.remaining_lots = quantity_lots
        self.filled_lots = 0
        self.post_only = post_only
        self.stp_mode = stp_mode
        # Worst price a triggered STOP_MARKET may trade at: the band edge when it was placed,
        # so the funds held at placement always cover the fill.
        self.protection_price_ticks = None
        self.waiting_for_trigger = stop_price_ticks is not None


class Level:
    """All live orders at one price, oldest first."""

    __slots__ = ("price_ticks", "orders", "quantity_lots", "count")

    def __init__(self, price_ticks: int):
        self.price_ticks = price_ticks
        self.orders: deque[RestingOrder] = deque()
        self.quantity_lots = 0
        self.count = 0


class OrderBook:
    """Book, stops and market data of one instrument."""

    def __init__(self, instrument: Instrument, reference_price_ticks: int):
        self.instrument = instrument
        self.instrument_id = instrument.instrument_id
        self.bids = SortedDict()  # -price_ticks -> Level
        self.asks = SortedDict()  # price_ticks -> Level
        self.buy_stops = SortedDict()  # stop_price_ticks -> list[RestingOrder], trigger when last >= stop
        self.sell_stops = SortedDict()  # -stop_price_ticks -> list[RestingOrder], trigger when last <= stop
        self.market_state = MarketState.OPEN
        self.last_trade_price_ticks: int | None = None
        self.update_sequence = 0  # Sequence of the last command that changed the visible book.
        self.reference_price_ticks = reference_price_ticks
        self.band_low_ticks, self.band_high_ticks = instrument.band(reference_price_ticks)

    def set_reference(self, price_ticks: int) -> None:
        """Move the band centre (last trade or operator); O(1)."""
        self.reference_price_ticks = price_ticks
        self.band_low_ticks, self.band_high_ticks = self.instrument.band(price_ticks)

    def rest(self, order: RestingOrder) -> None:
        """Append an order at the tail of its level; O(log levels)."""
        if order.side is Side.BUY:
            side, key = self.bids, -order.price_ticks
        else:
            side, key = self.asks, order.price_ticks
        level = side.get(key)
        if level is None:
            level = Level(order.price_ticks)
            side[key] = level
        level.orders.append(order)
        level.quantity_lots += order.remaining_lots
        level.count += 1

    def unrest(self, order: RestingOrder) -> None:
        """Take a live resting order off the book (lazy in its queue); O(1) unless the level empties."""
        if order.side is Side.BUY:
            side, key = self.bids, -order.price_ticks
        else:
            side, key = self.asks, order.price_ticks
        level = side[key]
        level.quantity_lots -= order.remaining_lots
        level.count -= 1
        order.remaining_lots = 0
        if level.count == 0:
            del side[key]
        elif len(level.orders) > 2 * level.count + _DEAD_SLACK:
            level.orders = deque(entry for entry in level.orders if entry.remaining_lots)

    def reduce(self, order: RestingOrder, new_remaining_lots: int) -> None:
        """Lower a resting order's open quantity in place, keeping its time priority."""
        key = -order.price_ticks if order.side is Side.BUY else order.price_ticks
        level = (self.bids if order.side is Side.BUY else self.asks)[key]
        level.quantity_lots -= order.remaining_lots - new_remaining_lots
        order.quantity_lots -= order.remaining_lots - new_remaining_lots
        order.remaining_lots = new_remaining_lots

    def best_bid(self) -> int | None:
        return -self.bids.peekitem(0)[0] if self.bids else None

    def best_ask(self) -> int | None:
        return self.asks.peekitem(0)[0] if self.asks else None

    def depth(self, levels_max: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Top levels per side, best first, as (price_ticks, quantity_lots); O(levels_max)."""
        bids = [(level.price_ticks, level.quantity_lots) for level in self.bids.values()[:levels_max]]
        asks = [(level.price_ticks, level.quantity_lots) for level in self.asks.values()[:levels_max]]
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
                if level.count != len(live):
                    raise AssertionError(f"level count {level.count} != {len(live)}")
                if level.quantity_lots != sum(order.remaining_lots for order in live):
                    raise AssertionError(f"level total wrong at {level.price_ticks}")
                for order in live:
                    if order.price_ticks != level.price_ticks or (order.side is Side.BUY) != (sign < 0):
                        raise AssertionError(f"order {order.order_id} in the wrong level")
