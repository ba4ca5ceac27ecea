"""Events out of the engine: what happened, in order, each with its command's sequence.

Lifecycle contract the exchange relies on to release held funds:
  - a rejected PlaceOrder yields exactly one OrderRejected and nothing else;
  - an accepted order yields OrderAccepted first, then Trades (it as taker),
    and, when it leaves the book for good (filled, cancelled, expired, STP,
    IOC/market remainder, FOK kill, stop refused after trigger), exactly one
    OrderDone, which is the last event about that order;
  - a resting maker that is filled gets its OrderDone right after its last Trade.
Quantities in OrderCancelled / OrderExpired / OrderDone are the order's open
(unfilled) lots at that moment. Fields are positional in this order so the
matching hot path can build events cheaply; JSON uses the field names.
"""
import enum

import msgspec

from engine.commands import MarketState, PlaceOrder, Side
from engine.instrument import Instrument
from engine.reject import RejectCode


class ExpireReason(enum.Enum):
    IOC_REMAINDER = "IOC_REMAINDER"  # IOC (and triggered stop IOC) unfilled rest.
    FOK_NOT_FILLABLE = "FOK_NOT_FILLABLE"  # FOK killed before touching the book.
    MARKET_REMAINDER = "MARKET_REMAINDER"  # Market order found no more liquidity inside the band.
    STP_TAKER = "STP_TAKER"  # Self-trade prevention expired the incoming order.
    STP_MAKER = "STP_MAKER"  # Self-trade prevention expired the resting order.
    PRICE_OUT_OF_BAND = "PRICE_OUT_OF_BAND"  # A stop-limit triggered with its limit outside the band.


class DoneReason(enum.Enum):
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class _Event(msgspec.Struct, frozen=True, gc=False):
    sequence: int
    timestamp_ns: int


class InstrumentDefined(_Event, tag="instrument_defined"):
    instrument: Instrument
    reference_price_ticks: int


class MarketStateChanged(_Event, tag="market_state_changed"):
    instrument_id: int
    old_market_state: MarketState
    new_market_state: MarketState


class ReferencePriceSet(_Event, tag="reference_price_set"):
    instrument_id: int
    price_ticks: int


class OrderAccepted(_Event, tag="order_accepted"):
    """The order passed every rule; it carries the accepted command whole (cheap: no copy)."""

    order: PlaceOrder

    @property
    def order_id(self) -> int:
        return self.order.order_id

    @property
    def account_id(self) -> int:
        return self.order.account_id

    @property
    def instrument_id(self) -> int:
        return self.order.instrument_id

    @property
    def client_order_id(self) -> str | None:
        return self.order.client_order_id

    @property
    def side(self) -> Side:
        return self.order.side

    @property
    def quantity_lots(self) -> int:
        return self.order.quantity_lots


class OrderRejected(_Event, tag="order_rejected"):
    code: RejectCode
    command_type: str  # The rejected command's tag, e.g. "place_order".
    order_id: int | None
    account_id: int | None
    instrument_id: int | None
    client_order_id: str | None


class Trade(_Event, tag="trade"):
    trade_id: int
    instrument_id: int
    price_ticks: int  # Always the maker's price.
    quantity_lots: int
    taker_side: Side
    maker_order_id: int
    taker_order_id: int
    maker_account_id: int
    taker_account_id: int


class OrderCancelled(_Event, tag="order_cancelled"):
    order_id: int
    account_id: int
    instrument_id: int
    remaining_lots: int


class OrderExpired(_Event, tag="order_expired"):
    order_id: int
    account_id: int
    instrument_id: int
    remaining_lots: int
    reason: ExpireReason


class OrderAmended(_Event, tag="order_amended"):
    order_id: int
    account_id: int
    instrument_id: int
    old_price_ticks: int
    new_price_ticks: int
    old_quantity_lots: int  # Open lots before the amend.
    new_quantity_lots: int  # Open lots after the amend.
    priority_kept: bool


class OrderTriggered(_Event, tag="order_triggered"):
    order_id: int
    account_id: int
    instrument_id: int
    stop_price_ticks: int
    last_trade_price_ticks: int


class OrderDone(_Event, tag="order_done"):
    order_id: int
    account_id: int
    instrument_id: int
    side: Side
    filled_lots: int
    remaining_lots: int  # Lots that will never fill: the exchange releases their hold.
    reason: DoneReason


EngineEvent = (
    InstrumentDefined | MarketStateChanged | ReferencePriceSet | OrderAccepted | OrderRejected | Trade
    | OrderCancelled | OrderExpired | OrderAmended | OrderTriggered | OrderDone
)
