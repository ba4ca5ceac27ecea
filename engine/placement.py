"""PlaceOrder: the validation ladder, then execution by order type and time in force.

Rules, in precedence order (the first broken one is the reject code):
quantity, price fields by order type, time in force, post-only shape, client
order id, id uniqueness, market state, price band, min notional, stop
trigger side, post-only crossing.

Design choices:
  - Post-only REJECTS when it would cross (POST_ONLY_WOULD_CROSS); it is never
    re-priced, so the price a client sends is the price that rests.
  - MARKET and STOP_MARKET take IOC or FOK only; GTC is refused, because a
    market order must never rest.
  - The band is [reference - reference*bps/10000, reference + reference*bps/10000]
    (integer division), fixed for the whole command. Limit prices and stop
    prices outside it are refused; a market order trades only inside it.
  - Min notional uses the limit price, the stop price for STOP_MARKET, and the
    reference price for MARKET.
  - A stop must not be already triggered when placed: a BUY stop needs
    stop > last trade price (reference price before the first trade), a SELL
    stop needs stop < it (STOP_WOULD_TRIGGER_IMMEDIATELY).
  - FOK checks before touching the book; if it cannot fill completely it is
    accepted then expired (FOK_NOT_FILLABLE) with no trade and no book change.
"""
import re

from engine.book import OrderBook, RestingOrder
from engine.commands import MarketState, OrderType, PlaceOrder, Side, TimeInForce
from engine.events import DoneReason, ExpireReason, OrderAccepted, OrderDone, OrderExpired
from engine.matching import fillable, sweep
from engine.reject import RejectCode

CLIENT_ORDER_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")

_BUY = Side.BUY
_LIMIT = OrderType.LIMIT
_MARKET = OrderType.MARKET
_STOP_LIMIT = OrderType.STOP_LIMIT
_STOP_MARKET = OrderType.STOP_MARKET
_GTC = TimeInForce.GTC
_FOK = TimeInForce.FOK
_OPEN = MarketState.OPEN
_EXPIRED = DoneReason.EXPIRED


def _shape_problem(command: PlaceOrder, book: OrderBook) -> RejectCode | None:
    """Rules that need only the command and the instrument."""
    instrument = book.instrument
    quantity_lots = command.quantity_lots
    if quantity_lots <= 0:
        return RejectCode.QUANTITY_MUST_BE_POSITIVE
    if quantity_lots < instrument.min_quantity_lots:
        return RejectCode.QUANTITY_BELOW_MINIMUM
    if quantity_lots > instrument.max_quantity_lots:
        return RejectCode.QUANTITY_ABOVE_MAXIMUM
    order_type = command.order_type
    if order_type is _LIMIT or order_type is _STOP_LIMIT:
        if command.price_ticks is None:
            return RejectCode.PRICE_REQUIRED
        if command.price_ticks <= 0:
            return RejectCode.PRICE_MUST_BE_POSITIVE
    else:
        if command.price_ticks is not None:
            return RejectCode.PRICE_NOT_ALLOWED
        if command.time_in_force is _GTC:
            return RejectCode.TIME_IN_FORCE_NOT_ALLOWED
    if order_type is _STOP_LIMIT or order_type is _STOP_MARKET:
        if command.stop_price_ticks is None:
            return RejectCode.STOP_PRICE_REQUIRED
        if command.stop_price_ticks <= 0:
            return RejectCode.PRICE_MUST_BE_POSITIVE
    elif command.stop_price_ticks is not None:
        return RejectCode.STOP_PRICE_NOT_ALLOWED
    if command.post_only and (order_type is not _LIMIT or command.time_in_force is not _GTC):
        return RejectCode.POST_ONLY_REQUIRES_LIMIT_GTC
    if command.client_order_id is not None and not CLIENT_ORDER_ID.match(command.client_order_id):
        return RejectCode.CLIENT_ORDER_ID_INVALID
    return None


def _market_problem(command: PlaceOrder, book: OrderBook) -> RejectCode | None:
    """Rules that depend on the market state, the band and the book."""
    market_state = book.market_state
    resting_limit = command.order_type is _LIMIT and command.time_in_force is _GTC
    if market_state is not _OPEN:
        if market_state is MarketState.HALTED:
            return RejectCode.MARKET_HALTED
        if market_state is MarketState.CANCEL_ONLY:
            return RejectCode.MARKET_CANCEL_ONLY
        if market_state is MarketState.POST_ONLY and not resting_limit:
            return RejectCode.MARKET_POST_ONLY
        if market_state is MarketState.AUCTION and not resting_limit:
            return RejectCode.MARKET_AUCTION_LIMIT_ONLY
    low, high = book.band_low_ticks, book.band_high_ticks
    price_ticks, stop_price_ticks = command.price_ticks, command.stop_price_ticks
    if price_ticks is not None and not low <= price_ticks <= high:
        return RejectCode.PRICE_OUT_OF_BAND
    if stop_price_ticks is not None and not low <= stop_price_ticks <= high:
        return RejectCode.PRICE_OUT_OF_BAND
    notional_price = price_ticks or stop_price_ticks or book.reference_price_ticks
    if notional_price * command.quantity_lots < book.instrument.min_notional_tick_lots:
        return RejectCode.NOTIONAL_BELOW_MINIMUM
    if stop_price_ticks is not None:
        trigger_basis = book.last_trade_price_ticks or book.reference_price_ticks
        if (stop_price_ticks <= trigger_basis) if command.side is _BUY else (stop_price_ticks >= trigger_basis):
            return RejectCode.STOP_WOULD_TRIGGER_IMMEDIATELY
    if command.post_only or market_state is MarketState.POST_ONLY:
        if command.side is _BUY:
            crosses = bool(book.asks) and price_ticks >= book.asks.peekitem(0)[0]
        else:
            crosses = bool(book.bids) and price_ticks <= -book.bids.peekitem(0)[0]
        if crosses:
            return RejectCode.POST_ONLY_WOULD_CROSS
    return None


