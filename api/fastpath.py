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

It wraps the whole FastAPI app rather than sitting among its middleware: FastAPI's
per-request telemetry check and Starlette's middleware layers cost ~10 us of ~95 per
order. What those layers do for these routes is done here: an unexpected exception
answers the same plain 500 and goes on to the server's log. (The app configures no
OpenTelemetry and no body size limit, the two things those layers would add.)
"""
import msgspec
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse

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
_INTERNAL_ERROR = PlainTextResponse("Internal Server Error", status_code=500)


class FastRoutes:
    """The runtime the fast routes act on; set at start-up, once the runtime is open."""

    runtime = None


class FastPath:
    """The served ASGI app: the fast routes when the request matches one exactly, else the FastAPI app."""

    def __init__(self, app, routes: FastRoutes) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope, receive, send) -> None:
        runtime = self.routes.runtime
        if scope["type"] == "http" and runtime is not None and not scope.get("root_path"):
            method, path = scope["method"], scope["path"]
            answer = None
            try:
                if method == "POST":
                    if path == "/v1/orders":
                        answer = await _native(runtime, scope, receive, _place, None)
                    elif path == "/api/v3/order":
                        answer = await _binance(runtime, scope, receive)
                elif method == "DELETE" and path.startswith(_ORDER_PREFIX):
                    order_id = _order_id(path[len(_ORDER_PREFIX):])
                    if order_id is not None:
                        answer = await _native(runtime, scope, receive, _cancel, order_id)
            except Exception:
                # What Starlette's ServerErrorMiddleware does for every other route: a plain 500, and the
                # exception goes on to the server, which logs it.
                await _INTERNAL_ERROR(scope, receive, send)
                raise
            if answer is not None:
                if type(answer) is tuple:
                    return await _send_json(send, *answer)
                return await answer(scope, receive, send)
        await self.app(scope, receive, send)


async def _native(runtime, scope, receive, route, argument):
    """(status, JSON bytes), or the refusal's response."""
    body = await _read_body(receive)
    query = scope["query_string"].decode("latin-1")
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    who = runtime.authenticator.native_credentials(scope["method"], path, query, body, *_native_credentials(scope),
                                                   Permission.TRADE)
    if isinstance(who, AuthError):
        return auth_error_response(who, Scheme.NATIVE)
    try:
        return await route(runtime, who, body, query, argument)
    except ApiError as error:
        return await api_error_handler(None, error)


async def _binance(runtime, scope, receive):
    body = await _read_body(receive)
    query_string = scope["query_string"]
    who = runtime.authenticator.binance(query_string.decode("latin-1"), body, _headers(scope), Permission.TRADE,
                                        request_line="POST /api/v3/order")
    if isinstance(who, AuthError):
        return auth_error_response(who, Scheme.BINANCE)
    try:
        answer = await place_binance_order(runtime, who, query_string, body)
    except (BinanceError, ApiError) as error:
        return binance_error_response(error)
    return 200, msgspec.json.encode(answer)  # As api/http.py's json_response encodes.


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
