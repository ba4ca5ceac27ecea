"""Sliding time windows of evidence, keyed by account or pair of accounts.

Each key holds a deque of (timestamp_ns, ...) tuples, oldest first; `prune`
drops what fell out of the window. Keys whose deque empties are removed by
`sweep`, run every SWEEP_EVERY additions, so memory follows the activity of
the last window, not the history. A key keeps at most ITEMS_PER_KEY_MAX items
(the oldest go first): evidence enough for any threshold, and a bound on what
one very busy pair of accounts can cost.
"""
from collections import deque

SWEEP_EVERY = 10_000
ITEMS_PER_KEY_MAX = 10_000


class Windows:
    def __init__(self) -> None:
        self._by_key: dict = {}
        self._added = 0

    def add(self, key, item: tuple, window_ns: int) -> deque:
        """Append `item` (timestamp_ns first) under `key`; returns the pruned deque. O(1) amortised."""
        items = self._by_key.get(key)
        if items is None:
            items = self._by_key[key] = deque(maxlen=ITEMS_PER_KEY_MAX)
        items.append(item)
        prune(items, item[0] - window_ns)
        self._added += 1
        if self._added % SWEEP_EVERY == 0:
            self.sweep(item[0] - window_ns)
        return items

    def get(self, key, since_ns: int) -> deque:
        items = self._by_key.get(key)
        if items is None:
            return deque()
        prune(items, since_ns)
        return items

    def sweep(self, since_ns: int) -> None:
        for key in [k for k, items in self._by_key.items() if not items or items[-1][0] < since_ns]:
            del self._by_key[key]

    def __len__(self) -> int:
        return len(self._by_key)


def prune(items: deque, since_ns: int) -> None:
    while items and items[0][0] < since_ns:
        items.popleft()
