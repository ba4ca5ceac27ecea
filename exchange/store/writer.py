"""Group commits written by a child process, so they no longer compete with the venue for the GIL.

The sequencer applies the next batch while the previous one commits. In one
process both need the interpreter: the store builds and binds its rows while
the venue applies commands, and each waits for the other's GIL turn, so the
commit took ~2.5x as long as alone and throughput was the sum of the two, not
the larger (benchmarks/README.md). `open_store(url, separate_writer=True)`
returns a `SeparateWriter`: reads, recovery and everything else go to a store
in this process; `write_batch` and `save_snapshot` go, encoded by msgspec (C,
~1-2 us per command), over a pipe to `python -m exchange.store.writer URL`,
which owns the write connection and answers once the transaction is durable.

Frames, parent -> child: kind (1 byte: b"B" batch as msgpack, b"J" batch as
JSON when an amount exceeds 64 bits, b"S" snapshot), length (4 bytes, big
endian), payload. Child -> parent: status (b"K" committed, b"C" conflict, b"V"
malformed batch, b"E" failed), length, UTF-8 message, raised in the parent as
the same exceptions the store raises in-process. The child starts with b"R"
once its store is open. It ends when its input closes, so it never outlives the exchange (a
kill -9 of the parent closes the pipe too); a transaction it was writing then
commits or rolls back whole, and nothing of it was acknowledged. If the child
dies, the write fails with StoreError (the sequencer stops and the runtime
rebuilds from the store) and the next write starts a new child.
"""
import asyncio
import fcntl
import os
import struct
import sys

import msgspec

from exchange.store.base import Batch, StoreConflictError, StoreError

_HEAD = struct.Struct(">cI")
_PIPE_BYTES = 1 << 20  # A whole batch fits, so its transfer never waits for the venue to yield.
_F_SETPIPE_SZ = 1031  # Linux fcntl; elsewhere the default pipe size only costs speed.
_SNAPSHOT = msgspec.msgpack.Decoder(tuple[int, str, bytes])


class SeparateWriter:
    """A Store whose writes go through a child process; see the module docstring."""

    def __init__(self, url: str, reads) -> None:
        self._url = url
        self._reads = reads
        self._child: asyncio.subprocess.Process | None = None
        self._frames: int | None = None  # The write end of the child's stdin.
        self._lock = asyncio.Lock()  # One frame and its answer at a time.
        self._msgpack = msgspec.msgpack.Encoder()
        self._json = msgspec.json.Encoder()

    @classmethod
    async def open(cls, url: str, reads) -> "SeparateWriter":
        writer = cls(url, reads)
        await writer._spawn()
        return writer

    def __getattr__(self, name: str):
        return getattr(self._reads, name)  # Reads, snapshots loading, last_sequence...

    async def write_batch(self, batch: Batch) -> None:
        try:
            frame = b"B", self._msgpack.encode(batch)
        except OverflowError:  # msgpack integers stop at 64 bits; JSON carries any amount exactly.
            frame = b"J", self._json.encode(batch)
        await self._send(*frame)

    async def save_snapshot(self, sequence: int, state_hash: str, data: bytes) -> None:
        await self._send(b"S", self._msgpack.encode((sequence, state_hash, data)))

    async def close(self) -> None:
        if self._child is not None:
            self._close_frames()  # The child sees the end of its input and exits.
            await self._child.wait()
            self._child = None
        await self._reads.close()

    async def _spawn(self) -> None:
        # Our own pipe, not asyncio's (uvloop gives the child a socket): a pipe can be sized to hold a
        # whole batch, so the blocking write in _send returns at once and the venue never waits on it.
        read_end, self._frames = os.pipe()
        try:
            fcntl.fcntl(self._frames, _F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass
        try:
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "exchange.store.writer", self._url, stdin=read_end,
                stdout=asyncio.subprocess.PIPE)
        finally:
            os.close(read_end)
        if await child.stdout.read(1) != b"R":
            await child.wait()
            self._close_frames()
            raise StoreError(f"the store writer process did not start (exit code {child.returncode})")
        self._child = child

    def _close_frames(self) -> None:
        if self._frames is not None:
            os.close(self._frames)
            self._frames = None

    async def _send(self, kind: bytes, payload: bytes) -> None:
        async with self._lock:
            if self._child is None:
                await self._spawn()
            child = self._child
            try:
                _write_all(self._frames, _HEAD.pack(kind, len(payload)) + payload)
                status, length = _HEAD.unpack(await child.stdout.readexactly(_HEAD.size))
                message = (await child.stdout.readexactly(length)).decode()
            except BaseException as error:  # Dead, or cancelled mid-frame: never reuse a desynchronised pipe.
                self._child = None
                self._close_frames()
                if child.returncode is None:
                    child.kill()
                if isinstance(error, (OSError, asyncio.IncompleteReadError)):
                    raise StoreError("the store writer process exited") from None
                raise
        if status == b"C":
            raise StoreConflictError(message)
        if status == b"V":
            raise ValueError(message)
        if status != b"K":
            raise StoreError(message)


def _write_all(fd: int, data: bytes) -> None:
    """Blocking: the child is idle, waiting for this frame, so it drains the pipe as fast as we fill it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


async def _serve(url: str) -> None:
    """The child: open the store, then commit each frame from stdin and answer on stdout."""
    from exchange.store import open_store
    from exchange.tuning import tune_gc

    store = await open_store(url)
    tune_gc()  # Each batch decodes into thousands of short-lived records: fewer young-generation sweeps.
    # Frames arrive through this loop (no thread hop per read: a lone order's commit waits for them),
    # which stays free for the store's own I/O (asyncpg).
    source = asyncio.StreamReader(limit=2**31)
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(source), sys.stdin)
    answers = sys.stdout.buffer
    batches = {b"B": msgspec.msgpack.Decoder(Batch), b"J": msgspec.json.Decoder(Batch)}
    answers.write(b"R")
    answers.flush()
    try:
        while True:
            try:
                kind, length = _HEAD.unpack(await source.readexactly(_HEAD.size))
                payload = await source.readexactly(length)
            except asyncio.IncompleteReadError:
                return  # The exchange closed the pipe or died.
            status, message = b"K", ""
            try:
                if kind == b"S":
                    await store.save_snapshot(*_SNAPSHOT.decode(payload))
                else:
                    await store.write_batch(batches[kind].decode(payload))
            except StoreConflictError as error:
                status, message = b"C", str(error)
            except ValueError as error:
                status, message = b"V", str(error)
            except Exception as error:  # noqa: BLE001 - reported to the exchange, which stops and rebuilds.
                status, message = b"E", f"{type(error).__name__}: {error}"
            encoded = message.encode()
            answers.write(_HEAD.pack(status, len(encoded)) + encoded)
            answers.flush()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
