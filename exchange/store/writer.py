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

Writes are pipelined (`WRITES_IN_FLIGHT`): the next frame goes down the pipe
while the previous one commits, so the child decodes it meanwhile and starts
its transaction the moment the previous one is durable, instead of waiting a
round trip for the exchange to notice the answer between two slices of venue
work. Frames commit strictly in the order sent and answers come back in that
order. After any failed frame the child answers it and exits without reading
further: a frame sent behind a failed one is never committed (its write fails
with StoreError), so the journal never has a gap. More concurrent writes than
that wait for their turn here (a full pipe would block the event loop), and
fail too if a write before them failed meanwhile.
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


WRITES_IN_FLIGHT = 2  # One committing, the next one decoded beside it; more only shrinks the batches.


class _Child:
    """One writer process: frames go in through `frames`, answers come out of stdout in the same order."""

    __slots__ = ("answers", "frames", "process")

    def __init__(self, process: asyncio.subprocess.Process, frames: int) -> None:
        self.process = process
        self.frames = frames  # The write end of the child's stdin.
        self.answers = asyncio.Lock()  # Readers queue in the order their frames were written.

    def close(self) -> None:
        if self.frames is not None:
            os.close(self.frames)
            self.frames = None


class SeparateWriter:
    """A Store whose writes go through a child process; see the module docstring."""

    writes_in_flight = WRITES_IN_FLIGHT  # Read by the sequencer: it may wait on this many writes at once.

    def __init__(self, url: str, reads) -> None:
        self._url = url
        self._reads = reads
        self._child: _Child | None = None  # None once it failed a frame or died: the next frame starts another.
        self._retired: list[asyncio.subprocess.Process] = []  # Abandoned children, reaped on close.
        self._sending = asyncio.Lock()  # Frames enter the pipe whole and in call order.
        # More writes than the child decodes ahead would wait in the pipe, and a full pipe blocks the loop.
        self._in_flight = asyncio.Semaphore(WRITES_IN_FLIGHT)
        self._failures = 0  # A write waiting for its turn fails if one before it failed meanwhile.
        self._msgpack = msgspec.msgpack.Encoder()
        self._json = msgspec.json.Encoder()

    @classmethod
    async def open(cls, url: str, reads) -> "SeparateWriter":
        writer = cls(url, reads)
        writer._child = await writer._spawn()
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
        child, self._child = self._child, None
        if child is not None:
            child.close()  # The child sees the end of its input and exits.
            self._retired.append(child.process)
        for process in self._retired:
            await process.wait()
        self._retired = []
        await self._reads.close()

    async def _spawn(self) -> _Child:
        # Our own pipe, not asyncio's (uvloop gives the child a socket): a pipe can be sized to hold a
        # whole batch, so the blocking write in _send returns at once and the venue never waits on it.
        read_end, frames = os.pipe()
        try:
            fcntl.fcntl(frames, _F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "exchange.store.writer", self._url, stdin=read_end,
                stdout=asyncio.subprocess.PIPE)
        except BaseException:
            os.close(frames)
            raise
        finally:
            os.close(read_end)
        child = _Child(process, frames)
        if await process.stdout.read(1) != b"R":
            await process.wait()
            child.close()
            raise StoreError(f"the store writer process did not start (exit code {process.returncode})")
        return child

    async def _send(self, kind: bytes, payload: bytes) -> None:
        failures = self._failures
        async with self._in_flight:
            if self._failures != failures:
                raise StoreError("not written: a write before this one failed")
            await self._send_and_read(kind, payload)

    async def _send_and_read(self, kind: bytes, payload: bytes) -> None:
        async with self._sending:
            if self._child is None:
                self._child = await self._spawn()
            child = self._child
            try:
                _write_all(child.frames, _HEAD.pack(kind, len(payload)) + payload)
            except BaseException as error:
                self._abandon(child)
                if isinstance(error, OSError):
                    raise StoreError("the store writer process exited") from None
                raise
        # Nothing suspends between the frame entering the pipe and this call queueing for the answers
        # (acquire() joins the lock's FIFO before it waits), so answers are read in frame order.
        try:
            await child.answers.acquire()
        except BaseException:
            self._abandon(child)
            raise
        try:
            status, length = _HEAD.unpack(await child.process.stdout.readexactly(_HEAD.size))
            message = (await child.process.stdout.readexactly(length)).decode()
        except BaseException as error:  # Dead, or cancelled mid-answer: never reuse a desynchronised pipe.
            self._abandon(child)
            if isinstance(error, (OSError, asyncio.IncompleteReadError)):
                raise StoreError("the store writer process exited") from None
            raise
        finally:
            child.answers.release()
        if status != b"K":
            self._abandon(child, kill=False)  # It exits by itself, refusing the frames sent behind this one.
        if status == b"C":
            raise StoreConflictError(message)
        if status == b"V":
            raise ValueError(message)
        if status != b"K":
            raise StoreError(message)

    def _abandon(self, child: _Child, kill: bool = True) -> None:
        """Send no more frames to `child`; the next frame starts a new one."""
        if self._child is child:
            self._child = None
            self._failures += 1
        child.close()
        if kill and child.process.returncode is None:
            child.process.kill()
        self._retired = [process for process in self._retired if process.returncode is None]
        self._retired.append(child.process)


