"""SQLite commits run on the store's worker thread: the event loop keeps running meanwhile."""
import asyncio
import time

from exchange.store import Batch, JournalRecord, open_store
from ledger import entries as E


def test_the_event_loop_keeps_running_while_a_large_batch_commits(tmp_path):
    entries = [E.hold(f"s{n}:hold", n, n % 50, "BTC", 1, f"s{n}") for n in range(1, 30_001)]
    journal = [JournalRecord(sequence=n, timestamp_ns=n, command=b"c") for n in range(1, 30_001)]

    async def main():
        store = await open_store(f"sqlite://{tmp_path}/exchange.db")
        ticks = 0
        try:
            write = asyncio.create_task(store.write_batch(Batch(journal=journal, entries=entries)))
            started = time.perf_counter()
            while not write.done():
                await asyncio.sleep(0.001)
                ticks += 1
            await write
            return ticks, time.perf_counter() - started, await store.last_sequence()
        finally:
            await store.close()

    ticks, elapsed_s, last_sequence = asyncio.run(main())
    assert last_sequence == 30_000
    # A blocked loop ticks once, after the commit. A free one ticks about every millisecond, or every
    # 5 ms when the worker holds the GIL (its switch interval): demand one tick per 20 ms, at least 5.
    assert ticks >= max(5, int(elapsed_s * 1000 / 20))
