"""A lean ASGI path for the busiest signed routes, in front of FastAPI's own machinery.

Under order load FastAPI's request machinery (routing through every route, Request
objects, dependency solving) cost about 30% of the server's CPU (py-spy). `FastPath`
answers POST /v1/orders, DELETE /v1/orders/{order_id} and Binance's POST /api/v3/order
directly: read the body, authenticate (the same Authenticator the FastAPI dependency
calls), run the same route function (api/routes/orders.py, api/binance/trading.py) and
send its JSON. Refusals are rendered by the same functions FastAPI's handlers use
(api/errors.py, api/auth/dependency.py, api/binance/errors.py), so the answers, status
codes and headers are the same bytes either way. Anything not matched exactly
(another method, a trailing slash, an id FastAPI would have to parse or refuse) goes
to FastAPI, whose routes stay registered: they document these routes at /docs and
answer every other shape of request.

It is installed as middleware, so Starlette's ServerErrorMiddleware still wraps it:
an unexpected exception answers 500 exactly as on any other route.
"""
import msgspec
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect

from api.auth.dependency import Scheme, auth_error_response
from api.auth.results import AuthError
from api.binance.errors import BinanceError, binance_error_response
from api.binance.trading import place_order as place_binance_order
from api.errors import ApiError, api_error_handler
from api.routes.orders import ID_MAX, cancel_order_by_id, place_order
from exchange.access import Permission

_ORDER_PREFIX = "/v1/orders/"
_ID_DIGITS_MAX = len(str(ID_MAX))
_JSON_HEADER = (b"content-type", b"application/json")


class FastRoutes:
    """The runtime the fast routes act on; set at start-up, once the runtime is open."""

    runtime = None


class FastPath:
    """ASGI middleware: the fast routes when the request matches one exactly, else the wrapped app."""

    def __init__(self, app, routes: FastRoutes) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope, receive, send) -> None:
        runtime = self.routes.runtime
        if scope["type"] == "http" and runtime is not None and not scope.get("root_path"):
            method, path = scope["method"], scope["path"]
            if method == "POST":
                if path == "/v1/orders":
                    return await self._native(runtime, scope, receive, send, _place, None)
                if path == "/api/v3/order":
                    return await self._binance(runtime, scope, receive, send)
            elif method == "DELETE" and path.startswith(_ORDER_PREFIX):
                order_id = _order_id(path[len(_ORDER_PREFIX):])
                if order_id is not None:
                    return await self._native(runtime, scope, receive, send, _cancel, order_id)
        await self.app(scope, receive, send)

    async def _native(self, runtime, scope, receive, send, route, argument) -> None:
        body = await _read_body(receive)
        query = scope["query_string"].decode("latin-1")
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        who = runtime.authenticator.native_credentials(scope["method"], path, query, body, *_native_credentials(scope),
                                                       Permission.TRADE)
        if isinstance(who, AuthError):
            return await auth_error_response(who, Scheme.NATIVE)(scope, receive, send)
        try:
            status, answer = await route(runtime, who, body, query, argument)
        except ApiError as error:
            return await (await api_error_handler(None, error))(scope, receive, send)
        await _send_json(send, status, answer)

    async def _binance(self, runtime, scope, receive, send) -> None:
        body = await _read_body(receive)
        query_string = scope["query_string"]
        who = runtime.authenticator.binance(query_string.decode("latin-1"), body, _headers(scope), Permission.TRADE)
        if isinstance(who, AuthError):
            return await auth_error_response(who, Scheme.BINANCE)(scope, receive, send)
        try:
            answer = await place_binance_order(runtime, who, query_string, body)
        except (BinanceError, ApiError) as error:
            return await binance_error_response(error)(scope, receive, send)
        await _send_json(send, 200, msgspec.json.encode(answer))  # As api/http.py's json_response encodes.


def _native_credentials(scope) -> tuple[str, str, str]:
    """X-KK-APIKEY, X-KK-TIMESTAMP and X-KK-SIGNATURE ("" when absent; a repeated one keeps its last value,
    as the dependency's header mapping does), without building a mapping of every header."""
    key_id = timestamp_text = signature = ""
    for name, value in scope["headers"]:
        if name[:5].lower() == b"x-kk-":
            name = name.lower()
            if name == b"x-kk-apikey":
                key_id = value.decode("latin-1")
            elif name == b"x-kk-timestamp":
                timestamp_text = value.decode("latin-1")
            elif name == b"x-kk-signature":
                signature = value.decode("latin-1")
    return key_id, timestamp_text, signature


def _headers(scope) -> dict[str, str]:
    # Names arrive lower-cased from the server; a repeated header keeps its last value, as the
    # dependency's Headers mapping does.
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


async def _send_json(send, status: int, answer: bytes) -> None:
    # Starlette's Response sends these two headers, in this order; the server adds date and server.
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(answer)).encode()), _JSON_HEADER]})
    await send({"type": "http.response.body", "body": answer})


async def _place(runtime, who, body: bytes, query: str, argument) -> tuple[int, bytes]:
    return 201, msgspec.json.encode(await place_order(runtime, who, body))  # As api/http.py's json_response.


async def _cancel(runtime, who, body: bytes, query: str, order_id: int) -> tuple[int, bytes]:
    # Starlette's own parser: the same `symbol` FastAPI would have given the route (the last one sent).
    symbol = QueryParams(query).get("symbol") if query else None
    return 200, msgspec.json.encode(await cancel_order_by_id(runtime, who, order_id, symbol))


def _order_id(text: str) -> int | None:
    """The id when `text` is one FastAPI reads the same way (plain digits, no leading zero, in range)."""
    if not (0 < len(text) <= _ID_DIGITS_MAX and text.isascii() and text.isdigit()) or text[0] == "0":
        return None
    value = int(text)
    return value if value <= ID_MAX else None


async def _read_body(receive) -> bytes:
    """The whole body, as Starlette's Request.body() reads it (and the same error on a disconnect)."""
    message = await receive()
    chunks = []
    while True:
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if not message.get("more_body", False):
                return b"".join(chunks + [chunk]) if chunks else chunk
            chunks.append(chunk)
        message = await receive()
