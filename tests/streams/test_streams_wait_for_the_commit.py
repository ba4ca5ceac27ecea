"""Nothing reaches a stream before its batch is committed: with the commit held, the outboxes stay empty."""
import asyncio

from api.auth.crypto import generate_server_key, parse_server_key
from api.bootstrap import bootstrap, demo
from api.runtime import Runtime
from api.streams.connection import Connection
from api.streams.hub import Hub, stream_name
from api.streams.protocol import ACCOUNT_STREAM
from engine.commands import OrderType, Side
from exchange.commands import SubmitOrder
from exchange.store import open_store

BTC_USDT = 1


class HeldCommits:
    """The real SQLite store, whose commits wait until the test opens the gate."""

    def __init__(self, store):
        self.store = store
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()

    async def write_batch(self, batch):
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        await self.store.write_batch(batch)

    def __getattr__(self, name):
        return getattr(self.store, name)


async def _scenario(tmp_path):
    store = HeldCommits(await open_store(f"sqlite:///{tmp_path / 'exchange.db'}"))
    runtime = Runtime(store, parse_server_key(generate_server_key()))
    await runtime._start()
    await bootstrap(runtime, tmp_path)
    trader = (await demo(runtime, tmp_path))["traders"][0]
    trader_id = trader["customer_id"]
    hub = Hub(runtime)
    hub.start()
    connection = Connection(websocket=None)  # No writer: the outbox keeps what the hub delivered.
    connection.customer_id, connection.key_id = trader_id, trader["api_key"]  # As a login leaves them.
    instrument = runtime.venue.engine.instrument(BTC_USDT)
    hub.subscribe(connection, ("book", BTC_USDT, None), stream_name("book", instrument), instrument, None)
    hub.subscribe_account(connection, (ACCOUNT_STREAM, None, None), ACCOUNT_STREAM)
    assert [message[:24] for message in connection.outbox] == ['{"type":"book_snapshot",']

    store.gate.clear()
    order = asyncio.create_task(runtime.submit(SubmitOrder(
        account_id=trader_id, instrument_id=BTC_USDT, side=Side.BUY, order_type=OrderType.LIMIT,
        price_ticks=9_900_000, quantity_lots=10)))
    await asyncio.wait_for(store.waiting.wait(), 5)
    await asyncio.sleep(0.2)  # Applied in memory, commit held: give the hub every chance to leak it.
    assert runtime.venue.engine.depth(BTC_USDT, 5).bids == [(9_900_000, 10)]
    assert len(connection.outbox) == 1 and not order.done()

    store.gate.set()
    await asyncio.wait_for(order, 5)
    for _ in range(100):  # The delivery task runs soon after the commit.
        if len(connection.outbox) == 3:
            break
        await asyncio.sleep(0.01)
    kinds = [message[:16] for message in connection.outbox]
    assert kinds == ['{"type":"book_sn', '{"type":"book_di', '{"type":"account']
    await runtime.close()


def test_streams_publish_only_after_the_commit(tmp_path):
    asyncio.run(_scenario(tmp_path))
