"""Cancelling and amending in the reference book: one order, all of an account's, or a change of price or size.

An amend that only lowers the quantity keeps the order's arrival (its time
priority); any other amend re-arrives it.
"""
from engine.commands import AmendOrder, CancelAll, CancelOrder, MarketState
from engine.events import DoneReason, OrderAmended, OrderCancelled
from engine.reject import RejectCode as R
from reference_matching import Matching
from reference_state import BUY, Order


class CancelAndAmend(Matching):
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
