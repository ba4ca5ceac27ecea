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
After an order's own matching, trigger_stops runs the stops its trades reached
(the order is in stops.py).

Hot path: a plain limit order (no stop, no client id, not post-only, market
OPEN) is checked by one boolean expression that holds exactly when the ladder
finds nothing, and a non-crossing remainder rests without a helper call; each
Python call costs about as much as a dozen checks here (see
benchmarks/results/engine.md). The stateful test against the reference model
guards these shortcuts.
"""
import re

from engine.book import OrderBook, RestingOrder
from engine.commands import MarketState, OrderType, PlaceOrder, Side, TimeInForce
from engine.events import OrderAccepted, OrderRejected
from engine.execution import execute
from engine.reject import RejectCode
from engine.stops import park, trigger_stops

CLIENT_ORDER_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")

_BUY = Side.BUY
_LIMIT = OrderType.LIMIT
_STOP_LIMIT = OrderType.STOP_LIMIT
_STOP_MARKET = OrderType.STOP_MARKET
_GTC = TimeInForce.GTC
_OPEN = MarketState.OPEN


def _special_shape_problem(command: PlaceOrder) -> RejectCode | None:
    """Price-field rules of the order types other than LIMIT (off the hot path)."""
    order_type = command.order_type
    if order_type is _STOP_LIMIT:
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
    return None


def _market_state_problem(command: PlaceOrder, market_state: MarketState) -> RejectCode | None:
    if market_state is MarketState.HALTED:
        return RejectCode.MARKET_HALTED
    if market_state is MarketState.CANCEL_ONLY:
        return RejectCode.MARKET_CANCEL_ONLY
    resting_limit = command.order_type is _LIMIT and command.time_in_force is _GTC
    if market_state is MarketState.POST_ONLY and not resting_limit:
        return RejectCode.MARKET_POST_ONLY
    if market_state is MarketState.AUCTION and not resting_limit:
        return RejectCode.MARKET_AUCTION_LIMIT_ONLY
    return None


def _book_problem(command: PlaceOrder, book: OrderBook) -> RejectCode | None:
    """Stop trigger side and post-only crossing: rules that read the book."""
    stop_price_ticks = command.stop_price_ticks
    if stop_price_ticks is not None:
        trigger_basis = book.last_trade_price_ticks or book.reference_price_ticks
        if (stop_price_ticks <= trigger_basis) if command.side is _BUY else (stop_price_ticks >= trigger_basis):
            return RejectCode.STOP_WOULD_TRIGGER_IMMEDIATELY
    if command.post_only or book.market_state is MarketState.POST_ONLY:
        if command.side is _BUY:
            crosses = book.best_keys[1] is not None and command.price_ticks >= book.best_keys[1]
        else:
            crosses = book.best_keys[0] is not None and command.price_ticks <= -book.best_keys[0]
        if crosses:
            return RejectCode.POST_ONLY_WOULD_CROSS
    return None


def place_problem(engine, command: PlaceOrder, book: OrderBook | None) -> RejectCode | None:
    """The first rule `command` breaks, in the documented precedence, or None to accept it."""
    if book is None:
        return RejectCode.INSTRUMENT_UNKNOWN
    instrument = book.instrument
    quantity_lots = command.quantity_lots
    if quantity_lots <= 0:
        return RejectCode.QUANTITY_MUST_BE_POSITIVE
    if quantity_lots < instrument.min_quantity_lots:
        return RejectCode.QUANTITY_BELOW_MINIMUM
    if quantity_lots > instrument.max_quantity_lots:
        return RejectCode.QUANTITY_ABOVE_MAXIMUM
    price_ticks = command.price_ticks
    stop_price_ticks = command.stop_price_ticks
    if command.order_type is _LIMIT:
        if price_ticks is None:
            return RejectCode.PRICE_REQUIRED
        if price_ticks <= 0:
            return RejectCode.PRICE_MUST_BE_POSITIVE
        if stop_price_ticks is not None:
            return RejectCode.STOP_PRICE_NOT_ALLOWED
    else:
        problem = _special_shape_problem(command)
        if problem is not None:
            return problem
    if command.post_only and (command.order_type is not _LIMIT or command.time_in_force is not _GTC):
        return RejectCode.POST_ONLY_REQUIRES_LIMIT_GTC
    client_order_id = command.client_order_id
    if client_order_id is not None and not CLIENT_ORDER_ID.match(client_order_id):
        return RejectCode.CLIENT_ORDER_ID_INVALID
    if command.order_id in engine.index.orders:
        return RejectCode.ORDER_ID_IN_USE
    if client_order_id is not None and (command.account_id, client_order_id) in engine.index.by_client_id:
        return RejectCode.CLIENT_ORDER_ID_IN_USE
    if book.market_state is not _OPEN:
        problem = _market_state_problem(command, book.market_state)
        if problem is not None:
            return problem
    low, high = book.band_low_ticks, book.band_high_ticks
    if price_ticks is not None and not low <= price_ticks <= high:
        return RejectCode.PRICE_OUT_OF_BAND
    if stop_price_ticks is not None and not low <= stop_price_ticks <= high:
        return RejectCode.PRICE_OUT_OF_BAND
    if (price_ticks or stop_price_ticks or book.reference_price_ticks) * quantity_lots \
            < instrument.min_notional_tick_lots:
        return RejectCode.NOTIONAL_BELOW_MINIMUM
    if stop_price_ticks is not None or command.post_only or book.market_state is not _OPEN:
        return _book_problem(command, book)
    return None


def place(engine, command: PlaceOrder, sequence: int, timestamp_ns: int) -> list:
    """Validate, then record and park (stop) or execute the order; returns its events."""
    book = engine.books.get(command.instrument_id)
    if book is not None and command.order_type is _LIMIT and command.stop_price_ticks is None \
            and not command.post_only and book.market_state is _OPEN:
        # Hot path, a plain limit order (most carry a client order id: ccxt always sends one): one
        # expression that holds exactly when place_problem finds nothing (min_quantity_lots >= 1 and
        # band low >= 1 imply positive quantity and price); when it fails, the ladder names the first
        # broken rule.
        instrument, quantity_lots, price_ticks = book.instrument, command.quantity_lots, command.price_ticks
        client_order_id = command.client_order_id
        if price_ticks is not None and instrument.min_quantity_lots <= quantity_lots <= instrument.max_quantity_lots \
                and book.band_low_ticks <= price_ticks <= book.band_high_ticks \
                and price_ticks * quantity_lots >= instrument.min_notional_tick_lots \
                and command.order_id not in engine.index.orders \
                and (client_order_id is None or (CLIENT_ORDER_ID.match(client_order_id) is not None and
                                                 (command.account_id, client_order_id) not in engine.index.by_client_id)):
            problem = None
        else:
            problem = place_problem(engine, command, book)
    else:
        problem = place_problem(engine, command, book)
    if problem is not None:
        return [OrderRejected(sequence, timestamp_ns, problem, "place_order", command.order_id,
                              command.account_id, command.instrument_id, command.client_order_id)]
    quantity_lots = command.quantity_lots
    client_order_id = command.client_order_id
    order = RestingOrder(command.order_id, command.account_id, command.instrument_id, client_order_id, command.side,
                         command.price_ticks, quantity_lots, quantity_lots, 0, command,
                         command.stop_price_ticks is not None)
    events = [OrderAccepted(sequence, timestamp_ns, command)]
    # engine.index.add(order), inlined: this runs once per accepted order.
    index = engine.index
    index.orders[order.order_id] = order
    if client_order_id is not None:
        index.by_client_id[(order.account_id, client_order_id)] = order
    account_orders = index.by_account.get(order.account_id)
    if account_orders is None:
        index.by_account[order.account_id] = {order.order_id: order}
    else:
        account_orders[order.order_id] = order
    if order.waiting_for_trigger:
        if order.order_type is _STOP_MARKET:
            order.protection_price_ticks = book.band_high_ticks if order.side is _BUY else book.band_low_ticks
        park(book, order)
        return events
    trade_id_before = engine.trade_id_last
    execute(engine, book, order, events, sequence, timestamp_ns)
    if engine.trade_id_last != trade_id_before and (book.buy_stops or book.sell_stops):
        trigger_stops(engine, book, events, sequence, timestamp_ns)
    return events
