"""A deliberately simple model of the engine: one list of orders, linear scans, no cleverness.

It re-states the documented rules (engine/placement.py, matching.py, stops.py,
orders.py) in the most obvious way, so the stateful test can compare every
event of the real engine with it. Priority is an explicit `arrival` counter;
the best maker is found by scanning the whole list. Covers one instrument
and every command except AUCTION re-opening (tested by examples).
"""
from dataclasses import dataclass

from engine.commands import (AmendOrder, CancelAll, CancelOrder, MarketState, OrderType, PlaceOrder,
                             SetMarketState, SetReferencePrice, Side, StpMode, TimeInForce)
from engine.events import (DoneReason, ExpireReason, MarketStateChanged, OrderAccepted, OrderAmended,
                           OrderCancelled, OrderDone, OrderExpired, OrderRejected, OrderTriggered,
                           ReferencePriceSet, Trade)
from engine.instrument import Instrument
from engine.reject import RejectCode as R

BUY, SELL = Side.BUY, Side.SELL


@dataclass
class Order:
    command: PlaceOrder
    arrival: int
    price_ticks: int | None
    remaining_lots: int
    filled_lots: int = 0
    waiting: bool = False
    protection_ticks: int | None = None


class ReferenceBook:
    def __init__(self, instrument: Instrument, reference_price_ticks: int):
        self.instrument = instrument
        self.reference = reference_price_ticks
        self.last_trade: int | None = None
        self.market_state = MarketState.OPEN
        self.orders: list[Order] = []  # Every open order, resting or waiting.
        self.arrivals = 0
        self.trade_id = 0
        self.sequence = self.timestamp = 0

    def band(self) -> tuple[int, int]:
        reach = self.reference * self.instrument.price_band_bps // 10_000
        return max(self.reference - reach, 1), self.reference + reach

    def resting(self) -> list[Order]:
        return [order for order in self.orders if not order.waiting]

    def depth(self) -> tuple[list, list]:
        def side_depth(side, best_first):
            prices = sorted({o.price_ticks for o in self.resting() if o.command.side is side}, reverse=best_first)
            return [(p, sum(o.remaining_lots for o in self.resting() if o.command.side is side
                            and o.price_ticks == p)) for p in prices]
        return side_depth(BUY, True), side_depth(SELL, False)

    def apply(self, command, sequence: int, timestamp_ns: int) -> list:
        self.sequence, self.timestamp = sequence, timestamp_ns
        handler = {PlaceOrder: self.place, CancelOrder: self.cancel, CancelAll: self.cancel_all,
                   AmendOrder: self.amend, SetMarketState: self.set_state,
                   SetReferencePrice: self.set_reference}[type(command)]
        return handler(command)

    def reject(self, code, kind, order_id=None, account_id=None, client_order_id=None) -> list:
        return [OrderRejected(self.sequence, self.timestamp, code, kind, order_id, account_id,
                              self.instrument.instrument_id, client_order_id)]

    # ---- placing ---------------------------------------------------------------------------
    def place_problem(self, c: PlaceOrder):
        limit_like = c.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        stop_like = c.order_type in (OrderType.STOP_LIMIT, OrderType.STOP_MARKET)
        resting_limit = c.order_type is OrderType.LIMIT and c.time_in_force is TimeInForce.GTC
        low, high = self.band()
        basis = self.last_trade or self.reference
        bests = [o.price_ticks for o in self.resting() if o.command.side is not c.side]
        rules = [
            (lambda: c.quantity_lots <= 0, R.QUANTITY_MUST_BE_POSITIVE),
            (lambda: c.quantity_lots < self.instrument.min_quantity_lots, R.QUANTITY_BELOW_MINIMUM),
            (lambda: c.quantity_lots > self.instrument.max_quantity_lots, R.QUANTITY_ABOVE_MAXIMUM),
            (lambda: limit_like and c.price_ticks is None, R.PRICE_REQUIRED),
            (lambda: limit_like and c.price_ticks <= 0, R.PRICE_MUST_BE_POSITIVE),
            (lambda: not limit_like and c.price_ticks is not None, R.PRICE_NOT_ALLOWED),
            (lambda: not limit_like and c.time_in_force is TimeInForce.GTC, R.TIME_IN_FORCE_NOT_ALLOWED),
            (lambda: stop_like and c.stop_price_ticks is None, R.STOP_PRICE_REQUIRED),
            (lambda: stop_like and c.stop_price_ticks <= 0, R.PRICE_MUST_BE_POSITIVE),
            (lambda: not stop_like and c.stop_price_ticks is not None, R.STOP_PRICE_NOT_ALLOWED),
            (lambda: c.post_only and not resting_limit, R.POST_ONLY_REQUIRES_LIMIT_GTC),
            (lambda: any(o.command.order_id == c.order_id for o in self.orders), R.ORDER_ID_IN_USE),
            (lambda: c.client_order_id is not None and any(
                (o.command.account_id, o.command.client_order_id) == (c.account_id, c.client_order_id)
                for o in self.orders), R.CLIENT_ORDER_ID_IN_USE),
            (lambda: self.market_state is MarketState.HALTED, R.MARKET_HALTED),
            (lambda: self.market_state is MarketState.CANCEL_ONLY, R.MARKET_CANCEL_ONLY),
            (lambda: self.market_state is MarketState.POST_ONLY and not resting_limit, R.MARKET_POST_ONLY),
            (lambda: c.price_ticks is not None and not low <= c.price_ticks <= high, R.PRICE_OUT_OF_BAND),
            (lambda: c.stop_price_ticks is not None and not low <= c.stop_price_ticks <= high, R.PRICE_OUT_OF_BAND),
            (lambda: (c.price_ticks or c.stop_price_ticks or self.reference) * c.quantity_lots
             < self.instrument.min_notional_tick_lots, R.NOTIONAL_BELOW_MINIMUM),
            (lambda: stop_like and (c.stop_price_ticks <= basis if c.side is BUY else c.stop_price_ticks >= basis),
             R.STOP_WOULD_TRIGGER_IMMEDIATELY),
            (lambda: (c.post_only or self.market_state is MarketState.POST_ONLY) and any(
                (c.price_ticks >= p) if c.side is BUY else (c.price_ticks <= p) for p in bests),
             R.POST_ONLY_WOULD_CROSS),
        ]
        return next((code for broken, code in rules if broken()), None)

    def place(self, c: PlaceOrder) -> list:
        problem = self.place_problem(c)
        if problem is not None:
            return self.reject(problem, "place_order", c.order_id, c.account_id, c.client_order_id)
        events = [OrderAccepted(self.sequence, self.timestamp, c)]
        order = Order(c, 0, c.price_ticks, c.quantity_lots)
        self.orders.append(order)
        trades_before = self.trade_id
        if c.stop_price_ticks is not None:
            order.waiting = True
            low, high = self.band()
            if c.order_type is OrderType.STOP_MARKET:
                order.protection_ticks = high if c.side is BUY else low
        else:
            self.execute(order, events)
        if self.trade_id != trades_before:
            self.trigger(events)
        return events

    def limit_of(self, order: Order) -> int:
        if order.command.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            return order.price_ticks
        low, high = self.band()
        if order.command.side is BUY:
            return high if order.protection_ticks is None else min(high, order.protection_ticks)
        return low if order.protection_ticks is None else max(low, order.protection_ticks)

    def makers_in_priority(self, taker: Order, limit: int) -> list[Order]:
        side = SELL if taker.command.side is BUY else BUY
        makers = [o for o in self.resting() if o.command.side is side and o is not taker
                  and ((o.price_ticks <= limit) if side is SELL else (o.price_ticks >= limit))]
        return sorted(makers, key=lambda o: (o.price_ticks if side is SELL else -o.price_ticks, o.arrival))

    def can_fill(self, taker: Order, limit: int) -> bool:
        available = 0
        for maker in self.makers_in_priority(taker, limit):
            if maker.command.account_id == taker.command.account_id:
                if taker.command.stp_mode is StpMode.EXPIRE_MAKER:
                    continue
                return False
            available += maker.remaining_lots
            if available >= taker.remaining_lots:
                return True
        return False

    def execute(self, taker: Order, events: list) -> None:
        c = taker.command
        limit = self.limit_of(taker)
        if self.market_state is not MarketState.OPEN:
            self.rest(taker)
            return
        if c.time_in_force is TimeInForce.FOK and not self.can_fill(taker, limit):
            return self.leave(taker, ExpireReason.FOK_NOT_FILLABLE, events)
        stopped = False
        while taker.remaining_lots and not stopped:
            makers = self.makers_in_priority(taker, limit)
            if not makers:
                break
            maker = makers[0]
            if maker.command.account_id == c.account_id:
                if c.stp_mode is not StpMode.EXPIRE_TAKER:
                    self.leave(maker, ExpireReason.STP_MAKER, events)
                stopped = c.stp_mode is not StpMode.EXPIRE_MAKER
                continue
            self.fill(maker, taker, maker.price_ticks, c.side, events)
        if not taker.remaining_lots:
            self.orders.remove(taker)
            events.append(self.done(taker, DoneReason.FILLED))
        elif stopped:
            self.leave(taker, ExpireReason.STP_TAKER, events)
        elif c.order_type in (OrderType.MARKET, OrderType.STOP_MARKET):
            self.leave(taker, ExpireReason.MARKET_REMAINDER, events)
        elif c.time_in_force is not TimeInForce.GTC:
            self.leave(taker, ExpireReason.IOC_REMAINDER, events)
        else:
            self.rest(taker)

    def rest(self, order: Order) -> None:
        self.arrivals += 1
        order.arrival = self.arrivals

    def fill(self, maker: Order, taker: Order, price: int, taker_side: Side, events: list) -> None:
        lots = min(maker.remaining_lots, taker.remaining_lots)
        self.trade_id += 1
        events.append(Trade(self.sequence, self.timestamp, self.trade_id, self.instrument.instrument_id, price,
                            lots, taker_side, maker.command.order_id, taker.command.order_id,
                            maker.command.account_id, taker.command.account_id))
        for order in (maker, taker):
            order.remaining_lots -= lots
            order.filled_lots += lots
        self.last_trade = self.reference = price
        if not maker.remaining_lots:
            self.orders.remove(maker)
            events.append(self.done(maker, DoneReason.FILLED))

    def done(self, order: Order, reason: DoneReason, remaining_lots: int = 0) -> OrderDone:
        c = order.command
        return OrderDone(self.sequence, self.timestamp, c.order_id, c.account_id, c.instrument_id, c.side,
                         order.filled_lots, remaining_lots, reason)

    def leave(self, order: Order, reason: ExpireReason, events: list) -> None:
        c, remaining = order.command, order.remaining_lots
        self.orders.remove(order)
        events.append(OrderExpired(self.sequence, self.timestamp, c.order_id, c.account_id, c.instrument_id,
                                   remaining, reason))
        events.append(self.done(order, DoneReason.EXPIRED, remaining))

    def trigger(self, events: list) -> None:
        while True:
            last = self.last_trade
            waiting = [o for o in self.orders if o.waiting]
            buys = [o for o in waiting if o.command.side is BUY and o.command.stop_price_ticks <= last]
            sells = [o for o in waiting if o.command.side is SELL and o.command.stop_price_ticks >= last]
            buy = min(buys, key=lambda o: (o.command.stop_price_ticks, o.command.order_id), default=None)
            sell = min(sells, key=lambda o: (-o.command.stop_price_ticks, o.command.order_id), default=None)
            candidates = [o for o in (buy, sell) if o is not None]
            if not candidates:
                return
            order = min(candidates, key=lambda o: o.command.order_id)
            order.waiting = False
            c = order.command
            events.append(OrderTriggered(self.sequence, self.timestamp, c.order_id, c.account_id, c.instrument_id,
                                         c.stop_price_ticks, last))
            low, high = self.band()
            if c.order_type is OrderType.STOP_LIMIT and not low <= c.price_ticks <= high:
                self.leave(order, ExpireReason.PRICE_OUT_OF_BAND, events)
            else:
                self.execute(order, events)

    # ---- cancelling and amending ---------------------------------------------------------
    def cancel_one(self, order: Order, events: list) -> None:
        c = order.command
        self.orders.remove(order)
        events.append(OrderCancelled(self.sequence, self.timestamp, c.order_id, c.account_id, c.instrument_id,
                                     order.remaining_lots))
        events.append(self.done(order, DoneReason.CANCELLED, order.remaining_lots))

    def find(self, account_id, order_id=None, client_order_id=None) -> Order | None:
        for order in self.orders:
            same_id = order.command.order_id == order_id if order_id is not None \
                else order.command.client_order_id == client_order_id
            if same_id and order.command.account_id == account_id:
                return order
        return None

    def cancel(self, c: CancelOrder) -> list:
        if (c.order_id is None) == (c.client_order_id is None):
            return self.reject(R.ORDER_REFERENCE_REQUIRED, "cancel_order", c.order_id, c.account_id,
                               c.client_order_id)
        order = self.find(c.account_id, c.order_id, c.client_order_id)
        if order is None:
            return self.reject(R.ORDER_NOT_FOUND, "cancel_order", c.order_id, c.account_id, c.client_order_id)
        events: list = []
        self.cancel_one(order, events)
        return events

    def cancel_all(self, c: CancelAll) -> list:
        events: list = []
        chosen = [o for o in self.orders if c.account_id is None or o.command.account_id == c.account_id]
        for order in sorted(chosen, key=lambda o: o.command.order_id):
            self.cancel_one(order, events)
        return events

    def amend(self, c: AmendOrder) -> list:
        order = self.find(c.account_id, c.order_id)
        price = (order.price_ticks if c.new_price_ticks is None else c.new_price_ticks) if order else None
        lots = (order.remaining_lots if c.new_quantity_lots is None else c.new_quantity_lots) if order else None
        keeps = order is not None and price == order.price_ticks and lots < order.remaining_lots
        low, high = self.band()
        opposite = [o.price_ticks for o in self.resting() if order and o.command.side is not order.command.side]
        rules = [
            (lambda: order is None, R.ORDER_NOT_FOUND),
            (lambda: order.waiting, R.AMEND_NOT_ALLOWED_FOR_STOP),
            (lambda: price == order.price_ticks and lots == order.remaining_lots, R.AMEND_NOTHING_TO_CHANGE),
            (lambda: self.market_state is MarketState.HALTED, R.MARKET_HALTED),
            (lambda: self.market_state is MarketState.CANCEL_ONLY, R.MARKET_CANCEL_ONLY),
            (lambda: lots <= 0, R.QUANTITY_MUST_BE_POSITIVE),
            (lambda: price <= 0, R.PRICE_MUST_BE_POSITIVE),
            (lambda: order.filled_lots + lots > self.instrument.max_quantity_lots, R.QUANTITY_ABOVE_MAXIMUM),
            (lambda: not keeps and not low <= price <= high, R.PRICE_OUT_OF_BAND),
            (lambda: not keeps and price * lots < self.instrument.min_notional_tick_lots, R.NOTIONAL_BELOW_MINIMUM),
            (lambda: not keeps and any((price >= p) if order.command.side is BUY else (price <= p)
                                       for p in opposite), R.AMEND_WOULD_CROSS),
        ]
        for broken, code in rules:
            if broken():
                return self.reject(code, "amend_order", c.order_id, c.account_id)
        old_price, old_lots = order.price_ticks, order.remaining_lots
        order.price_ticks, order.remaining_lots = price, lots
        if not keeps:
            self.rest(order)
        return [OrderAmended(self.sequence, self.timestamp, c.order_id, c.account_id, c.instrument_id,
                             old_price, price, old_lots, lots, keeps)]

    def set_state(self, c: SetMarketState) -> list:
        old, self.market_state = self.market_state, c.market_state
        return [MarketStateChanged(self.sequence, self.timestamp, c.instrument_id, old, c.market_state)]

    def set_reference(self, c: SetReferencePrice) -> list:
        self.reference = c.price_ticks
        return [ReferencePriceSet(self.sequence, self.timestamp, c.instrument_id, c.price_ticks)]
