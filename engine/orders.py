"""Cancel, cancel-all and amend of open orders.

Cancels are allowed in every market state (a halt must never trap an order).
Cancel-all cancels in ascending order id, so its events are deterministic.

Amend applies to resting limit orders only (a parked stop is cancelled and
placed again instead). `new_quantity_lots` is the new OPEN quantity. Quantity
down at the same price keeps time priority; a price change or a quantity up
re-queues the order at the tail of its (new) level. An amend never matches:
a new price that would cross the opposite best is refused (AMEND_WOULD_CROSS),
so an amend can only ever change what rests. Min notional and the band are
checked only when the amend adds risk (price change or quantity up).
"""
from engine.book import DEAD_SLACK, OrderBook, RestingOrder
from engine.commands import AmendOrder, CancelAll, CancelOrder, MarketState, Side
from engine.events import DoneReason, OrderAmended, OrderCancelled, OrderDone, OrderRejected
from engine.reject import RejectCode
from engine.stops import unpark

_CANCELLED = DoneReason.CANCELLED


def _rejected(code: RejectCode, command_type: str, sequence: int, timestamp_ns: int, order_id=None,
              account_id=None, instrument_id=None, client_order_id=None) -> list:
    return [OrderRejected(sequence, timestamp_ns, code, command_type, order_id, account_id,
                          instrument_id, client_order_id)]


def cancel_one(engine, book: OrderBook, order: RestingOrder, sequence: int, timestamp_ns: int) -> list:
    """Take an open order off the book or out of the stops; returns its last two events."""
    remaining_lots = order.remaining_lots
    if order.waiting_for_trigger:
        unpark(book, order)
        order.remaining_lots = 0
        engine.index.discard(order)
    else:
        # book.unrest(order) and engine.index.discard(order), inlined: the cancel hot path.
        if order.side is Side.BUY:
            side_index, key = 0, -order.price_ticks
        else:
            side_index, key = 1, order.price_ticks
        level = book.sides[side_index][key]
        level.quantity_lots -= remaining_lots
        level.count -= 1
        level.sequence = book.update_sequence = sequence
        order.remaining_lots = 0
        if not level.count:
            book.drop_level(side_index, key, sequence)
        elif len(level.orders) > 2 * level.count + DEAD_SLACK:
            book.compact(level)
        index = engine.index
        order_id, account_id = order.order_id, order.account_id
        del index.orders[order_id]
        if order.client_order_id is not None:
            del index.by_client_id[(account_id, order.client_order_id)]
        account_orders = index.by_account[account_id]
        del account_orders[order_id]
        if not account_orders:
            del index.by_account[account_id]
    return [OrderCancelled(sequence, timestamp_ns, order.order_id, order.account_id, order.instrument_id,
                           remaining_lots),
            OrderDone(sequence, timestamp_ns, order.order_id, order.account_id, order.instrument_id,
                      order.side, order.filled_lots, remaining_lots, _CANCELLED)]


def cancel_order(engine, command: CancelOrder, sequence: int, timestamp_ns: int) -> list:
    """Cancel one order named by order id or client order id, of that account and instrument."""
    book = engine.books.get(command.instrument_id)
    order_id, client_order_id = command.order_id, command.client_order_id
    if book is None:
        code = RejectCode.INSTRUMENT_UNKNOWN
    elif (order_id is None) == (client_order_id is None):
        code = RejectCode.ORDER_REFERENCE_REQUIRED
    else:
        if client_order_id is None:
            order = engine.index.orders.get(order_id)
        else:
            order = engine.index.by_client_id.get((command.account_id, client_order_id))
        if order is not None and order.account_id == command.account_id and \
                order.instrument_id == command.instrument_id:
            return cancel_one(engine, book, order, sequence, timestamp_ns)
        code = RejectCode.ORDER_NOT_FOUND
    return _rejected(code, "cancel_order", sequence, timestamp_ns, order_id, command.account_id,
                     command.instrument_id, client_order_id)


