"""Signed Binance order endpoints: place, query, cancel one, cancel all, open orders, all orders.

The account is always the one of the authenticated key (X-MBX-APIKEY + HMAC signature,
verified by api/auth before the route runs). Binance order types map to ours:
LIMIT (GTC / IOC / FOK), LIMIT_MAKER -> post-only LIMIT GTC (refused if it would take),
MARKET (by `quantity`; `quoteOrderQty` is refused with -1014), STOP_LOSS -> stop-market,
STOP_LOSS_LIMIT -> stop-limit. Order placement and cancels read the live venue (they are
sequenced after what they saw); queries read the durable view. Another account's order is
answered exactly like an unknown one.
"""
from fastapi import APIRouter, Depends, Request

from api.auth.dependency import Scheme, require
from api.auth.results import Authenticated
from api.binance.errors import BinanceCode, BinanceError, BinanceRoute, missing, not_required
from api.binance.history import executed_quote, trades_of_orders
from api.binance.params import Params, params_of, price_ticks, quantity_lots, read_params
from api.binance.shapes import binance_symbol, fill_json, order_json, quote_units_of
from api.http import durable_venue, json_response, submit
from api.routes.orders import account_of
from api.symbols import instrument_by_symbol
from engine.commands import CancelAll, CancelOrder, OrderType, Side, StpMode, TimeInForce
from exchange.access import Permission
from exchange.commands import SubmitOrder

OPEN_ORDERS_MAX = 1_000
ALL_ORDERS_DEFAULT = 500
ALL_ORDERS_MAX = 1_000
CLIENT_ID_SCAN_MAX = 1_000  # A closed order is found by client id among the account's most recent ones.
# Binance type -> (our type, post-only, needs price, needs stopPrice, takes timeInForce).
_TYPES = {
    "LIMIT": (OrderType.LIMIT, False, True, False, True),
    "LIMIT_MAKER": (OrderType.LIMIT, True, True, False, False),
    "MARKET": (OrderType.MARKET, False, False, False, False),
    "STOP_LOSS": (OrderType.STOP_MARKET, False, False, True, False),
    "STOP_LOSS_LIMIT": (OrderType.STOP_LIMIT, False, True, True, True),
}
_FULL_BY_DEFAULT = ("LIMIT", "MARKET")
_NO_SUCH_ORDER = BinanceError(BinanceCode.NO_SUCH_ORDER, "Order does not exist.")


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/api/v3", tags=["binance trading"], route_class=BinanceRoute)
    trader = require(runtime.authenticator, Permission.TRADE, Scheme.BINANCE)
    reader = require(runtime.authenticator, Permission.READ_OWN, Scheme.BINANCE)
    _place_route(router, runtime, trader)
    _cancel_routes(router, runtime, trader)
    _query_routes(router, runtime, reader)
    return router


def _choice(params: Params, name: str, allowed, code: BinanceCode, message: str):
    value = params.required(name)
    if value not in allowed:
        raise BinanceError(code, message)
    return value


