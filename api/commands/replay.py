"""`karakum replay FILE --engine-only`: re-run a journal of engine commands, print the events.

The auditor's tool: JSON Lines in (one command per line, see
docs/journal-format.md), JSON Lines events out on stdout, in order. A line is
either a journal record {"sequence", "timestamp_ns", "command"} or a bare
command (its sequence is then its line number and its timestamp_ns 0);
sequences must increase. Blank lines are skipped. A malformed line stops the
replay with an error naming its line number; nothing from that line is
applied (a line is decoded and checked whole before the engine sees it).
Without --engine-only the file is an exchange journal (`karakum export-journal`)
and the whole venue is replayed: accounts, funds, ledger (api/commands/journal.py).
Exit codes: 0 done, 1 unreadable or malformed input.
"""
import sys
from collections.abc import Iterable, Iterator

import msgspec

from api.progress import Progress
from engine.commands import EngineCommand
from engine.engine import Engine

EXIT_MALFORMED = 1


class JournalRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One journal line as the sequencer writes it."""

    sequence: int
    timestamp_ns: int
    command: EngineCommand


class ReplayError(ValueError):
    """A line that cannot be replayed; nothing from it was applied."""

    def __init__(self, line_number: int, reason: str):
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number


def _record(line: str | bytes, line_number: int) -> JournalRecord:
    try:
        value = msgspec.json.decode(line)
        if isinstance(value, dict) and "type" in value:
            return JournalRecord(sequence=line_number, timestamp_ns=0,
                                 command=msgspec.convert(value, EngineCommand))
        return msgspec.convert(value, JournalRecord)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ReplayError(line_number, str(error)) from None


def replay_engine(lines: Iterable[str | bytes], engine: Engine | None = None) -> Iterator:
    """Apply each journal line to `engine` (a new one by default); yield the events in order.

    Raises ReplayError at the first malformed line, after yielding every earlier event.
    """
    engine = Engine() if engine is None else engine
    sequence_last = 0
    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = _record(line, line_number)
        if record.sequence <= sequence_last:
            raise ReplayError(line_number, f"sequence {record.sequence} does not follow {sequence_last}")
        sequence_last = record.sequence
        yield from engine.apply(record.command, record.sequence, record.timestamp_ns)


def run(arguments) -> int:
    if arguments.engine_only:
        state = Engine()
        replayed = lambda lines: replay_engine(lines, state)  # noqa: E731
    else:
        from api.commands.journal import replay_venue
        from exchange.venue import Venue

        state = Venue()
        replayed = lambda lines: replay_venue(lines, state)  # noqa: E731
    progress = Progress("replay")
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    try:
        source = sys.stdin.buffer if arguments.file == "-" else open(arguments.file, "rb")
    except OSError as error:
        print(f"karakum replay: {error}", file=sys.stderr)
        return EXIT_MALFORMED
    try:
        with source:
            for item in replayed(_counted(source, progress)):
                out.write(encoder.encode(item) + b"\n")
    except ReplayError as error:
        out.flush()
        print(f"karakum replay: {arguments.file}: {error}", file=sys.stderr)
        return EXIT_MALFORMED
    finally:
        progress.finish()
    out.flush()
    if arguments.state_hash:
        print(f"state_hash {state.state_hash()}", file=sys.stderr)
    return 0


def _counted(lines: Iterable[bytes], progress: Progress) -> Iterator[bytes]:
    for line in lines:
        progress.advance()
        yield line


def register(subparsers) -> None:
    parser = subparsers.add_parser("replay", help="re-run a journal of commands and print the events",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("file", help="JSON Lines journal, or - for standard input")
    parser.add_argument("--engine-only", action="store_true",
                        help="replay the matching engine alone (instruments, orders, market states)")
    parser.add_argument("--state-hash", action="store_true",
                        help="print the final state hash (engine, or whole venue) on stderr")
    parser.set_defaults(handler=run)
