"""Snapshot and state hash: one canonical msgpack encoding of the whole engine state.

Canonical means: instruments by id, resting orders bids-best-first then
asks-best-first and oldest first within a level, stops in trigger order,
cancelled (dead) queue entries left out. Two engines that behave the same
from now on encode to the same bytes, so state_hash() = sha256(snapshot())
compares states, and restore(snapshot()) rebuilds the same queues, levels,
indexes and counters.
"""
import hashlib

import msgspec

from engine.book import OrderBook, RestingOrder
from engine.commands import MarketState, OrderType, PlaceOrder, Side, StpMode, TimeInForce
from engine.instrument import Instrument
from engine.stops import park

SNAPSHOT_VERSION = 1


class OrderRecord(msgspec.Struct, array_like=True, frozen=True):
    order_id: int
    account_id: int
    client_order_id: str | None
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int | None
    stop_price_ticks: int | None
    quantity_lots: int
    remaining_lots: int
    filled_lots: int
    post_only: bool
    stp_mode: StpMode
    protection_price_ticks: int | None
    waiting_for_trigger: bool
    command_price_ticks: int | None  # As placed, before any amend (OrderView shows the amended one).
    command_quantity_lots: int


class BookRecord(msgspec.Struct, array_like=True, frozen=True):
    instrument: Instrument
    market_state: MarketState
    reference_price_ticks: int
    last_trade_price_ticks: int | None
    update_sequence: int
    resting: list[OrderRecord]
    stops: list[OrderRecord]


class EngineRecord(msgspec.Struct, array_like=True, frozen=True):
    version: int
    trade_id_last: int
    books: list[BookRecord]


def _record(order: RestingOrder) -> OrderRecord:
    return OrderRecord(
        order.order_id, order.account_id, order.client_order_id, order.side, order.order_type,
        order.time_in_force, order.price_ticks, order.stop_price_ticks, order.quantity_lots,
        order.remaining_lots, order.filled_lots, order.post_only, order.stp_mode,
        order.protection_price_ticks, order.waiting_for_trigger, order.command.price_ticks,
        order.command.quantity_lots)


def _order(record: OrderRecord, instrument_id: int) -> RestingOrder:
    command = PlaceOrder(
        order_id=record.order_id, account_id=record.account_id, instrument_id=instrument_id,
        client_order_id=record.client_order_id, side=record.side, order_type=record.order_type,
        time_in_force=record.time_in_force, price_ticks=record.command_price_ticks,
        stop_price_ticks=record.stop_price_ticks, quantity_lots=record.command_quantity_lots,
        post_only=record.post_only, stp_mode=record.stp_mode)
    return RestingOrder(record.order_id, record.account_id, instrument_id, record.client_order_id, record.side,
                        record.price_ticks, record.quantity_lots, record.remaining_lots, record.filled_lots,
                        command, record.waiting_for_trigger, record.protection_price_ticks)


def encode(engine) -> bytes:
    """The canonical snapshot bytes; O(open orders)."""
    books = [
        BookRecord(book.instrument, book.market_state, book.reference_price_ticks,
                   book.last_trade_price_ticks, book.update_sequence,
                   [_record(order) for order in book.resting_orders()],
                   [_record(order) for order in book.stop_orders()])
        for _, book in sorted(engine.books.items())
    ]
    return msgspec.msgpack.encode(EngineRecord(SNAPSHOT_VERSION, engine.trade_id_last, books))


def state_hash(engine) -> str:
    return hashlib.sha256(encode(engine)).hexdigest()


def decode_into(engine, data: bytes) -> None:
    """Fill an empty engine from snapshot bytes; raises msgspec.ValidationError on bad data."""
    record = msgspec.msgpack.decode(data, type=EngineRecord)
    if record.version != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {record.version}, expected {SNAPSHOT_VERSION}")
    engine.trade_id_last = record.trade_id_last
    for book_record in record.books:
        book = OrderBook(book_record.instrument, book_record.reference_price_ticks)
        book.market_state = book_record.market_state
        book.last_trade_price_ticks = book_record.last_trade_price_ticks
        engine.books[book.instrument_id] = book
        for order_record in book_record.resting:
            order = _order(order_record, book.instrument_id)
            book.rest(order, book_record.update_sequence)
            engine.index.add(order)
        book.update_sequence = book.diff_floor_sequence = book_record.update_sequence
        for order_record in book_record.stops:
            order = _order(order_record, book.instrument_id)
            park(book, order)
            engine.index.add(order)