def order_command(params: Params, instrument, account_id: int) -> tuple[SubmitOrder, bool]:
    """The SubmitOrder for POST /api/v3/order, and whether it is a LIMIT_MAKER."""
    side = Side(_choice(params, "side", ("BUY", "SELL"), BinanceCode.INVALID_SIDE, "Invalid side."))
    kind = _choice(params, "type", _TYPES, BinanceCode.INVALID_ORDER_TYPE, "Invalid orderType.")
    order_type, post_only, needs_price, needs_stop, takes_tif = _TYPES[kind]
    if params.text("quoteOrderQty") is not None:
        raise BinanceError(BinanceCode.UNSUPPORTED_ORDER_COMBINATION,
                           "quoteOrderQty is not supported: send quantity.")
    for name in ("icebergQty", "trailingDelta"):
        if params.text(name) is not None:
            raise not_required(name)
    for name, needed in (("price", needs_price), ("stopPrice", needs_stop), ("timeInForce", takes_tif)):
        if needed and params.text(name) is None:
            raise missing(name)
        if not needed and params.text(name) is not None:
            raise not_required(name)
    if takes_tif:
        time_in_force = TimeInForce(_choice(params, "timeInForce", ("GTC", "IOC", "FOK"), BinanceCode.INVALID_TIF,
                                            "Invalid timeInForce."))
    else:
        time_in_force = TimeInForce.GTC if post_only else TimeInForce.IOC
    stp_mode = StpMode.EXPIRE_TAKER
    if params.text("selfTradePreventionMode") is not None:
        stp_mode = StpMode(_choice(params, "selfTradePreventionMode", [m.value for m in StpMode],
                                   BinanceCode.INVALID_PARAMETER, "Invalid selfTradePreventionMode."))
    command = SubmitOrder(
        account_id=account_id, instrument_id=instrument.instrument_id,
        client_order_id=params.text("newClientOrderId"), side=side, order_type=order_type,
        time_in_force=time_in_force,
        price_ticks=price_ticks(instrument, params.required("price")) if needs_price else None,
        stop_price_ticks=price_ticks(instrument, params.required("stopPrice")) if needs_stop else None,
        quantity_lots=quantity_lots(instrument, params.required("quantity")), post_only=post_only,
        stp_mode=stp_mode)
    return command, post_only


