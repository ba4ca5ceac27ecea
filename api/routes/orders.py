"""A customer's own orders: place, query, cancel (one, by client id, all) and amend.

The account is always the authenticated key's customer, never a body or URL
field. Another customer's order answers exactly like an order that does not
exist (404 ORDER_NOT_FOUND, same message), so ids leak nothing.

Write routes read the instrument grid and the open orders from the live venue
(not the durable view): the command they submit is sequenced after anything
they saw, so a not-yet-durable listing or order can only lead to a refusal,
never to a wrong effect; and order entry does not wait for an unrelated commit.
Amend's `quantity` is the new OPEN (unfilled) quantity, applied atomically by
the engine, so a fill racing the request can never make the order bigger than
asked. A stop-market buy is stored as a stop-limit IOC at the price band's top
(see exchange/trading.py) and is shown that way.
"""
import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request

from api.auth.dependency import require
from api.auth.results import Authenticated
from api.errors import ApiError
from api.http import body_doc, decode_body, durable_venue, json_response, submit
from api.symbols import (format_price, format_quantity, format_units, instrument_by_symbol, price_ticks, quantity_lots,
                         url_symbol)
from engine.commands import AmendOrder, CancelAll, CancelOrder, OrderType, Side, StpMode, TimeInForce
from exchange.access import OwnerKind, Permission
from exchange.commands import SubmitOrder
from exchange.store.base import CLOSED_ORDER_STATUSES

OPEN_ORDERS_MAX = 1_000
HISTORY_DEFAULT = 100
HISTORY_MAX = 1_000
CLIENT_ID_SCAN_MAX = 1_000  # A closed order is found by client id among the account's most recent ones.
_RESTING_TYPES = (OrderType.LIMIT, OrderType.STOP_LIMIT)
MONEY_FIELDS = ("price", "stop_price", "quantity", "amount")
ID_MAX = 2**63 - 1  # Ids are 64-bit in both stores: a larger one is malformed (400), not a database error.
CLIENT_ORDER_ID_LENGTH_MAX = 36  # The engine's limit: a longer one cannot exist.
ORDER_ID = Path(ge=1, le=ID_MAX)
CLIENT_ORDER_ID = Path(min_length=1, max_length=CLIENT_ORDER_ID_LENGTH_MAX)


