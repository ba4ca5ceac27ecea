"""The hot path: sweep an incoming (taker) order through the opposite side of a book.

Price-time priority: best price first, oldest order first within a price; a
trade prints at the maker's price. The taker's limit is its own price, or for
market orders the edge of the price band fixed at the start of the command,
so a market order never trades outside the band (the exchange holds funds
for a market BUY at the band's high price, and that hold always suffices).

Self-trade prevention follows the taker's stp_mode when the next maker in
priority belongs to the taker's account: EXPIRE_TAKER stops the sweep (the
taker's rest expires), EXPIRE_MAKER expires that maker and goes on,
EXPIRE_BOTH expires the maker and stops. A self-trade is never printed.

Written for speed: locals bound once, events built positionally, no helper
calls per fill. The sweep works for both sides because bids are keyed by
negated price (see book.py).
"""
from engine.book import OrderBook, RestingOrder
from engine.commands import Side, StpMode
from engine.events import DoneReason, ExpireReason, OrderDone, OrderExpired, Trade
from engine.index import OrderIndex

_BUY = Side.BUY
_EXPIRE_TAKER = StpMode.EXPIRE_TAKER
_EXPIRE_MAKER = StpMode.EXPIRE_MAKER
_FILLED = DoneReason.FILLED
_EXPIRED = DoneReason.EXPIRED
_STP_MAKER = ExpireReason.STP_MAKER


def sweep(index: OrderIndex, book: OrderBook, taker: RestingOrder, limit_price_ticks: int,
          events: list, sequence: int, timestamp_ns: int, trade_id_last: int) -> tuple[int, bool]:
    """Match `taker` up to its limit; returns (last trade id, stopped by self-trade prevention)."""
    if taker.side is _BUY:
        opposite, limit_key = 1, limit_price_ticks
    else:
        opposite, limit_key = 0, -limit_price_ticks
    levels = book.sides[opposite]
    best_keys = book.best_keys
    taker_side = taker.side
    taker_id = taker.order_id
    taker_account = taker.account_id
    instrument_id = book.instrument_id
    orders, by_account, by_client_id = index.orders, index.by_account, index.by_client_id
    append = events.append
    remaining = taker.remaining_lots
    last_price = 0
    stp_stop = False
    while remaining:
        key = best_keys[opposite]
        if key is None or key > limit_key:
            break
        level = levels[key]
        price = level.price_ticks
        queue = level.orders
        while queue:
            maker = queue[0]
            maker_remaining = maker.remaining_lots
            if not maker_remaining:
                queue.popleft()
                continue
            if maker.account_id == taker_account:
                if taker.stp_mode is not _EXPIRE_TAKER:
                    queue.popleft()
                    _expire_own_maker(index, book, level, maker, events, sequence, timestamp_ns)
                if taker.stp_mode is not _EXPIRE_MAKER:
                    stp_stop = True
                    break
                continue
            fill = maker_remaining if maker_remaining < remaining else remaining
            trade_id_last += 1
            append(Trade(sequence, timestamp_ns, trade_id_last, instrument_id, price, fill, taker_side,
                         maker.order_id, taker_id, maker.account_id, taker_account))
            remaining -= fill
            level.quantity_lots -= fill
            level.sequence = sequence
            maker.filled_lots += fill
            last_price = price
            if fill == maker_remaining:
                maker.remaining_lots = 0
                queue.popleft()
                level.count -= 1
                # index.discard(maker), inlined: this runs once per filled maker.
                maker_id, maker_account = maker.order_id, maker.account_id
                del orders[maker_id]
                account_orders = by_account[maker_account]
                del account_orders[maker_id]
                if not account_orders:
                    del by_account[maker_account]
                if maker.client_order_id is not None:
                    del by_client_id[(maker_account, maker.client_order_id)]
                append(OrderDone(sequence, timestamp_ns, maker_id, maker_account, instrument_id,
                                 maker.side, maker.filled_lots, 0, _FILLED))
            else:
                maker.remaining_lots = maker_remaining - fill
            if not remaining:
                break
        if not level.count:
            book.drop_level(opposite, key, sequence)
        if stp_stop:
            break
    if last_price:
        taker.filled_lots += taker.remaining_lots - remaining
        taker.remaining_lots = remaining
        book.last_trade_price_ticks = last_price
        book.set_reference(last_price)
        book.update_sequence = sequence
    return trade_id_last, stp_stop


def _expire_own_maker(index: OrderIndex, book: OrderBook, level, maker: RestingOrder, events: list,
                      sequence: int, timestamp_ns: int) -> None:
    """Self-trade prevention took `maker` (already popped from its queue) off the book."""
    remaining_lots = maker.remaining_lots
    level.count -= 1
    level.quantity_lots -= remaining_lots
    level.sequence = sequence
    maker.remaining_lots = 0
    index.discard(maker)
    events.append(OrderExpired(sequence, timestamp_ns, maker.order_id, maker.account_id, maker.instrument_id,
                               remaining_lots, _STP_MAKER))
    events.append(OrderDone(sequence, timestamp_ns, maker.order_id, maker.account_id, maker.instrument_id,
                            maker.side, maker.filled_lots, remaining_lots, _EXPIRED))
    book.update_sequence = sequence


def fillable(book: OrderBook, taker: RestingOrder, limit_price_ticks: int) -> bool:
    """Would a sweep fill `taker` completely? Read-only, for FOK; O(orders walked)."""
    if taker.side is _BUY:
        levels, limit_key = book.asks, limit_price_ticks
    else:
        levels, limit_key = book.bids, -limit_price_ticks
    needed = taker.remaining_lots
    for key, level in levels.items():
        if key > limit_key:
            return False
        for maker in level.orders:
            if not maker.remaining_lots:
                continue
            if maker.account_id == taker.account_id:
                if taker.stp_mode is _EXPIRE_MAKER:
                    continue
                return False
            needed -= maker.remaining_lots
            if needed <= 0:
                return True
    return False