async def place_order(runtime, who: Authenticated, query_string: bytes, body: bytes) -> dict:
    """POST /api/v3/order once authenticated: its 200 answer (the FastAPI route and api/fastpath.py)."""
    account_id = account_of(who)
    params = params_of(query_string, body)
    instrument = instrument_by_symbol(runtime.venue, params.required("symbol"))
    command, post_only = order_command(params, instrument, account_id)
    answer_type = params.text("newOrderRespType") or ("FULL" if params.required("type") in _FULL_BY_DEFAULT
                                                     else "ACK")
    if answer_type not in ("ACK", "RESULT", "FULL"):
        raise BinanceError(BinanceCode.INVALID_PARAMETER, "Invalid newOrderRespType.")
    result = await submit(runtime, command)
    venue, record = runtime.venue, result.order
    ack = {"symbol": binance_symbol(instrument), "orderId": record.order_id, "orderListId": -1,
           "clientOrderId": record.client_order_id or "", "transactTime": record.updated_ns // 1_000_000}
    if answer_type == "ACK":
        return ack
    fills = result.fills  # The venue gives this order's own fills only.
    if record.filled_lots and not fills:  # A retry answers the original order, without its fills.
        fills = await trades_of_orders(runtime.store, venue, account_id, [record])
    spent = sum(quote_units_of(instrument, t.price_ticks, t.quantity_lots) for t in fills)
    answer = order_json(venue, record, spent, post_only) | ack
    if answer_type == "FULL":
        answer["fills"] = [fill_json(venue, instrument, t, record.order_id, account_id) for t in fills]
    return answer


def _place_route(router: APIRouter, runtime, trader) -> None:
    @router.post("/order", summary="New order (TRADE): LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS, STOP_LOSS_LIMIT")
    async def new_order(request: Request, who: Authenticated = Depends(trader)):
        return json_response(await place_order(runtime, who, request.scope.get("query_string", b""),
                                               await request.body()))


def _reference(params: Params) -> dict:
    """{"order_id": ...} or {"client_order_id": ...} from orderId / origClientOrderId."""
    order_id = params.integer("orderId", None, 1)
    client_order_id = params.text("origClientOrderId")
    if order_id is None and client_order_id is None:
        raise BinanceError(BinanceCode.MANDATORY_PARAM_EMPTY_OR_MALFORMED,
                           "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    return {"order_id": order_id} if order_id is not None else {"client_order_id": client_order_id}


async def _cancel_json(runtime, account_id: int, records, new_client_order_id: str | None = None) -> list[dict]:
    venue = runtime.venue
    spent = await executed_quote(runtime.store, venue, account_id, records)
    answers = []
    for record in records:
        answer = order_json(venue, record, spent[record.order_id])
        answer["origClientOrderId"] = record.client_order_id or ""
        answer["clientOrderId"] = new_client_order_id or record.client_order_id or ""
        answer["transactTime"] = record.updated_ns // 1_000_000
        answers.append(answer)
    return answers


def _cancel_routes(router: APIRouter, runtime, trader) -> None:
    @router.delete("/order", summary="Cancel an open order by orderId or origClientOrderId (TRADE)")
    async def cancel_order(request: Request, who: Authenticated = Depends(trader)):
        account_id = account_of(who)
        params = await read_params(request)
        instrument = instrument_by_symbol(runtime.venue, params.required("symbol"))
        result = await submit(runtime, CancelOrder(account_id=account_id, instrument_id=instrument.instrument_id,
                                                   **_reference(params)))
        answers = await _cancel_json(runtime, account_id, result.data["orders"][:1], params.text("newClientOrderId"))
        return json_response(answers[0])

    @router.delete("/openOrders", summary="Cancel every open order of the account in one market (TRADE)")
    async def cancel_open_orders(request: Request, who: Authenticated = Depends(trader)):
        account_id = account_of(who)
        params = await read_params(request)
        instrument = instrument_by_symbol(runtime.venue, params.required("symbol"))
        result = await submit(runtime, CancelAll(account_id=account_id, instrument_id=instrument.instrument_id))
        return json_response(await _cancel_json(runtime, account_id, result.data["orders"]))


async def find_order(runtime, venue, account_id: int, instrument_id: int, reference: dict):
    """The account's order in that market by id or client id, open or closed; -2013 otherwise."""
    store = runtime.store
    if "order_id" in reference:
        record = await store.read_order(reference["order_id"])
    else:
        open_order = venue.engine.order_by_client_id(account_id, reference["client_order_id"])
        if open_order is not None:
            record = await store.read_order(open_order.order_id)
        else:
            recent = await store.read_orders(account_id, instrument_id, limit=CLIENT_ID_SCAN_MAX)
            record = next((r for r in reversed(recent) if r.client_order_id == reference["client_order_id"]), None)
    if record is None or record.account_id != account_id or record.instrument_id != instrument_id:
        raise _NO_SUCH_ORDER
    return record


def _query_routes(router: APIRouter, runtime, reader) -> None:
    store = runtime.store

    async def listed(venue, account_id: int, records) -> list[dict]:
        spent = await executed_quote(store, venue, account_id, records)
        return [order_json(venue, r, spent[r.order_id]) for r in records]

    @router.get("/order", summary="One order of the account, open or closed (USER_DATA)")
    async def query_order(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, params.required("symbol"))
        record = await find_order(runtime, venue, account_id, instrument.instrument_id, _reference(params))
        return json_response((await listed(venue, account_id, [record]))[0])

    @router.get("/openOrders", summary="The account's open orders, of one market or all (USER_DATA)")
    async def open_orders(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        symbol = params.text("symbol")
        instrument_id = None if symbol is None else instrument_by_symbol(venue, symbol).instrument_id
        records = await store.read_orders(account_id, instrument_id, open_only=True, limit=OPEN_ORDERS_MAX)
        return json_response(await listed(venue, account_id, records))

    @router.get("/allOrders", summary="The account's orders of one market, oldest first (USER_DATA)")
    async def all_orders(request: Request, who: Authenticated = Depends(reader)):
        account_id = account_of(who)
        params = await read_params(request)
        venue = await durable_venue(runtime)
        instrument = instrument_by_symbol(venue, params.required("symbol"))
        limit = params.limit(ALL_ORDERS_DEFAULT, ALL_ORDERS_MAX)
        from_id, start_ms, end_ms = params.integer("orderId"), params.integer("startTime"), params.integer("endTime")
        records = await store.read_orders(account_id, instrument.instrument_id, limit=ALL_ORDERS_MAX)
        records = [r for r in records if (from_id is None or r.order_id >= from_id)
                   and (start_ms is None or r.created_ns // 1_000_000 >= start_ms)
                   and (end_ms is None or r.created_ns // 1_000_000 <= end_ms)]
        records = records[:limit] if from_id is not None or start_ms is not None else records[-limit:]
        return json_response(await listed(venue, account_id, records))
