"""`karakum replay FILE --engine-only`, run as the real console script."""
import subprocess
import sys
from pathlib import Path

import msgspec

from api.commands.replay import JournalRecord, ReplayError, replay_engine
from engine.events import EngineEvent, OrderRejected, Trade
from engine_journal import random_journal

KARAKUM = Path(sys.executable).with_name("karakum")
EVENTS = msgspec.json.Decoder(EngineEvent)


def write_journal(path: Path, commands: list, as_records: bool = True) -> None:
    lines = [msgspec.json.encode(JournalRecord(sequence=n, timestamp_ns=10 * n, command=c) if as_records else c)
             for n, c in enumerate(commands, 1)]
    path.write_bytes(b"\n".join(lines) + b"\n")


def karakum(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([str(KARAKUM), *map(str, arguments)], capture_output=True, timeout=120)


def test_replay_prints_every_event_as_json_lines_and_is_repeatable(tmp_path):
    journal = tmp_path / "journal.jsonl"
    commands = random_journal(11, 400)
    write_journal(journal, commands)
    first, second = karakum("replay", journal, "--engine-only", "--state-hash"), \
        karakum("replay", journal, "--engine-only", "--state-hash")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stderr == second.stderr
    events = [EVENTS.decode(line) for line in first.stdout.splitlines()]
    assert events == list(replay_engine(journal.read_bytes().splitlines()))
    assert any(isinstance(event, Trade) for event in events)
    assert first.stderr.startswith(b"state_hash ")


def test_bare_commands_take_their_line_number_as_sequence(tmp_path):
    journal = tmp_path / "bare.jsonl"
    write_journal(journal, random_journal(12, 50), as_records=False)
    result = karakum("replay", journal, "--engine-only")
    assert result.returncode == 0, result.stderr
    assert EVENTS.decode(result.stdout.splitlines()[-1]).sequence == 50


def test_malformed_line_stops_with_its_number_and_nothing_from_it(tmp_path):
    journal = tmp_path / "broken.jsonl"
    commands = random_journal(13, 30)
    write_journal(journal, commands)
    lines = journal.read_bytes().splitlines()
    lines.insert(20, b'{"type":"place_order","order_id":"not a number"}')
    journal.write_bytes(b"\n".join(lines) + b"\n")
    result = karakum("replay", journal, "--engine-only")
    assert result.returncode == 1
    assert b"line 21:" in result.stderr
    printed = [EVENTS.decode(line) for line in result.stdout.splitlines()]
    assert printed == list(replay_engine(lines[:20]))
    assert max(event.sequence for event in printed) == 20


def test_sequences_must_increase():
    commands = random_journal(14, 3)
    lines = [msgspec.json.encode(JournalRecord(sequence=5, timestamp_ns=0, command=c)) for c in commands[:2]]
    replayed = replay_engine(lines)
    assert not isinstance(next(replayed), OrderRejected)
    try:
        next(replayed)
    except ReplayError as error:
        assert error.line_number == 2
    else:
        raise AssertionError("a repeated sequence was replayed")


def test_an_engine_journal_is_not_an_exchange_journal(tmp_path):
    # Without --engine-only the file must be an exchange journal (karakum export-journal): engine-level
    # commands such as define_instrument are refused at their line, nothing is printed for them.
    journal = tmp_path / "journal.jsonl"
    write_journal(journal, random_journal(15, 5))
    result = karakum("replay", journal)
    assert result.returncode == 1
    assert b"line 1" in result.stderr
    assert result.stdout == b""
