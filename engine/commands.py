"""Commands into the engine: msgspec Structs decoded from JSON by their "type" tag.

Enums encode as readable strings ("BUY", "LIMIT", ...). Every field the engine
needs is in the command, so a journal of commands replays to the same events.
"""
import enum

import msgspec

from engine.instrument import Instrument


class Side(enum.Enum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(enum.Enum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_LIMIT = "STOP_LIMIT"
    STOP_MARKET = "STOP_MARKET"


class TimeInForce(enum.Enum):
    GTC = "GTC"  # Good till cancelled: the remainder rests.
    IOC = "IOC"  # Immediate or cancel: the remainder expires.
    FOK = "FOK"  # Fill or kill: fills completely at once or has no effect on the book.


class StpMode(enum.Enum):
    """Self-trade prevention, decided by the incoming (taker) order."""

    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"


class MarketState(enum.Enum):
    OPEN = "OPEN"
    HALTED = "HALTED"  # No new orders, no matching; cancels still allowed.
    CANCEL_ONLY = "CANCEL_ONLY"
    POST_ONLY = "POST_ONLY"  # Only resting limit orders that do not cross.
    AUCTION = "AUCTION"  # Limit orders collect without matching; OPEN uncrosses them.


class DefineInstrument(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="define_instrument"):
    """List an instrument; its market starts OPEN at the given reference price."""

    instrument: Instrument
    reference_price_ticks: int


class SetMarketState(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="set_market_state"):
    """Operator switch: open, halt, cancel-only, post-only, auction."""

    instrument_id: int
    market_state: MarketState


class SetReferencePrice(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="set_reference_price"):
    """Operator-set centre of the price band, in force until the next trade."""

    instrument_id: int
    price_ticks: int


class PlaceOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="place_order"):
    """Match an order against the book, then rest, expire or park it by its type."""

    order_id: int  # Unique; the sequencer uses the command's sequence number.
    account_id: int
    instrument_id: int
    client_order_id: str | None = None  # Unique per account among open orders.
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce = TimeInForce.GTC
    price_ticks: int | None = None  # Limit price; None for MARKET and STOP_MARKET.
    stop_price_ticks: int | None = None  # Trigger price; STOP_* only.
    quantity_lots: int
    post_only: bool = False
    stp_mode: StpMode = StpMode.EXPIRE_TAKER


class CancelOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="cancel_order"):
    """Cancel one open order of the account, named by exactly one of the two ids."""

    account_id: int
    instrument_id: int
    order_id: int | None = None
    client_order_id: str | None = None


class CancelAll(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="cancel_all"):
    """Cancel every open order of an account, of an instrument, or both filters at once."""

    account_id: int | None = None  # None: every account (operator use).
    instrument_id: int | None = None  # None: every instrument.


class AmendOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag="amend_order"):
    """Change a resting limit order. Quantity down keeps time priority; anything else loses it."""

    account_id: int
    instrument_id: int
    order_id: int
    new_price_ticks: int | None = None
    new_quantity_lots: int | None = None  # New OPEN (unfilled) quantity, not the original total.


EngineCommand = (
    DefineInstrument | SetMarketState | SetReferencePrice | PlaceOrder | CancelOrder | CancelAll | AmendOrder
)
