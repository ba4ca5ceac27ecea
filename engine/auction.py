"""Call auction: how a market re-opens with a crossed book.

In the AUCTION state limit GTC orders rest without matching, so the book may
cross. When the market leaves AUCTION (or HALTED after an auction) for OPEN,
POST_ONLY or CANCEL_ONLY, the crossed part is executed at ONE price, the
equilibrium price:
  1. the price that maximises the executable volume min(buy lots at >= p, sell lots at <= p),
  2. then the smallest imbalance |buy - sell|,
  3. then the price closest to the reference price,
  4. then the lower price.
Candidates are the prices of the crossed levels. Orders execute in price-time
priority at that single price; the later-placed order of each pair is the
taker (its side is the trade's taker_side). Self-trade prevention uses the
later order's stp_mode as if it were the taker. The price becomes the last
trade and reference price. It repeats until the book is not crossed (an STP
expiry can leave a smaller cross), each round removing volume, so it ends.
"""
from engine.book import OrderBook, RestingOrder
from engine.commands import Side, StpMode
from engine.events import DoneReason, ExpireReason, OrderDone, OrderExpired, Trade


def _crossed(book: OrderBook) -> bool:
    return bool(book.bids) and bool(book.asks) and -book.bids.peekitem(0)[0] >= book.asks.peekitem(0)[0]


def equilibrium_price(book: OrderBook) -> int:
    """The single auction price of a crossed book, by the rules above; O(crossed levels^2)."""
    best_bid, best_ask = -book.bids.peekitem(0)[0], book.asks.peekitem(0)[0]
    bids = [(level.price_ticks, level.quantity_lots) for level in book.bids.values() if level.price_ticks >= best_ask]
    asks = [(level.price_ticks, level.quantity_lots) for level in book.asks.values() if level.price_ticks <= best_bid]
    candidates = sorted({price for price, _ in bids} | {price for price, _ in asks})

    def rank(price_ticks: int) -> tuple:
        buy_lots = sum(lots for price, lots in bids if price >= price_ticks)
        sell_lots = sum(lots for price, lots in asks if price <= price_ticks)
        return (-min(buy_lots, sell_lots), abs(buy_lots - sell_lots),
                abs(price_ticks - book.reference_price_ticks), price_ticks)

    return min(candidates, key=rank)


def _front(side) -> RestingOrder:
    queue = side.peekitem(0)[1].orders
    while not queue[0].remaining_lots:
        queue.popleft()
    return queue[0]


def _leave(engine, book: OrderBook, order: RestingOrder, reason: ExpireReason | None, events: list,
           sequence: int, timestamp_ns: int) -> None:
    """Take a resting order out for good: filled (reason None) or expired by STP."""
    remaining_lots = order.remaining_lots
    book.unrest(order, sequence)
    engine.index.discard(order)
    if reason is not None:
        events.append(OrderExpired(sequence, timestamp_ns, order.order_id, order.account_id,
                                   order.instrument_id, remaining_lots, reason))
    events.append(OrderDone(sequence, timestamp_ns, order.order_id, order.account_id, order.instrument_id,
                            order.side, order.filled_lots, remaining_lots,
                            DoneReason.FILLED if reason is None else DoneReason.EXPIRED))


def _fill(engine, book: OrderBook, order: RestingOrder, fill_lots: int, events: list, sequence: int,
          timestamp_ns: int) -> None:
    order.filled_lots += fill_lots
    if fill_lots == order.remaining_lots:
        _leave(engine, book, order, None, events, sequence, timestamp_ns)
        return
    key = -order.price_ticks if order.side is Side.BUY else order.price_ticks
    level = (book.bids if order.side is Side.BUY else book.asks)[key]
    level.quantity_lots -= fill_lots
    level.sequence = sequence
    order.remaining_lots -= fill_lots


def _execute_at(engine, book: OrderBook, price_ticks: int, events: list, sequence: int,
                timestamp_ns: int) -> None:
    while book.bids and book.asks:
        if -book.bids.peekitem(0)[0] < price_ticks or book.asks.peekitem(0)[0] > price_ticks:
            return
        bid, ask = _front(book.bids), _front(book.asks)
        taker, maker = (bid, ask) if bid.order_id > ask.order_id else (ask, bid)
        if bid.account_id == ask.account_id:
            if taker.stp_mode is not StpMode.EXPIRE_MAKER:
                _leave(engine, book, taker, ExpireReason.STP_TAKER, events, sequence, timestamp_ns)
            if taker.stp_mode is not StpMode.EXPIRE_TAKER:
                _leave(engine, book, maker, ExpireReason.STP_MAKER, events, sequence, timestamp_ns)
            continue
        fill_lots = min(bid.remaining_lots, ask.remaining_lots)
        engine.trade_id_last += 1
        events.append(Trade(sequence, timestamp_ns, engine.trade_id_last, book.instrument_id, price_ticks,
                            fill_lots, taker.side, maker.order_id, taker.order_id, maker.account_id,
                            taker.account_id))
        _fill(engine, book, maker, fill_lots, events, sequence, timestamp_ns)
        _fill(engine, book, taker, fill_lots, events, sequence, timestamp_ns)
        book.last_trade_price_ticks = price_ticks
        book.set_reference(price_ticks)


def uncross(engine, book: OrderBook, events: list, sequence: int, timestamp_ns: int) -> None:
    """Execute a crossed book at equilibrium prices until it no longer crosses."""
    while _crossed(book):
        _execute_at(engine, book, equilibrium_price(book), events, sequence, timestamp_ns)
        book.update_sequence = sequence
