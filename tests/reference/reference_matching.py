"""Matching in the reference book: the best maker found by scanning every order, fills, expiries, stops.

Priority is price, then the explicit `arrival` counter; a stop waits in the
same list until the last trade price reaches it, then executes as a taker (a
stop-limit whose price has left the band expires instead).
"""
from engine.commands import MarketState, OrderType, Side, StpMode, TimeInForce
from engine.events import DoneReason, ExpireReason, OrderDone, OrderExpired, OrderTriggered, Trade
from reference_state import BUY, SELL, BookState, Order


class Matching(BookState):
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
