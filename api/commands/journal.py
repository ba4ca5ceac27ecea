"""The exchange journal as a file: `karakum export-journal`, and the full replay behind `karakum replay`.

A journal file is JSON Lines, one record per command in sequence order:
    {"sequence": 42, "timestamp_ns": 1767225600000000000, "command": {"type": "submit_order", ...}}
exactly the commands the sequencer applied (docs/journal-format.md lists them).
`replay_venue(lines)` applies them to a fresh venue and yields, per command,
what it produced: its result, engine events, ledger entries and trades. The
same journal always yields the same lines and the same final state hash.
"""
import asyncio
import sys
from collections.abc import Iterable, Iterator

import msgspec

from api.commands.replay import ReplayError
from api.progress import Progress
from exchange.commands import Command
from exchange.venue import Venue


class VenueJournalRecord(msgspec.Struct, frozen=True, kw_only=True):
    sequence: int
    timestamp_ns: int
    command: Command


class Replayed(msgspec.Struct, frozen=True, kw_only=True):
    """What one replayed command produced."""

    sequence: int
    result: object
    events: list
    entries: list
    trades: list


def replay_venue(lines: Iterable[bytes | str], venue: Venue | None = None) -> Iterator[Replayed]:
    """Apply each journal line to `venue` (a new one by default); raises ReplayError at a bad line."""
    venue = Venue() if venue is None else venue
    decoder = msgspec.json.Decoder(VenueJournalRecord)
    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = decoder.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise ReplayError(line_number, str(error)) from None
        if record.sequence != venue.sequence + 1:
            raise ReplayError(line_number, f"sequence {record.sequence} does not follow {venue.sequence}")
        outcome = venue.apply(record.command, record.sequence, record.timestamp_ns)
        yield Replayed(sequence=record.sequence, result=outcome.result, events=outcome.events,
                       entries=outcome.entries, trades=outcome.trades)


def register(subparsers) -> None:
    parser = subparsers.add_parser("export-journal", help="write the stored journal as JSON Lines (for replay)")
    parser.add_argument("--db", required=True, help="sqlite:///abs/path.db or postgresql://...")
    parser.add_argument("--out", default="-", help="file to write (- for standard output)")
    parser.set_defaults(handler=export)


def export(arguments) -> int:
    from exchange.store import open_store

    async def write(stream) -> None:
        store = await open_store(arguments.db)
        progress = Progress("exported commands", total=await store.last_sequence())
        try:
            async for record in store.read_journal():
                stream.write(b'{"sequence":%d,"timestamp_ns":%d,"command":%s}\n'
                             % (record.sequence, record.timestamp_ns, record.command))
                progress.advance()
        finally:
            progress.finish()
            await store.close()

    if arguments.out == "-":
        asyncio.run(write(sys.stdout.buffer))
    else:
        with open(arguments.out, "wb") as stream:
            asyncio.run(write(stream))
    return 0

