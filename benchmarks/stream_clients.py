"""The benchmark's WebSocket clients: many subscribers in one process, sharing one Receiver.

RawClient is a minimal RFC 6455 client (permessage-deflate optional) that
subscribes to STREAMS on /v1/ws and hands every message after the book
snapshot to the Receiver, which keeps the delay from commit (the message's
`published_ns`) to receipt. A few microseconds per message, so the figures of
benchmarks/streams.py describe the server, not a client library.
"""
import asyncio
import base64
import json
import os
import time
import zlib

import msgspec

CONNECT_PARALLEL = 50
STREAMS = ["book.BTC-USDT", "trades.BTC-USDT"]


class Stamp(msgspec.Struct):
    """The two fields the clients read; msgspec skips the rest of each message."""

    type: str
    published_ns: int | None = None


class Receiver:
    """All the clients of one run, sharing one list of delays."""

    def __init__(self, port: int, compression: bool):
        self.port = port
        self.compression = compression
        self.delays_ns: list[int] = []
        self.messages = 0
        self.first_ns = 0
        self.last_ns = 0
        self.closed_early = 0
        self.decode = msgspec.json.Decoder(Stamp).decode

    def on_message(self, payload: bytes) -> None:
        now_ns = time.time_ns()
        stamp = self.decode(payload)
        if stamp.published_ns is not None:
            self.delays_ns.append(now_ns - stamp.published_ns)
        if not self.messages:
            self.first_ns = now_ns
        self.messages += 1
        self.last_ns = now_ns

    async def connect(self, count: int) -> list["RawClient"]:
        gate = asyncio.Semaphore(CONNECT_PARALLEL)
        loop = asyncio.get_running_loop()

        async def one():
            async with gate:
                _, client = await loop.create_connection(lambda: RawClient(self), "127.0.0.1", self.port)
                await client.subscribed
                return client

        return await asyncio.gather(*(one() for _ in range(count)))


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A client frame; the all-zero mask key leaves the payload as it is (clients must mask, any key will do)."""
    length = len(payload)
    head = bytes([0x80 | opcode]) + (bytes([0x80 | length]) if length < 126
                                     else bytes([0x80 | 126]) + length.to_bytes(2, "big"))
    return head + b"\0\0\0\0" + payload


class RawClient(asyncio.Protocol):
    """A minimal WebSocket client (RFC 6455, permessage-deflate optional), so that the one client process
    costs a few microseconds per message and the figures describe the server, not the websockets library."""

    def __init__(self, receiver: Receiver):
        self.receiver = receiver
        self.buffer = bytearray()
        self.upgraded = False
        self.inflate = zlib.decompressobj(-15) if receiver.compression else None
        self.subscribed = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        extension = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if self.receiver.compression else ""
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{self.receiver.port}\r\nUpgrade: websocket\r\n"
                         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         f"{extension}\r\n").encode())

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(f"upgrade refused: {bytes(buffer[:200])!r}")
            del buffer[:end + 4]
            self.upgraded = True
            request = json.dumps({"op": "subscribe", "id": 1, "streams": STREAMS}).encode()
            self.transport.write(masked_frame(0x1, request))
        while len(buffer) >= 2:
            length, offset = buffer[1] & 0x7F, 2
            if length == 126:
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            first, payload = buffer[0], bytes(buffer[offset:offset + length])
            del buffer[:offset + length]
            self.on_frame(first, payload)

    def on_frame(self, first: int, payload: bytes) -> None:
        opcode = first & 0x0F
        if opcode == 0x9:  # The server's keepalive ping: answer, or it closes us.
            self.transport.write(masked_frame(0xA, payload))
        elif opcode == 0x8:
            self.receiver.closed_early += 1
        elif opcode == 0x1:
            if first & 0x40:  # RSV1: compressed (permessage-deflate).
                payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
            if not self.subscribed.done():
                if b'"book_snapshot"' in payload:
                    self.subscribed.set_result(None)
                return
            self.receiver.on_message(payload)

    def close(self) -> None:
        self.transport.close()
