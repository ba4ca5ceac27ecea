"""`karakum export-journal` then `karakum replay` (full): the venue's outputs again, same state hash."""
import asyncio
import json
import subprocess
import sys
from pathlib import Path

from tests.exchange.test_recovery_from_snapshots import run_through_sequencer
from tests.exchange.venue_setup import commands_of, recorded_session

KARAKUM = str(Path(sys.executable).with_name("karakum"))


def _karakum(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([KARAKUM, *arguments], capture_output=True, text=True, timeout=120)


def test_an_exported_journal_replays_to_the_live_state_twice_identically(tmp_path):
    driver = recorded_session()
    url = f"sqlite:///{tmp_path}/exchange.db"
    live_hash = asyncio.run(run_through_sequencer(url, commands_of(driver), snapshot_every=None))
    exported = _karakum("export-journal", "--db", url, "--out", str(tmp_path / "journal.jsonl"))
    assert exported.returncode == 0, exported.stderr
    first = _karakum("replay", str(tmp_path / "journal.jsonl"), "--state-hash")
    second = _karakum("replay", str(tmp_path / "journal.jsonl"), "--state-hash")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert f"state_hash {live_hash}" in first.stderr
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(lines) == len(driver.journal)
    assert any(line["trades"] for line in lines) and any(line["entries"] for line in lines)


def test_a_malformed_line_stops_the_replay_naming_it(tmp_path):
    journal = tmp_path / "journal.jsonl"
    journal.write_text('{"sequence": 1, "timestamp_ns": 1, "command": {"type": "define_asset", "actor": "a", '
                       '"code": "BTC", "decimals": 8, "tmt_units_per_asset": 1}}\n{"sequence": 2, "nonsense"\n')
    result = _karakum("replay", str(journal))
    assert result.returncode == 1
    assert "line 2" in result.stderr
    assert len(result.stdout.splitlines()) == 1
