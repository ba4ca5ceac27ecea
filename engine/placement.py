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

from engine.book import Level, OrderBook, RestingOrder
from engine.commands import MarketState, OrderType, PlaceOrder, Side, TimeInForce
from engine.events import (DoneReason, ExpireReason, OrderAccepted, OrderDone, OrderExpired, OrderRejected,
                           OrderTriggered)
from engine.index import AccountOrders
from engine.matching import fillable, sweep
from engine.reject import RejectCode
from engine.stops import candidate, park, unpark

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
            and command.client_order_id is None and not command.post_only and book.market_state is _OPEN:
        # Hot path, a plain limit order: one expression that holds exactly when place_problem finds
        # nothing (min_quantity_lots >= 1 and band low >= 1 imply positive quantity and price);
        # when it fails, the ladder names the first broken rule.
        instrument, quantity_lots, price_ticks = book.instrument, command.quantity_lots, command.price_ticks
        if price_ticks is not None and instrument.min_quantity_lots <= quantity_lots <= instrument.max_quantity_lots \
                and book.band_low_ticks <= price_ticks <= book.band_high_ticks \
                and price_ticks * quantity_lots >= instrument.min_notional_tick_lots \
                and command.order_id not in engine.index.orders:
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
    account = index.by_account.get(order.account_id)
    if account is None:
        account = index.by_account[order.account_id] = AccountOrders()
    account.orders[order.order_id] = order
    if len(account.orders) > account.compact_at:
        account.compact(index.orders)
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
        if order.order_type is _STOP_LIMIT and \
                not book.band_low_ticks <= order.price_ticks <= book.band_high_ticks:
            end(engine, order, ExpireReason.PRICE_OUT_OF_BAND, events, sequence, timestamp_ns)
            continue
        execute(engine, book, order, events, sequence, timestamp_ns)
