"""A failed commit never gets answered as success; the runtime rebuilds from what is durable."""
import asyncio

from api.auth.crypto import generate_server_key, parse_server_key
from api.runtime import Runtime
from exchange import commands as c
from exchange.sequencer import SequencerStopped
from exchange.store import open_store


class FailingOnce:
    """The real SQLite store, with one injected commit failure (a disk error, a lost connection)."""

    def __init__(self, store, fail_on_call: int):
        self.store = store
        self.calls = 0
        self.fail_on_call = fail_on_call

    async def write_batch(self, batch):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise OSError("injected: disk I/O error")
        await self.store.write_batch(batch)

    def __getattr__(self, name):
        return getattr(self.store, name)


def _asset(code):
    return c.DefineAsset(actor="admin", code=code, decimals=2, tmt_units_per_asset=1)


async def _scenario(path):
    store = FailingOnce(await open_store(f"sqlite:///{path}"), fail_on_call=3)
    runtime = Runtime(store, parse_server_key(generate_server_key()))
    await runtime._start()
    assert await runtime.submit(_asset("AAA"))
    assert await runtime.submit(_asset("BBB"))
    try:
        await runtime.submit(_asset("CCC"))
        raise AssertionError("a command whose commit failed was acknowledged")
    except SequencerStopped:
        pass
    for _ in range(100):  # the runtime rebuilds from the store and accepts commands again
        if runtime.ready and runtime.sequencer.failure is None:
            break
        await asyncio.sleep(0.02)
    assert set(runtime.venue.listing.assets) == {"AAA", "BBB"}
    assert await runtime.submit(_asset("DDD"))
    assert set(runtime.venue.listing.assets) == {"AAA", "BBB", "DDD"}
    await runtime.close()


def test_failed_commit_is_not_acknowledged_and_state_comes_back_from_the_store(tmp_path):
    asyncio.run(_scenario(tmp_path / "exchange.db"))
