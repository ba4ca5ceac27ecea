"""FastAPI glue: `require(...)` builds a dependency; `auth_failed_handler` renders refusals.

Usage (the lead's routes):
    app.add_exception_handler(AuthFailed, auth_failed_handler)
    trader = require(authenticator, Permission.TRADE)                  # native /v1
    binance_trader = require(authenticator, Permission.TRADE, Scheme.BINANCE)
    @app.post("/v1/orders")
    async def place(..., who: Authenticated = Depends(trader)): ...

Native refusals answer {"code": "INVALID_SIGNATURE", "message": ...}; Binance ones
{"code": -1022, "msg": ...}; 429s carry a Retry-After header (whole seconds).
"""
import enum
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse

from api.auth.authenticator import Authenticator
from api.auth.results import AuthError, Authenticated
from exchange.access import Permission

# Binance's own texts: ccxt matches some messages exactly before it looks at the code.
_BINANCE_MESSAGE: dict[int, str] = {
    -1021: "Timestamp for this request is outside of the recvWindow.",
    -1022: "Signature for this request is not valid.",
    -2014: "API-key format invalid.",
    -2015: "Invalid API-key, IP, or permissions for action.",
}


class Scheme(enum.StrEnum):
    NATIVE = "native"
    BINANCE = "binance"


class AuthFailed(Exception):
    """Raised by the dependency; `auth_failed_handler` turns it into the right JSON answer."""

    def __init__(self, error: AuthError, scheme: Scheme) -> None:
        super().__init__(error.code.value)
        self.error = error
        self.scheme = scheme


def require(authenticator: Authenticator, permission: Permission | None,
            scheme: Scheme = Scheme.NATIVE) -> Callable[[Request], Awaitable[Authenticated]]:
    """A dependency returning the caller's `Authenticated`, or raising `AuthFailed`."""

    async def authenticated(request: Request) -> Authenticated:
        body = await request.body()  # Starlette caches it: the route can still parse it.
        query = request.scope.get("query_string", b"").decode("latin-1")
        if scheme == Scheme.BINANCE:
            result = authenticator.binance(query, body, request.headers, permission,
                                           request_line=f"{request.method} {request.url.path}")
        else:
            raw_path = request.scope.get("raw_path")
            path = raw_path.decode("latin-1") if raw_path else request.url.path
            result = authenticator.native(request.method, path, query, body, request.headers,
                                          permission)
        if isinstance(result, AuthError):
            raise AuthFailed(result, scheme)
        return result

    return authenticated


def auth_error_response(error: AuthError, scheme: Scheme) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after_s)} if error.retry_after_s is not None else None
    if scheme == Scheme.BINANCE:
        content = {"code": error.binance_code,
                   "msg": _BINANCE_MESSAGE.get(error.binance_code, error.message)}
    else:
        content = {"code": error.code.value, "message": error.message}
    return JSONResponse(content, status_code=error.http_status, headers=headers)


async def auth_failed_handler(request: Request, failure: AuthFailed) -> JSONResponse:
    return auth_error_response(failure.error, failure.scheme)