def cancel_all(engine, command: CancelAll, sequence: int, timestamp_ns: int) -> list:
    """Cancel every open order matching the filters (none given: every order); O(matched)."""
    if command.instrument_id is not None and command.instrument_id not in engine.books:
        return _rejected(RejectCode.INSTRUMENT_UNKNOWN, "cancel_all", sequence, timestamp_ns,
                         account_id=command.account_id, instrument_id=command.instrument_id)
    if command.account_id is None:
        candidates = sorted(engine.index.orders.values(), key=lambda order: order.order_id)
    else:
        candidates = engine.index.of_account(command.account_id)
    chosen = [order for order in candidates
              if command.instrument_id is None or order.instrument_id == command.instrument_id]
    events: list = []
    for order in chosen:
        events.extend(cancel_one(engine, engine.books[order.instrument_id], order, sequence, timestamp_ns))
    return events


def _amend_problem(engine, command: AmendOrder, book: OrderBook | None) -> RejectCode | None:
    if book is None:
        return RejectCode.INSTRUMENT_UNKNOWN
    order = engine.index.orders.get(command.order_id)
    if order is None or order.account_id != command.account_id or order.instrument_id != command.instrument_id:
        return RejectCode.ORDER_NOT_FOUND
    if order.waiting_for_trigger:
        return RejectCode.AMEND_NOT_ALLOWED_FOR_STOP
    price_ticks = order.price_ticks if command.new_price_ticks is None else command.new_price_ticks
    quantity_lots = order.remaining_lots if command.new_quantity_lots is None else command.new_quantity_lots
    if price_ticks == order.price_ticks and quantity_lots == order.remaining_lots:
        return RejectCode.AMEND_NOTHING_TO_CHANGE
    if book.market_state is MarketState.HALTED:
        return RejectCode.MARKET_HALTED
    if book.market_state is MarketState.CANCEL_ONLY:
        return RejectCode.MARKET_CANCEL_ONLY
    if quantity_lots <= 0:
        return RejectCode.QUANTITY_MUST_BE_POSITIVE
    if price_ticks <= 0:
        return RejectCode.PRICE_MUST_BE_POSITIVE
    if order.filled_lots + quantity_lots > book.instrument.max_quantity_lots:
        return RejectCode.QUANTITY_ABOVE_MAXIMUM
    if price_ticks == order.price_ticks and quantity_lots < order.remaining_lots:
        return None
    if not book.band_low_ticks <= price_ticks <= book.band_high_ticks:
        return RejectCode.PRICE_OUT_OF_BAND
    if price_ticks * quantity_lots < book.instrument.min_notional_tick_lots:
        return RejectCode.NOTIONAL_BELOW_MINIMUM
    if book.market_state is not MarketState.AUCTION:
        if order.side is Side.BUY:
            crosses = book.best_keys[1] is not None and price_ticks >= book.best_keys[1]
        else:
            crosses = book.best_keys[0] is not None and price_ticks <= -book.best_keys[0]
        if crosses:
            return RejectCode.AMEND_WOULD_CROSS
    return None


def amend_order(engine, command: AmendOrder, sequence: int, timestamp_ns: int) -> list:
    """Change a resting order's price and/or open quantity, by the priority rule above."""
    book = engine.books.get(command.instrument_id)
    problem = _amend_problem(engine, command, book)
    if problem is not None:
        return _rejected(problem, "amend_order", sequence, timestamp_ns, command.order_id,
                         command.account_id, command.instrument_id)
    order = engine.index.orders[command.order_id]
    old_price_ticks, old_quantity_lots = order.price_ticks, order.remaining_lots
    price_ticks = old_price_ticks if command.new_price_ticks is None else command.new_price_ticks
    quantity_lots = old_quantity_lots if command.new_quantity_lots is None else command.new_quantity_lots
    priority_kept = price_ticks == old_price_ticks and quantity_lots < old_quantity_lots
    if priority_kept:
        book.reduce(order, quantity_lots, sequence)
    else:
        book.unrest(order, sequence)
        requeued = RestingOrder(order.order_id, order.account_id, order.instrument_id, order.client_order_id,
                                order.side, price_ticks, order.filled_lots + quantity_lots, quantity_lots,
                                order.filled_lots, order.command, False)
        engine.index.replace(requeued)
        book.rest(requeued, sequence)
    return [OrderAmended(sequence, timestamp_ns, order.order_id, order.account_id, order.instrument_id,
                         old_price_ticks, price_ticks, old_quantity_lots, quantity_lots, priority_kept)]
