"""Execution of an accepted order: match it, then rest it or end it by its type and time in force.

Used for new orders (placement.py) and for stops when they trigger (stops.py).
A market order's limit is the band edge (and a triggered STOP_MARKET's
protection price), so it never trades outside the band. Outside the OPEN
state only resting limits reach here (POST_ONLY and AUCTION), and they rest.
"""
from engine.book import Level, OrderBook, RestingOrder
from engine.commands import MarketState, OrderType, Side, TimeInForce
from engine.events import DoneReason, ExpireReason, OrderDone, OrderExpired
from engine.matching import fillable, sweep

_BUY = Side.BUY
_MARKET = OrderType.MARKET
_STOP_MARKET = OrderType.STOP_MARKET
_GTC = TimeInForce.GTC
_FOK = TimeInForce.FOK
_OPEN = MarketState.OPEN
_EXPIRED = DoneReason.EXPIRED


def _market_limit(book: OrderBook, order: RestingOrder) -> int:
    """Worst price a market order may trade at: the band edge, and a stop's protection price."""
    if order.side is _BUY:
        limit_ticks = book.band_high_ticks
        if order.protection_price_ticks is not None:
            limit_ticks = min(limit_ticks, order.protection_price_ticks)
    else:
        limit_ticks = book.band_low_ticks
        if order.protection_price_ticks is not None:
            limit_ticks = max(limit_ticks, order.protection_price_ticks)
    return limit_ticks


def execute(engine, book: OrderBook, order: RestingOrder, events: list, sequence: int,
            timestamp_ns: int) -> None:
    """Match a live (new or just triggered) order, then rest it or end it."""
    command = order.command
    order_type, time_in_force = command.order_type, command.time_in_force
    is_market = order_type is _MARKET or order_type is _STOP_MARKET
    limit_ticks = _market_limit(book, order) if is_market else order.price_ticks
    if book.market_state is not _OPEN:
        # POST_ONLY and AUCTION accept only resting limits that were checked not to need matching.
        book.rest(order, sequence)
        return
    if order.side is _BUY:
        best_key = book.best_keys[1]
        crosses = best_key is not None and best_key <= limit_ticks
    else:
        best_key = book.best_keys[0]
        crosses = best_key is not None and best_key <= -limit_ticks
    stp_stopped = False
    if crosses and (time_in_force is not _FOK or fillable(book, order, limit_ticks)):
        engine.trade_id_last, stp_stopped = sweep(
            engine.index, book, order, limit_ticks, events, sequence, timestamp_ns, engine.trade_id_last)
    elif time_in_force is _FOK:
        end(engine, order, ExpireReason.FOK_NOT_FILLABLE, events, sequence, timestamp_ns)
        return
    if not order.remaining_lots:
        engine.index.discard(order)
        events.append(OrderDone(sequence, timestamp_ns, order.order_id, order.account_id,
                                order.instrument_id, order.side, order.filled_lots, 0, DoneReason.FILLED))
    elif stp_stopped:
        end(engine, order, ExpireReason.STP_TAKER, events, sequence, timestamp_ns)
    elif is_market:
        end(engine, order, ExpireReason.MARKET_REMAINDER, events, sequence, timestamp_ns)
    elif time_in_force is not _GTC:
        end(engine, order, ExpireReason.IOC_REMAINDER, events, sequence, timestamp_ns)
    else:
        # book.rest(order), inlined: most orders end here.
        if order.side is _BUY:
            side_index, key = 0, -order.price_ticks
        else:
            side_index, key = 1, order.price_ticks
        levels = book.sides[side_index]
        level = levels.get(key)
        if level is None:
            level = Level(order.price_ticks, sequence)
            levels[key] = level
            best_key = book.best_keys[side_index]
            if best_key is None or key < best_key:
                book.best_keys[side_index] = key
        level.orders.append(order)
        level.quantity_lots += order.remaining_lots
        level.count += 1
        level.sequence = book.update_sequence = sequence


def end(engine, order: RestingOrder, reason: ExpireReason, events: list, sequence: int,
        timestamp_ns: int) -> None:
    """Expire an order that is not resting in a level: its last two events."""
    remaining_lots = order.remaining_lots
    order.remaining_lots = 0
    engine.index.discard(order)
    events.append(OrderExpired(sequence, timestamp_ns, order.order_id, order.account_id,
                               order.instrument_id, remaining_lots, reason))
    events.append(OrderDone(sequence, timestamp_ns, order.order_id, order.account_id,
                            order.instrument_id, order.side, order.filled_lots, remaining_lots, _EXPIRED))
