"""Stop orders: parked until the last trade price reaches them, then executed in trigger order.

Trigger rule: a BUY stop triggers when the last trade price >= its stop price,
a SELL stop when the last trade price <= its stop price. Only trades move the
trigger price (SetReferencePrice does not).

Trigger order: stops trigger one at a time. Among the stops triggered by the
current last trade price, the BUY candidate is the lowest stop price and the
SELL candidate the highest (the level the price passed first), the earliest
placed within one stop price. When both sides have a candidate (only possible
after a cascade reverses the price), the one placed earlier goes first. Each
triggered stop executes fully (OrderTriggered, then as a LIMIT or MARKET
order with its own time in force) before the trigger price is read again, so
a cascade is deterministic. Each stop triggers at most once, which bounds it.

A triggered STOP_LIMIT whose limit is outside the band in force then expires
(PRICE_OUT_OF_BAND); a triggered STOP_MARKET trades no further than the
band edge at placement (what its funds hold covers) nor the band edge now.
"""
from engine.book import OrderBook, RestingOrder
from engine.commands import OrderType, Side
from engine.events import ExpireReason, OrderTriggered
from engine.execution import end, execute


def candidate(book: OrderBook, last_price_ticks: int) -> RestingOrder | None:
    """The next stop to trigger at this last trade price, by the rule above; O(1)."""
    buy = sell = None
    if book.buy_stops:
        stop_ticks, queue = book.buy_stops.peekitem(0)
        if stop_ticks <= last_price_ticks:
            buy = queue[0]
    if book.sell_stops:
        negated_stop_ticks, queue = book.sell_stops.peekitem(0)
        if -negated_stop_ticks >= last_price_ticks:
            sell = queue[0]
    if buy is None or sell is None:
        return buy or sell
    return buy if buy.order_id < sell.order_id else sell


def unpark(book: OrderBook, order: RestingOrder) -> None:
    """Remove a parked stop (triggered or cancelled); O(stops at its price)."""
    if order.side is Side.BUY:
        stops, key = book.buy_stops, order.stop_price_ticks
    else:
        stops, key = book.sell_stops, -order.stop_price_ticks
    queue = stops[key]
    queue.remove(order)
    if not queue:
        del stops[key]


def park(book: OrderBook, order: RestingOrder) -> None:
    """Queue a stop behind earlier stops at the same trigger price."""
    if order.side is Side.BUY:
        stops, key = book.buy_stops, order.stop_price_ticks
    else:
        stops, key = book.sell_stops, -order.stop_price_ticks
    queue = stops.get(key)
    if queue is None:
        stops[key] = [order]
    else:
        queue.append(order)


def trigger_stops(engine, book: OrderBook, events: list, sequence: int, timestamp_ns: int) -> None:
    """Trigger and execute every stop the last trade price reaches, cascading."""
    while book.last_trade_price_ticks is not None:
        last_price_ticks = book.last_trade_price_ticks
        order = candidate(book, last_price_ticks)
        if order is None:
            return
        unpark(book, order)
        order.waiting_for_trigger = False
        events.append(OrderTriggered(sequence, timestamp_ns, order.order_id, order.account_id,
                                     order.instrument_id, order.stop_price_ticks, last_price_ticks))
        if order.order_type is OrderType.STOP_LIMIT and \
                not book.band_low_ticks <= order.price_ticks <= book.band_high_ticks:
            end(engine, order, ExpireReason.PRICE_OUT_OF_BAND, events, sequence, timestamp_ns)
            continue
        execute(engine, book, order, events, sequence, timestamp_ns)
