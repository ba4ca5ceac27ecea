"""The single writer: numbers commands, applies them to the venue, commits in batches.

Every state change goes through `submit()`. The sequencer loop takes whatever
commands are queued (at most `batch_commands_max`), gives each the next
sequence number and a timestamp, applies it to the venue (pure), and hands
the batch to the store as ONE transaction. Only after that commit are the
submitters answered and the events published: nothing is acknowledged or
streamed before it is durable.

Batches form by themselves under load (group commit): while one batch
commits, the next one is applied in memory, so a lone command waits for
exactly one commit and a busy exchange pays one fsync per batch, not per
command. A store that commits its writes strictly in call order and fails
every write behind a failed one (the separate writer process) says how many
may wait at once (`writes_in_flight`); the next batch is then handed over as
soon as it is applied, not when the previous commit's answer reaches this
loop. Any other store has at most one commit in flight. Either way answers go
out in sequence order. When no commit is in flight the loop takes
only half of what is queued: clients wait for their answer before they send
again (a closed loop), so a batch of everything would leave nothing to apply
while it commits, and applying and committing would take turns instead of
overlapping (benchmarks/README.md, "Sequencer").

Every `snapshot_every_commands` commands or `snapshot_every_s` seconds (when
anything happened), and on a clean stop, the sequencer
waits for the commit in flight and stores a snapshot of the venue with its
state hash (the loop pauses for that long; recovery then replays only the
journal after it).

If a commit fails, the in-memory state is ahead of the store: the sequencer
stops, fails every pending submitter with `SequencerStopped`, and the
runtime rebuilds the venue from the store before accepting commands again.
"""
import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from exchange import snapshots
from exchange.store.base import Batch
from exchange.venue import Outcome, Venue


APPLY_SLICE_COMMANDS = 64  # ~2 ms of work between two turns of the event loop.


class SequencerStopped(Exception):
    """The sequencer is not accepting commands (stopping, or a commit failed)."""


class SequencerBusy(Exception):
    """enqueue() found the queue full: submit() would wait for room."""


class _Commit:
    """One batch being written: `written` resolves once it is durable (or fails), `task` once answered."""

    __slots__ = ("written", "task")

    def __init__(self, commit, batch: Batch, items: list, outcomes: list[Outcome]):
        self.written = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(commit(batch, items, outcomes, self.written))

    async def finished(self) -> None:
        await self.task
        self.written.result()  # Raises the write's error, if any.


async def _finish(commits: deque) -> None:
    """Wait until every commit in flight is written and answered; raise the first write error."""
    while commits:
        await commits.popleft().finished()


