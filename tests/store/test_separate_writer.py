"""The writer process: a dead writer fails the write (never a silent loss) and is replaced; it never outlives the
exchange; writes in flight together commit in order, and none behind a failed one commits."""
import asyncio
import signal
import subprocess
import sys
import time

import pytest

from exchange.store import Batch, JournalRecord, StoreConflictError, StoreError, open_store


def _journal(sequence: int) -> JournalRecord:
    return JournalRecord(sequence=sequence, timestamp_ns=sequence, command=b"c%d" % sequence)


def test_a_killed_writer_fails_the_write_and_the_next_write_starts_a_new_one(tmp_path):
    async def scenario():
        store = await open_store(f"sqlite://{tmp_path}/exchange.db", separate_writer=True)
        try:
            await store.write_batch(Batch(journal=[_journal(1)]))
            store._child.process.kill()
            with pytest.raises(StoreError):
                await store.write_batch(Batch(journal=[_journal(2)]))
            assert await store.last_sequence() == 1
            await store.write_batch(Batch(journal=[_journal(2)]))
            assert await store.last_sequence() == 2
        finally:
            await store.close()

    asyncio.run(scenario())


def test_writes_in_flight_commit_in_order_and_none_behind_a_failed_one(tmp_path):
    async def scenario():
        store = await open_store(f"sqlite://{tmp_path}/exchange.db", separate_writer=True)
        try:
            assert store.writes_in_flight >= 2
            await asyncio.gather(*(store.write_batch(Batch(journal=[_journal(n)])) for n in (1, 2)))
            assert await store.last_sequence() == 2
            # Sequence 2 again conflicts; 3 and 4 were sent behind it before its answer came back.
            results = await asyncio.gather(*(store.write_batch(Batch(journal=[_journal(n)])) for n in (2, 3, 4)),
                                           return_exceptions=True)
            assert type(results[0]) is StoreConflictError
            assert all(type(result) is StoreError for result in results[1:]), results
            assert await store.last_sequence() == 2, "a write behind a failed one was committed"
            await store.write_batch(Batch(journal=[_journal(3)]))  # A new writer process takes over.
            assert [record.sequence async for record in store.read_journal()] == [1, 2, 3]
        finally:
            await store.close()

    asyncio.run(scenario())


_PARENT = """
import asyncio, sys
from exchange.store import open_store
async def main():
    store = await open_store(sys.argv[1], separate_writer=True)
    print(store._child.process.pid, flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
"""


def test_the_writer_ends_when_the_exchange_is_killed(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, f"sqlite://{tmp_path}/exchange.db"],
                              stdout=subprocess.PIPE, text=True)
    try:
        writer_pid = int(parent.stdout.readline())
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(writer_pid):
            time.sleep(0.05)
        assert not _alive(writer_pid), "the writer process outlived the exchange"
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # A zombie has exited.
    except FileNotFoundError:
        return False
