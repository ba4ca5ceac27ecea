"""What every stream hub shares: follow the commits, keep mirror books, deliver outside the commit path.

A subclass implements `on_batch(outcomes)` (build each message once, queue it
in `_deliveries`, set `_delivery_due`) and `flush()` (append the queued
messages to the subscribers' outboxes). Waking a thousand writers costs
milliseconds: doing it in the delivery task rather than in the publish
callback keeps it out of the sequencer's commit, and the extra yield lets
the next commit start (and its I/O run) first.
"""
import asyncio
import time
from collections import deque

from api.streams.books import MirrorBooks
from api.streams.connection import Connection

SEED_LEVELS_MAX = 1 << 62  # Seeding copies every level; snapshots cut their own depth.


class CommitFollower:
    def __init__(self, runtime, clock_ns=time.time_ns) -> None:
        self.runtime = runtime
        self.clock_ns = clock_ns
        self.books = MirrorBooks()
        self.connections: set[Connection] = set()
        # Built in the commit path, handed to the outboxes by `_deliver_forever` (see `flush`).
        self._deliveries: deque = deque()
        self._delivery_due = asyncio.Event()
        self._delivery: asyncio.Task | None = None

    def start(self) -> None:
        """Seed from the venue while nothing is in flight, then follow the commits."""
        sequencer = self.runtime.sequencer
        if sequencer.committed_sequence != sequencer.sequence:
            raise RuntimeError("streams must start while every applied command is committed")
        self.books.seed(self.runtime.venue.engine, SEED_LEVELS_MAX)
        self.runtime.subscribers.append(self.on_batch)
        self._delivery = asyncio.get_running_loop().create_task(self._deliver_forever())

    def on_batch(self, outcomes) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        raise NotImplementedError

    async def _deliver_forever(self) -> None:
        while True:
            await self._delivery_due.wait()
            self._delivery_due.clear()
            await asyncio.sleep(0)
            self.flush()