class NewOrder(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    symbol: str
    side: Side
    type: OrderType
    quantity: str  # Decimal strings: never JSON numbers, which would be floats.
    price: str | None = None
    stop_price: str | None = None
    time_in_force: TimeInForce | None = None  # GTC for LIMIT / STOP_LIMIT, IOC for MARKET / STOP_MARKET.
    client_order_id: str | None = None
    post_only: bool = False
    stp_mode: StpMode = StpMode.EXPIRE_TAKER


class OrderChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    price: str | None = None
    quantity: str | None = None  # The new open (unfilled) quantity.


def account_of(who: Authenticated) -> int:
    """The customer's account id; staff keys never reach here (no staff role holds a customer permission)."""
    if who.owner_kind != OwnerKind.CUSTOMER:
        raise ApiError("FORBIDDEN", "only a customer's key acts on its own account", 403)
    return int(who.owner_id)


async def parse_money_body(request: Request, kind: type):
    """`parse_body`, with a hint when a price, quantity or amount came as a JSON number."""
    return decode_money_body(await request.body(), kind)


def decode_money_body(body: bytes, kind: type):
    """`parse_money_body` over bytes already read."""
    try:
        return decode_body(body, kind)
    except ApiError as error:
        if "Expected `str" in error.message and any(f"`$.{f}`" in error.message for f in MONEY_FIELDS):
            error.message += " (prices, quantities and amounts are decimal strings, e.g. \"0.5\")"
        raise


def _ms(timestamp_ns: int) -> int:
    return timestamp_ns // 1_000_000


def order_json(venue, record) -> dict:
    instrument = venue.engine.instrument(record.instrument_id)
    price = None if record.price_ticks is None else format_price(instrument, record.price_ticks)
    stop = None if record.stop_price_ticks is None else format_price(instrument, record.stop_price_ticks)
    return {
        "order_id": record.order_id, "client_order_id": record.client_order_id,
        "symbol": url_symbol(instrument), "side": record.side, "type": record.order_type,
        "time_in_force": record.time_in_force, "price": price, "stop_price": stop,
        "quantity": format_quantity(instrument, record.quantity_lots),
        "filled_quantity": format_quantity(instrument, record.filled_lots),
        "remaining_quantity": format_quantity(instrument, record.quantity_lots - record.filled_lots),
        "status": record.status, "created_at_ms": _ms(record.created_ns), "updated_at_ms": _ms(record.updated_ns),
        "price_ticks": record.price_ticks, "stop_price_ticks": record.stop_price_ticks,
        "quantity_lots": record.quantity_lots, "filled_lots": record.filled_lots, "post_only": record.post_only,
        "stp_mode": record.stp_mode,
    }


def fill_json(venue, trade, account_id: int, order_id: int | None = None) -> dict:
    """One trade from one side's view: its order, side, role and fee (buyers pay in base, sellers in quote)."""
    instrument = venue.engine.instrument(trade.instrument_id)
    is_taker = trade.taker_order_id == order_id if order_id is not None else trade.taker_account_id == account_id
    taker_side = trade.taker_side
    side = taker_side if is_taker else ("SELL" if taker_side == "BUY" else "BUY")
    quote_units = trade.price_ticks * trade.quantity_lots * instrument.quote_units_per_tick_lot
    fee_asset = instrument.base if side == "BUY" else instrument.quote
    fee_units = trade.taker_fee_units if is_taker else trade.maker_fee_units
    return {
        "trade_id": trade.trade_id, "order_id": trade.taker_order_id if is_taker else trade.maker_order_id,
        "symbol": url_symbol(instrument), "side": side, "role": "taker" if is_taker else "maker",
        "price": format_price(instrument, trade.price_ticks),
        "quantity": format_quantity(instrument, trade.quantity_lots),
        "quote_quantity": format_units(venue, instrument.quote, quote_units),
        "fee": format_units(venue, fee_asset, fee_units), "fee_asset": fee_asset, "fee_units": fee_units,
        "time_ms": _ms(trade.timestamp_ns),
    }


def order_answer(venue, result) -> dict:
    record = result.order
    return {"order": order_json(venue, record),
            "fills": [fill_json(venue, t, record.account_id, record.order_id) for t in result.fills]}


def order_not_found(reference) -> ApiError:
    # One message for "never existed", "not yours" and "no longer open": existence must not leak.
    return ApiError("ORDER_NOT_FOUND", f"no open order {reference!s} of this account")


async def submit_for_order(runtime, command, reference):
    try:
        return await submit(runtime, command)
    except ApiError as error:
        if error.code == "ORDER_NOT_FOUND":
            raise order_not_found(reference) from None
        raise


def _instrument_id(venue, symbol: str | None) -> int | None:
    return None if symbol is None else instrument_by_symbol(venue, symbol).instrument_id


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/orders", tags=["orders"])
    trader = require(runtime.authenticator, Permission.TRADE)
    reader = require(runtime.authenticator, Permission.READ_OWN)
    _query_routes(router, runtime, reader)
    _place_route(router, runtime, trader)
    _cancel_routes(router, runtime, trader)
    return router


async def place_order(runtime, who: Authenticated, body: bytes) -> dict:
    """POST /v1/orders once authenticated: its 201 answer (the FastAPI route and api/fastpath.py)."""
    account_id = account_of(who)
    order = decode_money_body(body, NewOrder)
    instrument = instrument_by_symbol(runtime.venue, order.symbol)
    time_in_force = order.time_in_force or (TimeInForce.GTC if order.type in _RESTING_TYPES else TimeInForce.IOC)
    command = SubmitOrder(
        account_id=account_id, instrument_id=instrument.instrument_id, client_order_id=order.client_order_id,
        side=order.side, order_type=order.type, time_in_force=time_in_force,
        price_ticks=None if order.price is None else price_ticks(instrument, order.price),
        stop_price_ticks=None if order.stop_price is None else price_ticks(instrument, order.stop_price,
                                                                              "stop_price"),
        quantity_lots=quantity_lots(instrument, order.quantity), post_only=order.post_only,
        stp_mode=order.stp_mode)
    return order_answer(runtime.venue, await submit(runtime, command))


async def cancel_order_by_id(runtime, who: Authenticated, order_id: int, symbol: str | None) -> dict:
    """DELETE /v1/orders/{order_id} once authenticated: its 200 answer (the FastAPI route and api/fastpath.py)."""
    account_id = account_of(who)
    instrument_id = _instrument_id(runtime.venue, symbol)
    if instrument_id is None:
        order = runtime.venue.trading.open.get(order_id)
        if order is None or order.account_id != account_id:
            raise order_not_found(order_id)
        instrument_id = order.instrument_id
    result = await submit_for_order(runtime, CancelOrder(account_id=account_id, instrument_id=instrument_id,
                                                         order_id=order_id), order_id)
    return {"order": order_json(runtime.venue, result.data["orders"][0])}


def _place_route(router: APIRouter, runtime, trader) -> None:
    @router.post("", status_code=201, summary="Place an order; answers the order and its immediate fills",
                 openapi_extra=body_doc(NewOrder))
    async def place(request: Request, who: Authenticated = Depends(trader)):
        return json_response(await place_order(runtime, who, await request.body()), 201)

    @router.patch("/{order_id}", summary="Amend an open limit order: quantity down keeps priority, else it is lost",
                  openapi_extra=body_doc(OrderChange))
    async def amend(request: Request, order_id: int = ORDER_ID, who: Authenticated = Depends(trader)):
        account_id = account_of(who)
        body = await parse_money_body(request, OrderChange)
        order = runtime.venue.trading.open.get(order_id)
        if order is None or order.account_id != account_id:
            raise order_not_found(order_id)
        instrument = runtime.venue.engine.instrument(order.instrument_id)
        command = AmendOrder(
            account_id=account_id, instrument_id=order.instrument_id, order_id=order_id,
            new_price_ticks=None if body.price is None else price_ticks(instrument, body.price),
            new_quantity_lots=None if body.quantity is None else quantity_lots(instrument, body.quantity))
        result = await submit_for_order(runtime, command, order_id)
        return json_response(order_answer(runtime.venue, result))


def _cancel_routes(router: APIRouter, runtime, trader) -> None:
    async def cancel(account_id: int, instrument_id: int, reference, **named) -> dict:
        result = await submit_for_order(runtime, CancelOrder(account_id=account_id, instrument_id=instrument_id,
                                                             **named), reference)
        return {"order": order_json(runtime.venue, result.data["orders"][0])}

    @router.delete("/by-client-id/{client_order_id}", summary="Cancel an open order by its client order id")
    async def cancel_by_client_id(client_order_id: str = CLIENT_ORDER_ID, symbol: str | None = None,
                                  who: Authenticated = Depends(trader)):
        account_id = account_of(who)
        instrument_id = _instrument_id(runtime.venue, symbol)
        if instrument_id is None:
            order = runtime.venue.engine.order_by_client_id(account_id, client_order_id)
            if order is None:
                raise order_not_found(client_order_id)
            instrument_id = order.instrument_id
        return json_response(await cancel(account_id, instrument_id, client_order_id,
                                          client_order_id=client_order_id))

    @router.delete("/{order_id}", summary="Cancel an open order by id (symbol optional)")
    async def cancel_by_id(order_id: int = ORDER_ID, symbol: str | None = None, who: Authenticated = Depends(trader)):
        return json_response(await cancel_order_by_id(runtime, who, order_id, symbol))

    @router.delete("", summary="Cancel every open order of the account, or of one market with ?symbol=")
    async def cancel_all(symbol: str | None = None, who: Authenticated = Depends(trader)):
        account_id = account_of(who)
        command = CancelAll(account_id=account_id, instrument_id=_instrument_id(runtime.venue, symbol))
        result = await submit(runtime, command)
        venue = runtime.venue
        return json_response({"orders": [order_json(venue, r) for r in result.data["orders"]]})


def _query_routes(router: APIRouter, runtime, reader) -> None:
    store = runtime.store

    @router.get("", summary="The account's open orders (optionally of one market), oldest first")
    async def open_orders(symbol: str | None = None, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        venue = await durable_venue(runtime)
        records = await store.read_orders(account_id, _instrument_id(venue, symbol), open_only=True,
                                          limit=OPEN_ORDERS_MAX)
        return json_response({"orders": [order_json(venue, r) for r in records]})

    @router.get("/history", summary="The account's most recent closed orders (filled, cancelled, expired)")
    async def history(symbol: str | None = None, limit: int = Query(HISTORY_DEFAULT, ge=1, le=HISTORY_MAX),
                      who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        venue = await durable_venue(runtime)
        instrument_id = _instrument_id(venue, symbol)
        # The most recent `limit + open` orders hold the `limit` most recent closed ones.
        open_count = len(venue.engine.open_orders(account_id, instrument_id))
        records = await store.read_orders(account_id, instrument_id, limit=limit + open_count)
        closed = [r for r in records if r.status.upper() in CLOSED_ORDER_STATUSES][-limit:]
        return json_response({"orders": [order_json(venue, r) for r in closed]})

    @router.get("/by-client-id/{client_order_id}", summary="One order of the account by client order id")
    async def order_by_client_id(client_order_id: str = CLIENT_ORDER_ID, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        venue = await durable_venue(runtime)
        open_order = venue.engine.order_by_client_id(account_id, client_order_id)
        if open_order is not None:
            record = await store.read_order(open_order.order_id)
        else:
            recent = await store.read_orders(account_id, limit=CLIENT_ID_SCAN_MAX)
            record = next((r for r in reversed(recent) if r.client_order_id == client_order_id), None)
        if record is None or record.account_id != account_id:
            raise ApiError("ORDER_NOT_FOUND", f"no order {client_order_id} of this account")
        return json_response({"order": order_json(venue, record)})

    @router.get("/{order_id}", summary="One order of the account by id, open or closed")
    async def order_by_id(order_id: int = ORDER_ID, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        venue = await durable_venue(runtime)
        record = await store.read_order(order_id)
        if record is None or record.account_id != account_id:
            raise ApiError("ORDER_NOT_FOUND", f"no order {order_id} of this account")
        return json_response({"order": order_json(venue, record)})
