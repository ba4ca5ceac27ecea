"""The sequencer answers only after the batch is durable, and the journal rebuilds the same venue."""
import asyncio

import pytest

from engine.commands import OrderType, Side, TimeInForce
from exchange import commands as c
from exchange.recovery import rebuild
from exchange.sequencer import Sequencer
from exchange.store import open_store
from exchange.venue import Venue
from tests.exchange.venue_setup import commands_of, recorded_session


async def _run(url):
    driver = recorded_session()
    alice, bob = driver.alice, driver.bob
    store = await open_store(url)
    sequencer = Sequencer(Venue(), store)
    sequencer.start()
    for command in commands_of(driver):  # the same commands, now through the real sequencer
        await sequencer.submit(command)
    orders = []
    for index in range(50):
        side = Side.SELL if index % 2 else Side.BUY
        account = bob if side is Side.SELL else alice
        orders.append(sequencer.submit(c.SubmitOrder(
            account_id=account, instrument_id=1, side=side, order_type=OrderType.LIMIT,
            time_in_force=TimeInForce.GTC, price_ticks=10_000_000 + (index % 7) * 100, quantity_lots=100)))
    results = await asyncio.gather(*orders)
    assert all(type(r).__name__ == "OrderResult" for r in results)
    live_hash = sequencer.venue.state_hash()
    await sequencer.stop()
    await store.close()

    reopened = await open_store(url)
    rebuilt = await rebuild(reopened)
    assert rebuilt.state_hash() == live_hash
    trades = await reopened.read_trades(account_id=alice)
    assert trades, "crossing orders must have traded and been stored"
    await reopened.close()


def test_sqlite_journal_rebuilds_the_same_venue(tmp_path):
    asyncio.run(_run(f"sqlite:///{tmp_path}/exchange.db"))


@pytest.mark.postgres
def test_postgres_journal_rebuilds_the_same_venue(postgres_url):
    asyncio.run(_run(postgres_url))