def _write_all(fd: int, data: bytes) -> None:
    """Blocking: the pipe holds a whole frame and the child's loop drains it even while it commits."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


async def _read_frames(source: asyncio.StreamReader, frames: asyncio.Queue) -> None:
    """Read and decode frames ahead of the commits; a frame that does not decode is queued as its error."""
    batches = {b"B": msgspec.msgpack.Decoder(Batch), b"J": msgspec.json.Decoder(Batch)}
    while True:
        try:
            kind, length = _HEAD.unpack(await source.readexactly(_HEAD.size))
            payload = await source.readexactly(length)
        except asyncio.IncompleteReadError:
            await frames.put(None)  # The exchange closed the pipe or died.
            return
        try:
            frame = (kind, _SNAPSHOT.decode(payload) if kind == b"S" else batches[kind].decode(payload))
        except (ValueError, KeyError) as error:
            frame = (b"V", f"malformed frame: {error}")
        await frames.put(frame)


async def _serve(url: str) -> None:
    """The child: open the store, then commit each frame from stdin in order and answer on stdout."""
    from exchange.store import open_store
    from exchange.tuning import pin_writer, tune_gc

    pin_writer()  # Opt-in (KARAKUM_CPUS, inherited from the server): a core of its own.
    store = await open_store(url)
    tune_gc()  # Each batch decodes into thousands of short-lived records: fewer young-generation sweeps.
    # Frames arrive through this loop (no thread hop per read: a lone order's commit waits for them),
    # which stays free for the store's own I/O (asyncpg) and decodes the next frame during a commit.
    source = asyncio.StreamReader(limit=2**31)
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(source), sys.stdin)
    frames: asyncio.Queue = asyncio.Queue(maxsize=WRITES_IN_FLIGHT)
    reader = asyncio.create_task(_read_frames(source, frames))
    answers = sys.stdout.buffer
    answers.write(b"R")
    answers.flush()
    try:
        status = b"K"
        while status == b"K":  # After a failure, exit: frames sent behind it are never committed.
            frame = await frames.get()
            if frame is None:
                return
            kind, content = frame
            status, message = b"K", ""
            try:
                if kind == b"V":
                    raise ValueError(content)
                if kind == b"S":
                    await store.save_snapshot(*content)
                else:
                    await store.write_batch(content)
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
        reader.cancel()
        await store.close()


if __name__ == "__main__":
    from exchange.tuning import run

    run(_serve(sys.argv[1]))
