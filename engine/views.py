"""Read-only answers to queries: copies, so callers can never touch live engine objects."""
import msgspec

from engine.book import RestingOrder
from engine.commands import OrderType, Side, StpMode, TimeInForce


class OrderView(msgspec.Struct, frozen=True, kw_only=True):
    """An open order as it stands: resting in the book, or a stop waiting for its trigger."""

    order_id: int
    account_id: int
    instrument_id: int
    client_order_id: str | None
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int | None
    stop_price_ticks: int | None
    quantity_lots: int  # Submitted, as amended.
    filled_lots: int
    remaining_lots: int  # Open: quantity_lots - filled_lots.
    post_only: bool
    stp_mode: StpMode
    waiting_for_trigger: bool


class Depth(msgspec.Struct, frozen=True, kw_only=True):
    """Aggregated top of book, best level first on each side."""

    instrument_id: int
    sequence: int  # Sequence of the last command that changed this book.
    bids: list[tuple[int, int]]  # (price_ticks, quantity_lots)
    asks: list[tuple[int, int]]


class DepthDiff(msgspec.Struct, frozen=True, kw_only=True):
    """Levels that changed after `since_sequence`, up to `sequence`; quantity 0 means the level is gone."""

    instrument_id: int
    since_sequence: int
    sequence: int
    bids: list[tuple[int, int]]  # (price_ticks, quantity_lots), best first
    asks: list[tuple[int, int]]


def order_view(order: RestingOrder) -> OrderView:
    return OrderView(
        order_id=order.order_id, account_id=order.account_id, instrument_id=order.instrument_id,
        client_order_id=order.client_order_id, side=order.side, order_type=order.order_type,
        time_in_force=order.time_in_force, price_ticks=order.price_ticks,
        stop_price_ticks=order.stop_price_ticks, quantity_lots=order.quantity_lots,
        filled_lots=order.filled_lots, remaining_lots=order.remaining_lots,
        post_only=order.post_only, stp_mode=order.stp_mode,
        waiting_for_trigger=order.waiting_for_trigger,
    )
