"""Placing an order in the reference book: the reject ladder in precedence order, then matching or waiting."""
from engine.commands import MarketState, OrderType, PlaceOrder, TimeInForce
from engine.events import OrderAccepted
from engine.reject import RejectCode as R
from reference_matching import Matching
from reference_state import BUY, Order


class Placing(Matching):
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
