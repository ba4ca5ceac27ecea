"""The WebSocket endpoint `/v1/ws`: one reader and one writer task per client, around the hub.

The reader answers requests (subscribe, unsubscribe, login, ping); a bad
request gets an `error` message with a stable code and the connection stays
open. The writer drains the connection's outbox. The hub drops a client whose
outbox overflows (or whose API key was revoked); the handler then closes it
with 4008 "slow consumer, resubscribe" (or 4001 "API key revoked"), waiting
at most CLOSE_WAIT_S for the socket to take the close frame, since a client
that does not read may never take it.
"""
import asyncio
import logging

import msgspec
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from api.auth.results import AuthError
from api.errors import ApiError
from api.streams.connection import Connection, received
from api.streams.hub import Hub, stream_name
from api.streams.private import login
from api.streams.protocol import (
    ACCOUNT_STREAM, CONNECTIONS_MAX, REQUEST_BYTES_MAX, STREAMS_PER_CONNECTION_MAX,
    STREAMS_PER_REQUEST_MAX, CloseCode, Login, Ping, StreamError, Subscribe, Unsubscribe, parse_stream,
    request_decoder, stream_key,
)
from api.streams.public import encode
from api.symbols import instrument_by_symbol

log = logging.getLogger("karakum.streams")

CLOSE_WAIT_S = 60.0  # Past this (or uvicorn's unanswered keepalive ping), the transport is just closed.
STREAM_NAMES_HELP = "book.SYMBOL, trades.SYMBOL, ticker.SYMBOL, candles.SYMBOL.INTERVAL (1m 5m 15m 1h 1d), account"