def place_problem(engine, command: PlaceOrder, book: OrderBook | None) -> RejectCode | None:
    """The first rule `command` breaks, or None when it may be accepted."""
    if book is None:
        return RejectCode.INSTRUMENT_UNKNOWN
    problem = _shape_problem(command, book)
    if problem is not None:
        return problem
    if command.order_id in engine.index.orders:
        return RejectCode.ORDER_ID_IN_USE
    if command.client_order_id is not None and \
            (command.account_id, command.client_order_id) in engine.index.by_client_id:
        return RejectCode.CLIENT_ORDER_ID_IN_USE
    return _market_problem(command, book)


def accept(engine, command: PlaceOrder, book: OrderBook, events: list, sequence: int,
           timestamp_ns: int) -> None:
    """Record a valid order, then park it (stop) or execute it."""
    order = RestingOrder(
        command.order_id, command.account_id, command.instrument_id, command.client_order_id,
        command.side, command.order_type, command.time_in_force, command.price_ticks,
        command.stop_price_ticks, command.quantity_lots, command.post_only, command.stp_mode)
    events.append(OrderAccepted(
        sequence, timestamp_ns, order.order_id, order.account_id, order.instrument_id,
        order.client_order_id, order.side, order.order_type, order.time_in_force, order.price_ticks,
        order.stop_price_ticks, order.quantity_lots, order.post_only, order.stp_mode))
    engine.index.add(order)
    if order.waiting_for_trigger:
        if order.order_type is _STOP_MARKET:
            order.protection_price_ticks = book.band_high_ticks if order.side is _BUY else book.band_low_ticks
        park(book, order)
        return
    execute(engine, book, order, events, sequence, timestamp_ns)


def park(book: OrderBook, order: RestingOrder) -> None:
    """Queue a stop behind earlier stops at the same trigger price."""
    if order.side is _BUY:
        stops, key = book.buy_stops, order.stop_price_ticks
    else:
        stops, key = book.sell_stops, -order.stop_price_ticks
    queue = stops.get(key)
    if queue is None:
        stops[key] = [order]
    else:
        queue.append(order)


def execute(engine, book: OrderBook, order: RestingOrder, events: list, sequence: int,
            timestamp_ns: int) -> None:
    """Match a live (new or just triggered) order, then rest it or end it."""
    is_market = order.order_type is _MARKET or order.order_type is _STOP_MARKET
    if is_market:
        limit_ticks = book.band_high_ticks if order.side is _BUY else book.band_low_ticks
        if order.protection_price_ticks is not None:
            limit_ticks = min(limit_ticks, order.protection_price_ticks) if order.side is _BUY \
                else max(limit_ticks, order.protection_price_ticks)
    else:
        limit_ticks = order.price_ticks
    if book.market_state is not _OPEN:
        # POST_ONLY and AUCTION accept only resting limits that were checked not to need matching.
        book.rest(order)
        book.update_sequence = sequence
        return
    if order.time_in_force is _FOK and not fillable(book, order, limit_ticks):
        end(engine, order, ExpireReason.FOK_NOT_FILLABLE, events, sequence, timestamp_ns)
        return
    engine.trade_id_last, stp_stopped = sweep(
        engine.index, book, order, limit_ticks, events, sequence, timestamp_ns, engine.trade_id_last)
    if not order.remaining_lots:
        engine.index.discard(order)
        events.append(OrderDone(sequence, timestamp_ns, order.order_id, order.account_id,
                                order.instrument_id, order.side, order.filled_lots, 0, DoneReason.FILLED))
    elif stp_stopped:
        end(engine, order, ExpireReason.STP_TAKER, events, sequence, timestamp_ns)
    elif is_market:
        end(engine, order, ExpireReason.MARKET_REMAINDER, events, sequence, timestamp_ns)
    elif order.time_in_force is not _GTC:
        end(engine, order, ExpireReason.IOC_REMAINDER, events, sequence, timestamp_ns)
    else:
        book.rest(order)
        book.update_sequence = sequence


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
