"""The Binance WebSocket endpoints `/ws`, `/ws/<streams>` and `/stream?streams=...` (see streams.py).

One reader and one writer task per client. Every answer goes through the client's bounded
outbox, in order with the events. A bad request gets Binance's error answer and the
connection stays open; a client whose outbox overflows is closed with 4008.
"""
import asyncio

import msgspec
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from api.binance.streams import INVALID_JSON, INVALID_REQUEST, BinanceStreams, StreamRefused
from api.streams.connection import Connection, received
from api.streams.protocol import CONNECTIONS_MAX, REQUEST_BYTES_MAX, SLOW_CONSUMER_REASON, CloseCode

CLOSE_WAIT_S = 5.0
PARAMS_MAX = 50  # Stream names per request.


class StreamRequest(msgspec.Struct, frozen=True):
    method: str
    params: list[str] = []
    id: int | str | None = None


_decoder = msgspec.json.Decoder(StreamRequest)


def _encode(message: dict) -> str:
    return msgspec.json.encode(message).decode()


def handle(streams: BinanceStreams, connection: Connection, data: str | bytes) -> None:
    """Answer one request frame; O(stream names in it)."""
    request_id = None
    try:
        if len(data) > REQUEST_BYTES_MAX:
            raise StreamRefused(INVALID_REQUEST, f"a request is at most {REQUEST_BYTES_MAX} bytes")
        try:
            request = _decoder.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            raise StreamRefused(INVALID_JSON, f"Invalid JSON: {error}") from None
        request_id = request.id
        if len(request.params) > PARAMS_MAX:
            raise StreamRefused(INVALID_REQUEST, f"at most {PARAMS_MAX} streams per request")
        if request.method == "SUBSCRIBE":
            streams.subscribe(connection, request.params)
            result = None
        elif request.method == "UNSUBSCRIBE":
            streams.unsubscribe(connection, request.params)
            result = None
        elif request.method == "LIST_SUBSCRIPTIONS":
            result = sorted(connection.streams.values())
        else:
            raise StreamRefused(INVALID_REQUEST, f"Invalid request: unknown method {request.method!r}")
        connection.send(_encode({"result": result, "id": request_id}))
    except StreamRefused as refusal:
        connection.send(_encode({"error": {"code": refusal.code, "msg": refusal.msg}, "id": request_id}))


async def _read(streams: BinanceStreams, connection: Connection) -> None:
    async for data in received(connection.websocket):
        handle(streams, connection, data)


async def serve(streams: BinanceStreams, websocket: WebSocket, names: list[str], wrapped: bool) -> None:
    await websocket.accept()
    if len(streams.connections) >= CONNECTIONS_MAX:
        await websocket.close(CloseCode.TRY_AGAIN_LATER, f"at most {CONNECTIONS_MAX} connections; retry later")
        return
    connection = Connection(websocket)
    streams.connections.add(connection)
    if wrapped:
        streams.wrapped.add(connection)
    try:
        streams.subscribe(connection, names)
    except StreamRefused as refusal:
        streams.disconnect(connection)
        await websocket.close(1008, refusal.msg[:120])
        return
    tasks = {connection.start_writer(), asyncio.get_running_loop().create_task(_read(streams, connection))}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        streams.disconnect(connection)
        for task in tasks:
            task.cancel()
    if connection.dropped:
        try:
            await asyncio.wait_for(websocket.close(CloseCode.SLOW_CONSUMER, SLOW_CONSUMER_REASON), CLOSE_WAIT_S)
        except (asyncio.TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
            pass  # The client is gone or never reads again; the transport closes when the handler returns.


def build(runtime) -> APIRouter:
    router = APIRouter(tags=["binance streams"])
    streams = BinanceStreams(runtime)
    streams.start()

    @router.websocket("/ws")
    async def raw_streams(websocket: WebSocket):
        await serve(streams, websocket, [], wrapped=False)

    @router.websocket("/ws/{path:path}")
    async def raw_streams_in_path(websocket: WebSocket, path: str):
        # ccxt.pro appends a connection index ("/ws/0"): only segments naming a stream count.
        await serve(streams, websocket, [name for name in path.split("/") if "@" in name], wrapped=False)

    @router.websocket("/stream")
    async def combined_streams(websocket: WebSocket):
        names = websocket.query_params.get("streams", "")
        await serve(streams, websocket, [name for name in names.split("/") if name], wrapped=True)

    return router
