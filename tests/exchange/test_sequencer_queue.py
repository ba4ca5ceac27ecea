"""The sequencer's queue: answers wait for the commit, a full queue holds submitters back (or refuses enqueue()),
a stop leaves no one hanging."""
import asyncio

import pytest

from exchange import commands as c
from exchange.results import Accepted
from exchange.sequencer import Sequencer, SequencerBusy, SequencerStopped
from exchange.venue import Venue


class GatedStore:
    """Keeps every batch in memory; commits only while the gate is open."""

    def __init__(self):
        self.gate = asyncio.Event()
        self.journal: list[int] = []

    async def write_batch(self, batch):
        await self.gate.wait()
        self.journal.extend(record.sequence for record in batch.journal)

    async def save_snapshot(self, sequence, state_hash, data):
        pass


def _asset(index: int) -> c.DefineAsset:
    return c.DefineAsset(actor="admin", code=f"A{index}", decimals=2, tmt_units_per_asset=1)


async def _no_answer_before_commit_and_back_pressure():
    store = GatedStore()
    sequencer = Sequencer(Venue(), store, queue_commands_max=3, batch_commands_max=2)
    sequencer.start()
    tasks = [asyncio.create_task(sequencer.submit(_asset(i))) for i in range(20)]
    await asyncio.sleep(0.05)
    assert not any(task.done() for task in tasks), "answered before the batch was durable"
    # One batch commits (blocked), one is applied beside it, three wait in the queue: the rest are held back.
    assert sequencer.sequence <= 2 + 2
    assert len(sequencer._queue) <= 3
    store.gate.set()
    results = await asyncio.gather(*tasks)
    assert all(type(result) is Accepted for result in results)
    assert store.journal == list(range(1, 21))
    assert set(sequencer.venue.listing.assets) == {f"A{i}" for i in range(20)}
    await sequencer.stop(snapshot=False)


def test_answers_wait_for_the_commit_and_a_full_queue_holds_submitters_back():
    asyncio.run(_no_answer_before_commit_and_back_pressure())


async def _stop_with_submitters_waiting_for_room():
    store = GatedStore()
    sequencer = Sequencer(Venue(), store, queue_commands_max=2, batch_commands_max=1)
    sequencer.start()
    tasks = [asyncio.create_task(sequencer.submit(_asset(i))) for i in range(10)]
    await asyncio.sleep(0.05)
    stopping = asyncio.create_task(sequencer.stop(snapshot=False))
    await asyncio.sleep(0.01)
    store.gate.set()
    await asyncio.wait_for(stopping, 5)
    outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    answered = [o for o in outcomes if type(o) is Accepted]
    refused = [o for o in outcomes if type(o) is SequencerStopped]
    assert len(answered) + len(refused) == 10, outcomes
    assert len(store.journal) == len(answered), "every answered command is in the journal, nothing else"
    with pytest.raises(SequencerStopped):
        await sequencer.submit(_asset(99))


def test_stop_answers_or_refuses_every_submitter_even_those_waiting_for_room():
    asyncio.run(_stop_with_submitters_waiting_for_room())


async def _enqueue_without_waiting():
    store = GatedStore()
    sequencer = Sequencer(Venue(), store, queue_commands_max=3, batch_commands_max=1)
    sequencer.start()
    answered = []
    futures = []
    for index in range(3):
        future = sequencer.enqueue(_asset(index))
        future.add_done_callback(lambda done: answered.append(done.result()))
        futures.append(future)
    await asyncio.sleep(0.05)
    assert answered == [], "answered before the batch was durable"
    while len(sequencer._queue) < 3:  # The loop took some into batches: fill the queue again.
        futures.append(sequencer.enqueue(_asset(len(futures))))
    with pytest.raises(SequencerBusy):
        sequencer.enqueue(_asset(99))
    store.gate.set()
    await asyncio.wait_for(asyncio.gather(*futures), 5)
    assert [type(result) for result in answered] == [Accepted] * 3
    assert store.journal == list(range(1, len(futures) + 1)), "the refused command was not queued"
    await sequencer.stop(snapshot=False)
    with pytest.raises(SequencerStopped):
        sequencer.enqueue(_asset(100))


def test_enqueue_answers_through_the_future_after_the_commit_and_refuses_a_full_queue():
    asyncio.run(_enqueue_without_waiting())


class PipelinedStore:
    """Takes up to `writes_in_flight` writes at once and finishes them in call order, when released; like the
    separate writer, every write behind a failed one fails too."""

    writes_in_flight = 2

    def __init__(self):
        self.pending: list[asyncio.Future] = []
        self.most_pending = 0
        self.journal: list[int] = []
        self.failed = False

    async def write_batch(self, batch):
        release = asyncio.get_running_loop().create_future()
        self.pending.append(release)
        self.most_pending = max(self.most_pending, len(self.pending))
        try:
            await release
            if self.failed:
                raise OSError("a write behind a failed one")
        except BaseException:
            self.failed = True
            raise
        finally:
            self.pending.remove(release)
        self.journal.extend(record.sequence for record in batch.journal)

    def release_oldest(self, error: BaseException | None = None) -> None:
        if error is None:
            self.pending[0].set_result(None)
        else:
            self.pending[0].set_exception(error)

    async def save_snapshot(self, sequence, state_hash, data):
        pass


async def _settle():
    for _ in range(20):
        await asyncio.sleep(0)


async def _two_writes_pending(commands: int):
    """A sequencer over a PipelinedStore, `commands` submitted, two batches of them being written."""
    store = PipelinedStore()
    sequencer = Sequencer(Venue(), store, batch_commands_max=2)
    sequencer.start()
    tasks = [asyncio.create_task(sequencer.submit(_asset(i))) for i in range(commands)]
    await asyncio.sleep(0.05)
    assert len(store.pending) == 2, "the next batch is handed over while the previous one commits"
    return store, sequencer, tasks


async def _pipelined_writes_answer_in_order_after_each_commit():
    store, sequencer, tasks = await _two_writes_pending(12)
    assert not any(task.done() for task in tasks), "answered before the batch was durable"
    while store.pending:
        store.release_oldest()
        await _settle()
        durable = len(store.journal)
        assert [task.done() for task in tasks] == [i < durable for i in range(12)], "answered out of order"
    assert store.most_pending == 2
    assert store.journal == list(range(1, 13))
    await sequencer.stop(snapshot=False)


def test_pipelined_writes_answer_in_sequence_order_and_only_after_each_commit():
    asyncio.run(_pipelined_writes_answer_in_order_after_each_commit())


async def _a_failed_pipelined_write_answers_nothing_behind_it():
    store, sequencer, tasks = await _two_writes_pending(8)
    store.release_oldest(OSError("injected: disk I/O error"))
    await _settle()
    while store.pending:
        store.release_oldest()
        await _settle()
    outcomes = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert all(type(outcome) is SequencerStopped for outcome in outcomes), outcomes
    assert store.journal == []
    assert not sequencer.accepting
    with pytest.raises(OSError, match="injected"):  # The sequencer stopped on the first failure.
        await sequencer.stop(snapshot=False)


def test_a_failed_pipelined_write_fails_every_command_behind_it():
    asyncio.run(_a_failed_pipelined_write_answers_nothing_behind_it())
