"""Rebuild the venue from the store: the latest usable snapshot, then the journal after it.

Replay is the same code path as live trading (`Venue.apply`), so a journal
always rebuilds the same state. Checked on the way, never assumed:
- a snapshot is used only if it decodes and its state hash equals the one
  recorded with it; otherwise the previous one is tried (then the empty venue);
- journal sequence numbers follow each other without a gap;
- the ledger entries each replayed command produces equal the stored ones;
- when replay passes a newer snapshot that could not be used, the replayed
  state hash must equal the hash recorded with it;
- the venue's invariants hold at the end.
Any difference stops start-up with a RecoveryError naming the sequence and record.
"""
import logging

from exchange.commands import decode_command
from exchange.snapshots import SnapshotError, restore
from exchange.venue import Venue

log = logging.getLogger("karakum.recovery")


class RecoveryError(RuntimeError):
    """The store does not replay to what it holds; the message says where."""


def _latest_usable(snapshots) -> tuple[Venue, int]:
    for snapshot in snapshots:  # newest first
        try:
            venue = restore(snapshot.data)
        except SnapshotError as error:
            log.warning("snapshot at sequence %d unusable (%s); trying an older one", snapshot.sequence, error)
            continue
        if venue.state_hash() != snapshot.state_hash:
            log.warning("snapshot at sequence %d does not match its state hash; trying an older one",
                        snapshot.sequence)
            continue
        return venue, snapshot.sequence
    return Venue(), 0


async def rebuild(store, progress=None) -> Venue:
    """Latest usable snapshot + journal replay, verified as described above. O(journal after the snapshot)."""
    snapshots = await store.load_snapshots()
    venue, start = _latest_usable(snapshots)
    checkpoints = {s.sequence: s.state_hash for s in snapshots if s.sequence > start}
    await replay_journal(store, venue, start, checkpoints, progress)
    return venue


async def verify(store, progress=None) -> dict:
    """`karakum verify`: the journal alone, from an empty venue, against every stored entry and snapshot."""
    snapshots = await store.load_snapshots()
    venue = Venue()
    checkpoints = {s.sequence: s.state_hash for s in snapshots}
    counts = await replay_journal(store, venue, 0, checkpoints, progress)
    counts["snapshots_matched"] = len([s for s in checkpoints if s <= venue.sequence])
    counts["state_hash"] = venue.state_hash()
    return counts


async def replay_journal(store, venue: Venue, start: int, checkpoints: dict[int, str], progress=None) -> dict:
    """Apply the journal after `start` to `venue`, checking entries, gaps and checkpoint hashes, then invariants."""
    stored = store.read_entries(after_sequence=start)
    expected_sequence = start + 1
    entries = 0
    async for record in store.read_journal(after_sequence=start):
        if record.sequence != expected_sequence:
            raise RecoveryError(f"journal gap: expected sequence {expected_sequence}, found {record.sequence}")
        expected_sequence += 1
        outcome = venue.apply(decode_command(record.command), record.sequence, record.timestamp_ns)
        for entry in outcome.entries:
            stored_entry = await anext(stored, None)
            if stored_entry != entry:
                raise RecoveryError(
                    f"sequence {record.sequence}: replayed entry {entry.entry_id} differs from the stored "
                    f"{getattr(stored_entry, 'entry_id', 'nothing')}")
            entries += 1
        recorded_hash = checkpoints.get(record.sequence)
        if recorded_hash is not None and venue.state_hash() != recorded_hash:
            raise RecoveryError(f"sequence {record.sequence}: replayed state hash differs from the snapshot's")
        if progress is not None:
            progress.advance()
    leftover = await anext(stored, None)
    if leftover is not None:
        raise RecoveryError(f"stored entry {leftover.entry_id} (sequence {leftover.sequence}) has no journaled cause")
    venue.check()
    return {"commands": expected_sequence - 1 - start, "entries": entries}
