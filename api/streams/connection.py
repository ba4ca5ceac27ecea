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

from api.streams.protocol import OUTBOX_BYTES_MAX, OUTBOX_MESSAGES_MAX


class Connection:
    """Created by the route per accepted socket; `streams` and `customer_id` are kept by the hub."""

    __slots__ = ("websocket", "outbox", "outbox_bytes", "wakeup", "dropped", "streams", "customer_id",
                 "writer", "messages_sent")

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.outbox: deque[str] = deque()
        self.outbox_bytes = 0
        self.wakeup = asyncio.Event()
        self.dropped = False
        self.streams: dict[tuple, str] = {}  # Routing key -> the canonical stream name.
        self.customer_id: int | None = None  # Set by a successful login.
        self.writer: asyncio.Task | None = None
        self.messages_sent = 0

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

    def drop(self) -> None:
        """Stop sending: free the outbox and end the writer, even when it waits on a socket that does not drain."""
        self.dropped = True
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
                    self.messages_sent += 1
        except (WebSocketDisconnect, OSError, RuntimeError):
            return  # The client went away mid-send; the reader sees the disconnect too.