class Sequencer:
    def __init__(self, venue: Venue, store: Any, *, clock_ns: Callable[[], int] = time.time_ns,
                 batch_commands_max: int = 2000, queue_commands_max: int = 100_000,
                 snapshot_every_commands: int | None = 100_000, snapshot_every_s: float | None = 300.0,
                 publish: Callable[[list[Outcome]], None] | None = None):
        self.venue = venue
        self.store = store
        self.clock_ns = clock_ns
        self.batch_commands_max = batch_commands_max
        self.publish = publish
        self.sequence = venue.sequence
        self.committed_sequence = venue.sequence
        self.snapshot_every_commands = snapshot_every_commands
        self.snapshot_every_s = snapshot_every_s
        self.snapshot_sequence = venue.sequence
        self._snapshot_at = time.monotonic()
        self._snapshot_on_stop = True
        self._durable_waiters: list[tuple[int, asyncio.Future]] = []
        self.failure: BaseException | None = None
        # A plain deque and two wake-up futures instead of asyncio.Queue: submit() is the hot path
        # (one call per command) and Queue's bookkeeping cost more than the rest of the sequencing.
        self.queue_commands_max = queue_commands_max
        self._queue: deque = deque()  # (command, future) in arrival order; None marks a stop.
        self._work: asyncio.Future | None = None  # The loop waits on it while the queue is empty.
        self._room: asyncio.Future | None = None  # Submitters wait on it while the queue is full.
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._timestamp_ns = 0
        self._writes_in_flight = getattr(store, "writes_in_flight", 1)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sequencer")

    async def stop(self, snapshot: bool = True) -> None:
        """Commit what is queued, store a final snapshot (unless told not to), then stop."""
        if self._task is None:
            return
        self._snapshot_on_stop = snapshot
        self._stopping = True  # From now on submit() refuses: nothing can slip in behind the stop mark.
        self._enqueue(None)
        await self._task
        self._task = None

    @property
    def accepting(self) -> bool:
        return self._task is not None and not self._stopping and self.failure is None and not self._task.done()

    async def submit(self, command: Any) -> Any:
        """Sequence `command`; return its result once its batch is durable. Waits while the queue is full."""
        while len(self._queue) >= self.queue_commands_max and self.accepting:  # Back-pressure.
            if self._room is None:
                self._room = asyncio.get_running_loop().create_future()
            await self._room
        return await self.enqueue(command)

    def enqueue(self, command: Any) -> asyncio.Future:
        """Queue `command` now; the future gets its result once its batch is durable.

        For callers that bound what they have in flight themselves and take answers as callbacks
        (benchmarks/sequencer.py: a task per waiting command costs more than sequencing it)."""
        if not self.accepting:
            raise SequencerStopped("the exchange is not accepting commands")
        if len(self._queue) >= self.queue_commands_max:
            raise SequencerBusy(f"{self.queue_commands_max} commands are already queued")
        future = asyncio.get_running_loop().create_future()
        self._enqueue((command, future))
        return future

    def _enqueue(self, item) -> None:
        self._queue.append(item)
        work = self._work
        if work is not None:
            self._work = None
            if not work.done():
                work.set_result(None)

    async def durable(self) -> None:
        """Return once everything applied so far is committed: reads after this see only durable state."""
        # Loop: a batch applied while we waited must be committed too. While readers wait, the loop
        # applies nothing new until the commit in flight lands (see _run), so this ends.
        while self.committed_sequence < self.sequence:
            if not self.accepting:
                raise SequencerStopped("the exchange is restarting")
            future = asyncio.get_running_loop().create_future()
            self._durable_waiters.append((self.sequence, future))
            await future

    def _next_timestamp_ns(self) -> int:
        # Strictly increasing even if the wall clock steps back: journal order is time order.
        now = self.clock_ns()
        self._timestamp_ns = now if now > self._timestamp_ns else self._timestamp_ns + 1
        return self._timestamp_ns

    async def _run(self) -> None:
        commits: deque[_Commit] = deque()  # In sequence order; the oldest may already be written.
        stopping = False
        items: list = []
        try:
            while not stopping:
                if self._snapshot_due():
                    await _finish(commits)  # The snapshot must be exactly the committed state.
                    await self.snapshot()
                items, stopping = await self._take_batch(commits)
                if not items:
                    continue
                if self._durable_waiters:
                    await _finish(commits)  # Readers are waiting: let them see exactly the committed state.
                outcomes = await self._apply_batch(items)
                batch = self._batch(outcomes)
                while commits and (commits[0].written.done() or len(commits) >= self._writes_in_flight):
                    await commits.popleft().written  # Raises the write's error, if any.
                commits.append(_Commit(self._commit, batch, items, outcomes))
            await _finish(commits)
            self._reject_queued()  # Submitted after stop(): never applied, never left hanging.
            if self._snapshot_on_stop and self.snapshot_sequence != self.sequence:
                await self.snapshot()  # A clean shutdown leaves a snapshot of the final state.
        except BaseException as error:  # noqa: BLE001 - any failure stops the writer.
            self._fail(error)
            for _, future in items:  # Applied in memory, never committed: never answered.
                if not future.done():
                    future.set_exception(SequencerStopped("commit failed; the exchange is restarting"))
            raise

    def _snapshot_due(self) -> bool:
        since = self.sequence - self.snapshot_sequence
        if since == 0:
            return False
        every, every_s = self.snapshot_every_commands, self.snapshot_every_s
        return (every is not None and since >= every) or \
            (every_s is not None and time.monotonic() - self._snapshot_at >= every_s)

    async def snapshot(self) -> None:
        """Store the venue's state with its hash; only called when applied == committed. O(state)."""
        data = snapshots.encode(self.venue)
        await self.store.save_snapshot(self.sequence, self.venue.state_hash(), data)
        self.snapshot_sequence = self.sequence
        self._snapshot_at = time.monotonic()

    async def _take_batch(self, commits: deque) -> tuple[list, bool]:
        """Wait for one command, then take what is queued (half of it when nothing is committing, so the
        rest is applied during that commit), up to the batch limit or a stop mark."""
        queue = self._queue
        while not queue:
            self._work = asyncio.get_running_loop().create_future()
            await self._work
        limit = self.batch_commands_max
        if all(commit.written.done() for commit in commits):
            limit = min(limit, (len(queue) + 1) // 2)
        items: list = []
        stopping = False
        while queue and len(items) < limit:
            item = queue.popleft()
            if item is None:
                stopping = True
                break
            items.append(item)
        self._make_room()
        return items, stopping

    def _make_room(self) -> None:
        room = self._room
        if room is not None and len(self._queue) < self.queue_commands_max:
            self._room = None
            room.set_result(None)

    async def _apply_batch(self, items: list) -> list[Outcome]:
        """Apply in slices, letting the event loop run in between: the commit in flight streams its
        rows to the database through the loop, and a whole batch applied in one go (~10 ms) would
        stall that transfer, so commit and apply would take turns instead of overlapping."""
        outcomes = []
        for start in range(0, len(items), APPLY_SLICE_COMMANDS):
            await asyncio.sleep(0)  # The first turn lets the write just started send its batch.
            outcomes.extend(self._apply(command) for command, _ in items[start:start + APPLY_SLICE_COMMANDS])
        return outcomes

    def _apply(self, command: Any) -> Outcome:
        self.sequence += 1
        return self.venue.apply(command, self.sequence, self._next_timestamp_ns())

    @staticmethod
    def _batch(outcomes: list[Outcome]) -> Batch:
        batch = Batch(journal=[], entries=[], trades=[], orders=[], audit=[])
        for outcome in outcomes:
            batch.journal.append(outcome.journal)
            batch.entries.extend(outcome.entries)
            batch.trades.extend(outcome.trades)
            batch.orders.extend(outcome.orders)
            batch.audit.extend(outcome.audit)
        return batch

    async def _commit(self, batch: Batch, items: list, outcomes: list[Outcome], written: asyncio.Future) -> None:
        try:
            await self.store.write_batch(batch)
        except BaseException as error:
            self._fail(error)
            for _, future in items:
                if not future.done():
                    future.set_exception(SequencerStopped("commit failed; the exchange is restarting"))
            written.set_exception(error)  # The loop raises it and stops.
            written.exception()  # Marked as seen: a write behind a failed one fails too, and no one awaits it.
            self._enqueue(None)  # Wake the loop so it ends with this error even when idle.
            return
        self.committed_sequence = outcomes[-1].journal.sequence  # Writes complete in call order.
        written.set_result(None)
        # One turn first: the loop starts the next write before the answers (one task wake-up each)
        # go out, so the database is not idle while hundreds of clients resubmit.
        await asyncio.sleep(0)
        for (_, future), outcome in zip(items, outcomes):
            if not future.done():
                future.set_result(outcome.result)
        if self._durable_waiters:
            waiting = []
            for sequence, future in self._durable_waiters:
                if sequence > self.committed_sequence:
                    waiting.append((sequence, future))
                elif not future.done():
                    future.set_result(None)
            self._durable_waiters = waiting
        if self.publish is not None:
            self.publish(outcomes)

    def _fail(self, error: BaseException) -> None:
        if self.failure is None:
            self.failure = error
        for _, future in self._durable_waiters:
            if not future.done():
                future.set_exception(SequencerStopped("the exchange is restarting"))
        self._durable_waiters = []
        self._reject_queued()

    def _reject_queued(self) -> None:
        while self._queue:
            item = self._queue.popleft()
            if item is not None and not item[1].done():
                item[1].set_exception(SequencerStopped("the exchange is not accepting commands"))
        self._make_room()  # Blocked submitters wake, see the sequencer is not accepting, and raise.
