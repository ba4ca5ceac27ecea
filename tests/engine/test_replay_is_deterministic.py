"""Same journal => same events and state hash; snapshot/restore continues identically."""
import msgspec
import pytest

from engine.commands import EngineCommand
from engine.engine import Engine
from engine.events import EngineEvent, Trade
from engine_journal import random_journal

JOURNAL_LENGTH = 1_500


def replay(engine: Engine, journal: list, first_sequence: int = 1) -> list:
    events = []
    for sequence, command in enumerate(journal, first_sequence):
        events.extend(engine.apply(command, sequence, 1_000_000 * sequence))
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replaying_a_journal_twice_gives_the_same_events_and_hash(seed):
    journal = random_journal(seed, JOURNAL_LENGTH)
    first, second = Engine(), Engine()
    first_events, second_events = replay(first, journal), replay(second, journal)
    assert first_events == second_events
    assert first.state_hash() == second.state_hash()
    assert sum(isinstance(event, Trade) for event in first_events) > 50
    first.check()


def test_journal_survives_json_encoding():
    journal = random_journal(4, 300)
    decoded = msgspec.json.Decoder(list[EngineCommand]).decode(msgspec.json.encode(journal))
    assert decoded == journal
    events = replay(Engine(), decoded)
    assert msgspec.json.Decoder(list[EngineEvent]).decode(msgspec.json.encode(events)) == events


@pytest.mark.parametrize("seed", [5, 6])
def test_snapshot_restore_gives_the_same_hash_and_the_same_future(seed):
    journal = random_journal(seed, JOURNAL_LENGTH)
    middle = JOURNAL_LENGTH // 2
    original = Engine()
    replay(original, journal[:middle])
    restored = Engine.restore(original.snapshot())
    assert restored.state_hash() == original.state_hash()
    restored.check()
    assert replay(restored, journal[middle:], middle + 1) == replay(original, journal[middle:], middle + 1)
    assert restored.state_hash() == original.state_hash()


def test_state_hash_sees_a_one_lot_difference():
    journal = random_journal(7, 200)
    engine = Engine()
    replay(engine, journal)
    before = engine.state_hash()
    order = next(iter(engine.index.orders.values()))
    order.filled_lots += 1
    assert engine.state_hash() != before
