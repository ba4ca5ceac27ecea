"""History reads the Binance API needs that the store answers only by paging forward.

The store reads trades "after trade id X, oldest first" (`read_trades`). Trade ids grow
with the sequence and with time, so a bisection over trade ids finds where a sequence or a
time starts in O(log trades) single-row reads; the account's trades are then read forward
in pages. Costs (each step one indexed query):
  * `latest_trades`: the newest `limit` trades before an id, windows growing x4 from the top.
  * `executed_quote`: the quote an order spent or received (Binance's cummulativeQuoteQty),
    which order records do not keep: its fills lie between its creating and its last
    updating sequence, read forward until every order's filled quantity is accounted for.
"""
from api.binance.shapes import quote_units_of

PAGE_TRADES = 1_000
FIRST_WINDOW_FACTOR = 4


async def first_after(store, last_trade_id: int, reached) -> int:
    """The smallest `after` such that the first trade after it satisfies `reached` (a monotone test)."""
    low, high = 0, last_trade_id
    while low < high:
        middle = (low + high) // 2
        page = await store.read_trades(after_trade_id=middle, limit=1)
        if not page or reached(page[0]):
            high = middle
        else:
            low = page[0].trade_id
    return low


async def latest_trades(store, account_id: int, instrument_id: int | None, before_id: int, limit: int) -> list:
    """The account's newest `limit` trades with trade_id <= before_id, oldest first."""
    window = limit * FIRST_WINDOW_FACTOR
    while True:
        after = max(0, before_id - window)
        # At most before_id - after trades exist in (after, before_id]: that many rows hold them all.
        rows = await store.read_trades(account_id, instrument_id, after, max(before_id - after, 1))
        rows = [t for t in rows if t.trade_id <= before_id]
        if len(rows) >= limit or after == 0:
            return rows[-limit:]
        window *= FIRST_WINDOW_FACTOR


async def trades_forward(store, account_id: int, instrument_id: int | None, after: int, limit: int,
                         end_ns: int | None) -> list:
    rows = await store.read_trades(account_id, instrument_id, after, limit)
    return rows if end_ns is None else [t for t in rows if t.timestamp_ns <= end_ns]


async def trades_of_orders(store, venue, account_id: int, records) -> list:
    """The trades, oldest first, of every record with a fill: read forward from its creating sequence."""
    lots_left = {r.order_id: r.filled_lots for r in records if r.filled_lots > 0}
    if not lots_left:
        return []
    filled = [r for r in records if r.order_id in lots_left]
    instrument_ids = {r.instrument_id for r in filled}
    instrument_id = next(iter(instrument_ids)) if len(instrument_ids) == 1 else None
    first_sequence = min(r.created_sequence for r in filled)
    last_sequence = max(r.updated_sequence for r in filled)
    after = await first_after(store, venue.engine.trade_id_last, lambda t: t.sequence >= first_sequence)
    found = []
    while lots_left:
        page = await store.read_trades(account_id, instrument_id, after, PAGE_TRADES)
        for trade in page:
            if trade.sequence > last_sequence:
                return found
            touched = [o for o in (trade.maker_order_id, trade.taker_order_id) if o in lots_left]
            if touched:
                found.append(trade)
            for order_id in touched:
                lots_left[order_id] -= trade.quantity_lots
                if lots_left[order_id] <= 0:
                    del lots_left[order_id]
        if len(page) < PAGE_TRADES:
            return found
        after = page[-1].trade_id
    return found


async def executed_quote(store, venue, account_id: int, records) -> dict[int, int]:
    """order_id -> quote units of its fills (Binance's cummulativeQuoteQty); 0 for an order without fills."""
    totals = {r.order_id: 0 for r in records}
    for trade in await trades_of_orders(store, venue, account_id, records):
        instrument = venue.engine.instrument(trade.instrument_id)
        for order_id in (trade.maker_order_id, trade.taker_order_id):
            if order_id in totals:
                totals[order_id] += quote_units_of(instrument, trade.price_ticks, trade.quantity_lots)
    return totals
