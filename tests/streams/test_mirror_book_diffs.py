"""Snapshot + the diffs after it rebuild the committed book exactly, whenever the snapshot is taken."""
from hypothesis import given, settings
from hypothesis import strategies as st

from api.streams.books import MirrorBooks
from exchange.results import Outcome
from exchange.store.base import JournalRecord

INSTRUMENT = 1

level_update = st.tuples(st.sampled_from(["BUY", "SELL"]), st.integers(1, 12), st.integers(0, 4))
command = st.lists(level_update, max_size=4)  # The levels one command touched.
batch = st.lists(command, min_size=1, max_size=5)


def outcomes_of(batch_commands, first_sequence):
    outcomes = []
    for offset, levels in enumerate(batch_commands):
        outcome = Outcome(JournalRecord(sequence=first_sequence + offset, timestamp_ns=0, command=b""))
        outcome.levels = [(INSTRUMENT, side, price, quantity) for side, price, quantity in levels]
        outcomes.append(outcome)
    return outcomes


def reference_book(updates):
    """The naive model: the last quantity written at each (side, price), zero meaning absent."""
    book = {}
    for side, price, quantity in updates:
        book[(side, price)] = quantity
    return {key: quantity for key, quantity in book.items() if quantity}


@settings(max_examples=150, deadline=None)
@given(batches=st.lists(batch, max_size=12), snapshot_after=st.integers(0, 12))
def test_snapshot_then_chained_diffs_equal_the_mirror_and_the_reference(batches, snapshot_after):
    books = MirrorBooks()
    sequence, snapshot, applied = 1, None, []
    for index, commands in enumerate(batches + [None]):
        if index == min(snapshot_after, len(batches)):
            mirror = books.book(INSTRUMENT)
            snapshot = ({("BUY", p): q for p, q in mirror.bids.items()}
                        | {("SELL", p): q for p, q in mirror.asks.items()}, mirror.sequence)
            rebuilt, last_sequence = dict(snapshot[0]), snapshot[1]
        if commands is None:
            break
        change = books.apply(outcomes_of(commands, sequence)).get(INSTRUMENT)
        sequence += len(commands)
        applied.extend(update for levels in commands for update in levels)
        if snapshot is not None and change is not None:
            assert change.previous_sequence == last_sequence
            assert last_sequence < change.first_sequence <= change.last_sequence
            for key, quantity in change.levels.items():
                if quantity:
                    rebuilt[key] = quantity
                else:
                    rebuilt.pop(key, None)
            last_sequence = change.last_sequence
    mirror = books.book(INSTRUMENT)
    assert rebuilt == reference_book(applied)
    assert last_sequence == mirror.sequence
    bids, asks = mirror.depth(100)
    assert [p for p, _ in bids] == sorted(mirror.bids, reverse=True)
    assert [p for p, _ in asks] == sorted(mirror.asks)
