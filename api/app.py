"""The FastAPI application: routers from api/routes/, one error shape, the runtime in app.state.

Each module in ROUTE_MODULES exposes `build(runtime) -> APIRouter`; routes stay
thin: authenticate, parse, build a command, `submit`, shape the answer.
"""
import importlib
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.dependency import AuthFailed, auth_failed_handler
from api.errors import ApiError, api_error_handler, http_error_handler, validation_error_handler
from api.fastpath import FastPath, FastRoutes
from exchange.compliance import RISK_WARNING

ROUTE_MODULES = (  # Busiest first: a request is matched against routes in this order.
    "api.routes.orders",
    "api.routes.health",
    "api.routes.admin_customers",
    "api.routes.admin_markets",
    "api.routes.admin_staff",
    "api.routes.compliance",
    "api.routes.custody",
    "api.routes.corrections",
    "api.routes.auditor",
    "api.routes.surveillance",
    "api.routes.market",
    "api.routes.account",
    "api.binance.market",
    "api.binance.trading",
    "api.binance.account",
    "api.binance.discovery",
    "api.binance.websocket",
    "api.streams.route",
)


def create_app(open_runtime) -> FastPath:
    """The ASGI app to serve: the FastAPI app (`.app`) behind the fast path of the busiest routes.

    `open_runtime` is an async callable returning a started Runtime (called at start-up)."""

    fast_routes = FastRoutes()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime = await open_runtime()
        app.state.runtime = runtime
        fast_routes.runtime = runtime
        for name in ROUTE_MODULES:
            # Flattened rather than include_router(): this FastAPI resolves included routers again on
            # every request, which cost ~15% of the server's CPU under order load (py-spy).
            app.router.routes.extend(importlib.import_module(name).build(runtime).routes)
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(title="Karakum Exchange", description=RISK_WARNING, version="0.1.0", lifespan=lifespan)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(AuthFailed, auth_failed_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    # The busiest routes skip FastAPI's request machinery (api/fastpath.py); their FastAPI routes remain.
    return FastPath(app, fast_routes)
