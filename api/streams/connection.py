"""One client connection: a bounded outbox filled by the hub, drained by one writer task.

The hub calls `send` from the sequencer's publish callback, so `send` never
awaits: it appends an already-encoded message (shared by every client of
that stream) or, when the outbox is full, drops the client. A dropped client
gets no further messages; its handler closes the socket with
`CloseCode.SLOW_CONSUMER`. Memory per client is therefore bounded by
OUTBOX_MESSAGES_MAX / OUTBOX_BYTES_MAX plus the transport's write buffer.
"""
import asyncio
from collections import deque

from starlette.websockets import WebSocketDisconnect

from api.streams.protocol import OUTBOX_BYTES_MAX, OUTBOX_MESSAGES_MAX, SLOW_CONSUMER_REASON, CloseCode


class Connection:
    """Created by the route per accepted socket; `streams` and `customer_id` are kept by the hub."""

    __slots__ = ("websocket", "outbox", "outbox_bytes", "wakeup", "dropped", "close_code", "close_reason",
                 "streams", "customer_id", "key_id", "writer")

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.outbox: deque[str] = deque()
        self.outbox_bytes = 0
        self.wakeup = asyncio.Event()
        self.dropped = False
        self.close_code = CloseCode.SLOW_CONSUMER  # Why the handler closes a dropped client.
        self.close_reason = SLOW_CONSUMER_REASON
        self.streams: dict[tuple, str] = {}  # Routing key -> the canonical stream name.
        self.customer_id: int | None = None  # Set by a successful login, with the key it used.
        self.key_id: str | None = None
        self.writer: asyncio.Task | None = None

    def send(self, message: str) -> None:
        """Queue one encoded message; O(1), never blocks. Overflow drops the client."""
        if self.dropped:
            return
        if len(self.outbox) >= OUTBOX_MESSAGES_MAX or self.outbox_bytes + len(message) > OUTBOX_BYTES_MAX:
            self.drop()
            return
        self.outbox.append(message)
        self.outbox_bytes += len(message)
        self.wakeup.set()

    def drop(self, code: CloseCode = CloseCode.SLOW_CONSUMER, reason: str = SLOW_CONSUMER_REASON) -> None:
        """Stop sending: free the outbox and end the writer, even when it waits on a socket that does not drain."""
        if self.dropped:
            return
        self.dropped = True
        self.close_code, self.close_reason = code, reason
        self.outbox.clear()
        self.outbox_bytes = 0
        if self.writer is not None:
            self.writer.cancel()

    def start_writer(self) -> asyncio.Task:
        self.writer = asyncio.get_running_loop().create_task(self._write())
        return self.writer

    async def _write(self) -> None:
        """Send queued messages in order; returns when the socket fails (the handler then cleans up)."""
        outbox, send = self.outbox, self.websocket.send_text
        try:
            while True:
                await self.wakeup.wait()
                self.wakeup.clear()
                while outbox:
                    message = outbox.popleft()
                    self.outbox_bytes -= len(message)
                    await send(message)
        except (WebSocketDisconnect, OSError, RuntimeError):
            return  # The client went away mid-send; the reader sees the disconnect too.


async def received(websocket):
    """Each text (or bytes) frame the client sends, until it disconnects."""
    while True:
        try:
            frame = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        if frame["type"] == "websocket.disconnect":
            return
        data = frame.get("text")
        yield data if data is not None else frame.get("bytes") or b""
