"""Rebuild the venue from the store: replay every journaled command in order.

Replay is the same code path as live trading (`Venue.apply`), so a journal
always rebuilds the same state. The ledger entries each replayed command
produces are compared with the ones stored for it: a difference means the
store or the code changed under us, and start-up stops, naming the sequence.
"""
from exchange.commands import decode_command
from exchange.venue import Venue


class RecoveryError(RuntimeError):
    """The journal does not replay to what the store holds; the message says where."""


async def rebuild(store, progress=None) -> Venue:
    """Replay the whole journal into a fresh venue and verify its ledger entries. O(journal)."""
    venue = Venue()
    stored = store.read_entries()
    pending_stored: list = []
    async for record in store.read_journal():
        outcome = venue.apply(decode_command(record.command), record.sequence, record.timestamp_ns)
        for entry in outcome.entries:
            if not pending_stored:
                pending_stored.append(await anext(stored, None))
            expected = pending_stored.pop()
            if expected != entry:
                raise RecoveryError(f"sequence {record.sequence}: replayed entry {entry.entry_id} differs "
                                    f"from the stored {getattr(expected, 'entry_id', 'nothing')}")
        if progress is not None:
            progress.advance()
    leftover = await anext(stored, None)
    if leftover is not None:
        raise RecoveryError(f"stored entry {leftover.entry_id} (sequence {leftover.sequence}) has no journaled cause")
    venue.check()
    return venue