class RequestFailed(Exception):
    def __init__(self, code: StreamError, message: str, **details) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class Session:
    """One client's requests; every answer goes through the same outbox as the stream messages."""

    def __init__(self, hub: Hub, connection: Connection) -> None:
        self.hub = hub
        self.connection = connection

    async def read(self) -> None:
        async for data in received(self.connection.websocket):
            await self.handle(data)

    async def handle(self, data: str | bytes) -> None:
        request_id = None
        try:
            if len(data) > REQUEST_BYTES_MAX:
                raise RequestFailed(StreamError.REQUEST_TOO_LARGE, f"a request is at most {REQUEST_BYTES_MAX} bytes")
            try:
                request = request_decoder.decode(data)
            except (msgspec.ValidationError, msgspec.DecodeError) as error:
                raise RequestFailed(StreamError.MALFORMED_REQUEST, str(error)) from None
            request_id = request.id
            if type(request) is Subscribe:
                await self.subscribe(request)
            elif type(request) is Unsubscribe:
                self.unsubscribe(request)
            elif type(request) is Login:
                self.login(request)
            elif type(request) is Ping:
                self.reply({"type": "pong", "id": request_id, "time_ms": self.hub.clock_ns() // 1_000_000})
        except RequestFailed as failure:
            self.reply({"type": "error", "id": request_id, "code": failure.code.value, "message": failure.message,
                        **failure.details})

    def reply(self, message: dict) -> None:
        self.hub.flush()  # An answer never overtakes an update published before the request.
        self.connection.send(encode(message))

    def resolve(self, name: str) -> tuple[tuple, str, object]:
        """(routing key, canonical name, instrument) of a stream name, or RequestFailed."""
        parsed = parse_stream(name)
        if parsed is None:
            raise RequestFailed(StreamError.UNKNOWN_STREAM, f"{name!r} is not a stream; streams are "
                                f"{STREAM_NAMES_HELP}", stream=name)
        if parsed.kind == ACCOUNT_STREAM:
            return (ACCOUNT_STREAM, None, None), ACCOUNT_STREAM, None
        try:
            instrument = instrument_by_symbol(self.hub.runtime.venue, parsed.symbol)
        except ApiError:
            raise RequestFailed(StreamError.UNKNOWN_STREAM, f"no market {parsed.symbol!r}", stream=name) from None
        key = stream_key(parsed.kind, instrument.instrument_id, parsed.interval)
        return key, stream_name(parsed.kind, instrument, parsed.interval), instrument

    def _resolve_all(self, names: list[str]) -> dict[tuple, tuple[str, object]]:
        if len(names) > STREAMS_PER_REQUEST_MAX:
            raise RequestFailed(StreamError.TOO_MANY_STREAMS, f"at most {STREAMS_PER_REQUEST_MAX} streams per request")
        resolved: dict[tuple, tuple[str, object]] = {}
        for name in names:
            key, stream, instrument = self.resolve(name)
            resolved[key] = (stream, instrument)
        return resolved

    async def subscribe(self, request: Subscribe) -> None:
        """All or nothing: every name is checked first. Subscribing to a book again sends a fresh snapshot."""
        connection, hub = self.connection, self.hub
        resolved = self._resolve_all(request.streams)
        if (ACCOUNT_STREAM, None, None) in resolved and connection.customer_id is None:
            raise RequestFailed(StreamError.LOGIN_REQUIRED, "send a signed login before subscribing to account",
                                stream=ACCOUNT_STREAM)
        added = sum(key not in connection.streams for key in resolved)
        if len(connection.streams) + added > STREAMS_PER_CONNECTION_MAX:
            raise RequestFailed(StreamError.TOO_MANY_STREAMS,
                                f"at most {STREAMS_PER_CONNECTION_MAX} streams per connection")
        if any(key[0] in ("ticker", "candles") for key in resolved):
            await hub.market_data.ready()  # The last await: from here on, no batch can slip in between.
        self.reply({"type": "subscribed", "id": request.id, "streams": [s for s, _ in resolved.values()]})
        for key, (stream, instrument) in resolved.items():
            if key[0] == ACCOUNT_STREAM:
                hub.subscribe_account(connection, key, stream)
            elif key not in connection.streams or key[0] == "book":
                hub.subscribe(connection, key, stream, instrument, request.id)

    def unsubscribe(self, request: Unsubscribe) -> None:
        resolved = self._resolve_all(request.streams)
        for key in resolved:
            self.hub.unsubscribe(self.connection, key)
        self.reply({"type": "unsubscribed", "id": request.id, "streams": [s for s, _ in resolved.values()]})

    def login(self, request: Login) -> None:
        if self.connection.customer_id is not None:
            raise RequestFailed(StreamError.ALREADY_LOGGED_IN, "this connection is already logged in")
        result = login(self.hub.runtime.authenticator, request)
        if result is None:
            raise RequestFailed(StreamError.LOGIN_FAILED, "only a customer's API key opens the account stream",
                                auth_code="FORBIDDEN")
        if isinstance(result, AuthError):
            raise RequestFailed(StreamError.LOGIN_FAILED, result.message, auth_code=result.code.value)
        self.connection.customer_id = int(result.owner_id)
        self.connection.key_id = result.key_id
        self.reply({"type": "logged_in", "id": request.id, "customer_id": self.connection.customer_id})


def build(runtime) -> APIRouter:
    router = APIRouter(tags=["streams"])
    hub = Hub(runtime)
    hub.start()

    @router.websocket("/v1/ws")
    async def streams(websocket: WebSocket):
        await websocket.accept()
        if len(hub.connections) >= CONNECTIONS_MAX:
            await websocket.close(CloseCode.TRY_AGAIN_LATER, f"at most {CONNECTIONS_MAX} connections; retry later")
            return
        connection = Connection(websocket)
        hub.connections.add(connection)
        tasks = {connection.start_writer(), asyncio.get_running_loop().create_task(Session(hub, connection).read())}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hub.disconnect(connection)
            for task in tasks:
                task.cancel()
        if connection.dropped:
            await _close(websocket, connection.close_code, connection.close_reason)
            return
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("stream connection failed", exc_info=task.exception())
                await _close(websocket, CloseCode.INTERNAL_ERROR, "internal error")

    return router


async def _close(websocket: WebSocket, code: CloseCode, reason: str) -> None:
    try:
        await asyncio.wait_for(websocket.close(code, reason), CLOSE_WAIT_S)
    except (asyncio.TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        pass  # The client is gone or never read again; the transport is closed when this handler returns.
