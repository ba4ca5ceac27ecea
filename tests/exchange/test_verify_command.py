"""`karakum verify` (the real console script) passes a sound store and names the first tampered record."""
import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.exchange.test_recovery_from_snapshots import run_through_sequencer
from tests.exchange.venue_setup import commands_of, recorded_session

KARAKUM = str(Path(sys.executable).with_name("karakum"))


def _verify(data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([KARAKUM, "verify", "--data-dir", str(data_dir)], capture_output=True, text=True,
                          timeout=120)


def test_verify_passes_then_fails_on_a_tampered_posting(tmp_path):
    driver = recorded_session()
    asyncio.run(run_through_sequencer(f"sqlite:///{tmp_path}/exchange.db", commands_of(driver), snapshot_every=20))
    sound = _verify(tmp_path)
    assert sound.returncode == 0, sound.stderr
    summary = json.loads(sound.stdout)
    assert summary["ok"] and summary["commands"] == len(driver.journal) and summary["snapshots_matched"] >= 2
    assert sound.stderr == ""  # piped: no progress output

    connection = sqlite3.connect(tmp_path / "exchange.db")
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='postings'"):
        connection.execute(f"DROP TRIGGER {name}")
    connection.execute("UPDATE postings SET amount_units = amount_units * 2 WHERE entry_id = "
                       "(SELECT min(entry_id) FROM postings WHERE entry_id LIKE 'd:%')")
    connection.commit()
    connection.close()
    broken = _verify(tmp_path)
    assert broken.returncode == 1
    assert "sequence" in broken.stderr and "differs" in broken.stderr
