"""Depth diffs: applying every diff to the previous depth gives the current depth."""
import pytest

from engine.engine import Engine
from engine_journal import random_journal


def apply_diff(levels: dict[int, int], changes: list[tuple[int, int]]) -> None:
    for price_ticks, quantity_lots in changes:
        if quantity_lots:
            levels[price_ticks] = quantity_lots
        else:
            levels.pop(price_ticks, None)


@pytest.mark.parametrize("seed, every", [(21, 1), (22, 1), (23, 7)])
def test_diffs_rebuild_the_book(seed, every):
    engine = Engine()
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    seen_sequence = 0
    changed = 0
    for sequence, command in enumerate(random_journal(seed, 1_200), 1):
        engine.apply(command, sequence, 0)
        if 1 not in engine.books or sequence % every:
            continue
        diff = engine.depth_diff(1, seen_sequence)
        apply_diff(bids, diff.bids)
        apply_diff(asks, diff.asks)
        changed += bool(diff.bids or diff.asks)
        seen_sequence = diff.sequence
        depth = engine.depth(1, 10_000)
        assert sorted(bids.items(), reverse=True) == depth.bids
        assert sorted(asks.items()) == depth.asks
    assert changed > 100 // every


def test_diff_over_several_commands_and_unknown_past(blotter):
    blotter.buy(9_990, 1)         # sequence 2
    blotter.buy(9_980, 1)         # sequence 3
    blotter.sell(9_990, 1, account_id=2)   # sequence 4: takes the 9_990 bid
    diff = blotter.engine.depth_diff(1, 2)
    assert (diff.bids, diff.asks, diff.sequence) == ([(9_990, 0), (9_980, 1)], [], 4)
    assert blotter.engine.depth_diff(1, 4).bids == []
    restored = Engine.restore(blotter.engine.snapshot())
    assert restored.depth_diff(1, 2) is None
    assert restored.depth_diff(1, 4).bids == []
