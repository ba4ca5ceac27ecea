"""benchmarks/venue.py, sequencer.py and store_writes.py run end to end on a small flow and end with their JSON line."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_venue_benchmark_prints_its_figures_then_one_json_line():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "venue.py"), "--ops", "2000", "--repeat", "1", "--accounts", "40"],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["venue_us_per_command"] > 0 and figures["venue_commands_s"] > 0
    assert figures["minimal_per_venue"] > 1  # the whole venue costs more than a bare matching step
    assert lines[0].startswith("venue:")


def test_sequencer_benchmark_runs_every_store_it_is_given(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "sequencer.py"), "--ops", "2000", "--accounts", "40",
         "--in-flight", "64", "--stores", "memory,sqlite", "--plot", str(tmp_path / "latency.png")],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for store in ("memory", "sqlite"):
        assert figures[f"{store}_commands_s"] > 0
        assert 0 < figures[f"{store}_p50_ms"] <= figures[f"{store}_p99_ms"]
    assert (tmp_path / "latency.png").stat().st_size > 1_000


def test_store_writes_benchmark_measures_both_stores_at_each_batch_size(tmp_path, postgres_url):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "store_writes.py"), "--ops", "2000", "--accounts", "40",
         "--repeat", "1", "--batches", "64,256", "--plot", str(tmp_path / "writes.png")],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "KARAKUM_BENCH_POSTGRES": postgres_url.split("?")[0]})
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for store in ("sqlite", "postgres"):
        for size in (64, 256):
            assert 0 < figures[f"{store}_{size}_client_cpu_us"]
            assert 0 < figures[f"{store}_{size}_wall_us"]
    assert figures["postgres_256_server_cpu_us"] > 0  # the server runs on this machine: its CPU is read
    assert figures["sqlite_256_server_cpu_us"] is None  # SQLite has no server process
    assert (tmp_path / "writes.png").stat().st_size > 1_000
