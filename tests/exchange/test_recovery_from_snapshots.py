"""Start-up recovery: latest usable snapshot + journal, checked against the stored ledger and hashes."""
import asyncio

import msgspec
import pytest

from engine.commands import StpMode
from exchange import snapshots
from exchange.commands import decode_command
from exchange.recovery import RecoveryError, rebuild
from exchange.sequencer import Sequencer
from exchange.store import open_store
from exchange.venue import Venue
from tests.exchange.venue_setup import VenueDriver, commands_of, recorded_session


async def run_through_sequencer(url, commands, snapshot_every):
    store = await open_store(url)
    sequencer = Sequencer(Venue(), store, snapshot_every_commands=snapshot_every)
    sequencer.start()
    for command in commands:
        await sequencer.submit(command)
    live_hash = sequencer.venue.state_hash()
    await sequencer.stop()
    await store.close()
    return live_hash


def test_snapshot_round_trip_keeps_the_state_hash():
    driver = recorded_session()
    restored = snapshots.restore(snapshots.encode(driver.venue))
    assert restored.state_hash() == driver.venue.state_hash()
    restored.check()


def open_orders_stp_modes(venue) -> dict[int, str]:
    return {order_id: order.record(0, 0).stp_mode for order_id, order in venue.trading.open.items()}


def test_snapshots_keep_each_open_orders_stp_mode_and_older_ones_restore_the_default():
    driver = VenueDriver()
    driver.market()
    alice = driver.customer("alice@example.tm", "AA1111111")
    driver.fund(alice, "USDT", 50_000_000_000, "tx-a")
    for mode in StpMode:
        driver.order(alice, "BUY", 9_900_000, 10, stp_mode=mode)
    kept = open_orders_stp_modes(driver.venue)
    assert sorted(kept.values()) == sorted(mode.value for mode in StpMode)
    assert open_orders_stp_modes(snapshots.restore(snapshots.encode(driver.venue))) == kept

    snapshot = msgspec.msgpack.decode(snapshots.encode(driver.venue), type=snapshots._VenueSnapshot)
    assert snapshots.OpenOrder.__slots__[-1] == "stp_mode"  # So an older snapshot's orders lack the last field.
    older = msgspec.structs.replace(snapshot, open_orders=[fields[:-1] for fields in snapshot.open_orders])
    restored = snapshots.restore(msgspec.msgpack.encode(older))
    assert set(open_orders_stp_modes(restored).values()) == {StpMode.EXPIRE_TAKER.value}
    assert restored.state_hash() == driver.venue.state_hash()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_recovery_uses_snapshots_and_matches_the_live_state(database, tmp_path, request):
    driver = recorded_session()
    url = f"sqlite:///{tmp_path}/x.db" if database == "sqlite" else request.getfixturevalue("postgres_url")
    live_hash = asyncio.run(run_through_sequencer(url, commands_of(driver), snapshot_every=25))

    async def check():
        store = await open_store(url)
        stored = await store.load_snapshots()
        assert len(stored) >= 2 and stored[0].sequence == len(driver.journal)  # periodic + final
        venue = await rebuild(store)
        assert venue.state_hash() == live_hash
        await store.close()
    asyncio.run(check())


def test_corrupt_latest_snapshot_falls_back_to_the_previous(tmp_path):
    driver = recorded_session()
    url = f"sqlite:///{tmp_path}/x.db"
    commands = commands_of(driver)
    asyncio.run(run_through_sequencer(url, commands[:60], snapshot_every=30))

    async def corrupt_and_continue():
        import sqlite3
        store = await open_store(url)
        await store.close()
        connection = sqlite3.connect(f"{tmp_path}/x.db")
        connection.execute("UPDATE snapshots SET data = substr(data, 1, 100) WHERE sequence = "
                           "(SELECT max(sequence) FROM snapshots)")
        connection.commit()
        connection.close()
        store = await open_store(url)
        venue = await rebuild(store)
        reference = Venue()  # the journal alone, no snapshot
        async for record in store.read_journal():
            reference.apply(decode_command(record.command), record.sequence, record.timestamp_ns)
        assert reference.sequence == len(commands)
        assert venue.state_hash() == reference.state_hash()
        await store.close()
    asyncio.run(corrupt_and_continue())


def test_a_changed_stored_posting_stops_recovery_naming_the_sequence(tmp_path):
    driver = recorded_session()
    url = f"sqlite:///{tmp_path}/x.db"
    asyncio.run(run_through_sequencer(url, commands_of(driver), snapshot_every=None))

    async def tamper_and_rebuild():
        import sqlite3
        connection = sqlite3.connect(f"{tmp_path}/x.db")
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'postings'")]
        for name in names:
            connection.execute(f"DROP TRIGGER {name}")
        connection.execute("UPDATE postings SET amount_units = amount_units + 1 WHERE entry_id = "
                           "(SELECT max(entry_id) FROM postings WHERE entry_id LIKE 't%')")
        connection.execute("DELETE FROM snapshots")  # replay everything, as `karakum verify` does
        connection.commit()
        connection.close()
        store = await open_store(url)
        with pytest.raises(RecoveryError, match="sequence"):
            await rebuild(store)
        await store.close()
    asyncio.run(tamper_and_rebuild())
