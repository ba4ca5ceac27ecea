"""Committed order books, mirrored from published batches: the source of book snapshots and diffs.

Why a mirror: when a subscriber runs, or when a reader resumes after
`durable()`, the sequencer may already have applied the next batch, so the
live engine can show levels that are not committed yet. The mirror changes
only in the publish callback, from `Outcome.levels`, so a snapshot taken from
it is exactly the committed book at `sequence`, and the diffs that follow it
chain without a gap or an overlap.

Invariant: `sequence` of a book is the journal sequence of the last command
that changed one of its levels (the engine's `Depth.sequence` for the same
committed state). A level update that leaves the quantity unchanged (a stop
order parked at a price) is not a change. Known gap: a book change that does
not appear in `Outcome.levels` cannot be mirrored; the stream tests compare
the rebuilt book with the REST book to catch one.
"""


class BookChange:
    """One batch's changes to one book: the diff message is built from this."""

    __slots__ = ("previous_sequence", "first_sequence", "last_sequence", "levels")

    def __init__(self, previous_sequence: int, sequence: int) -> None:
        self.previous_sequence = previous_sequence
        self.first_sequence = self.last_sequence = sequence
        self.levels: dict[tuple[str, int], int] = {}  # (side, price_ticks) -> quantity_lots now, 0 = gone.


class MirrorBook:
    __slots__ = ("bids", "asks", "sequence")

    def __init__(self, sequence: int = 0) -> None:
        self.bids: dict[int, int] = {}  # price_ticks -> quantity_lots
        self.asks: dict[int, int] = {}
        self.sequence = sequence

    def set_level(self, side: str, price_ticks: int, quantity_lots: int) -> bool:
        """Store a level's new quantity (0 removes it); False when nothing changed. O(1)."""
        levels = self.bids if side == "BUY" else self.asks
        if levels.get(price_ticks, 0) == quantity_lots:
            return False
        if quantity_lots:
            levels[price_ticks] = quantity_lots
        else:
            del levels[price_ticks]
        return True

    def depth(self, levels_max: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Best first on each side; O(levels log levels), paid once per snapshot, not per update."""
        bids = sorted(self.bids.items(), reverse=True)[:levels_max]
        asks = sorted(self.asks.items())[:levels_max]
        return bids, asks


class MirrorBooks:
    """Every instrument's committed book; `seed` once while nothing is in flight, then `apply` each batch."""

    def __init__(self) -> None:
        self.books: dict[int, MirrorBook] = {}

    def seed(self, engine, levels_max: int) -> None:
        """Copy the engine's books; only valid when everything applied is committed (checked by the caller)."""
        for instrument in engine.instruments():
            depth = engine.depth(instrument.instrument_id, levels_max)
            book = self.books[instrument.instrument_id] = MirrorBook(depth.sequence)
            book.bids.update(depth.bids)
            book.asks.update(depth.asks)

    def book(self, instrument_id: int) -> MirrorBook:
        book = self.books.get(instrument_id)
        if book is None:
            book = self.books[instrument_id] = MirrorBook()
        return book

    def apply(self, outcomes) -> dict[int, BookChange]:
        """Apply one committed batch; the changes per instrument. O(levels touched)."""
        changes: dict[int, BookChange] = {}
        for outcome in outcomes:
            sequence = outcome.journal.sequence
            for instrument_id, side, price_ticks, quantity_lots in outcome.levels:
                book = self.book(instrument_id)
                if not book.set_level(side, price_ticks, quantity_lots):
                    continue
                change = changes.get(instrument_id)
                if change is None:
                    change = changes[instrument_id] = BookChange(book.sequence, sequence)
                change.last_sequence = book.sequence = sequence
                change.levels[(side, price_ticks)] = quantity_lots
        return changes
