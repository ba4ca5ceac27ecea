"""benchmarks/engine.py runs end to end on a small flow and ends with its JSON line."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_prints_a_table_then_one_json_line(tmp_path):
    plot = tmp_path / "latency.png"
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "engine.py"), "--ops", "3000", "--repeat", "1",
         "--resting-orders", "2000", "--plot", str(plot)],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) >= {"ours_ops_s", "minimal_ops_s", "ratio"}
    assert figures["ours_ops_s"] > 0 and figures["ratio"] > 0
    assert any(line.startswith("flow") and "trades" in line for line in lines)
    assert plot.stat().st_size > 1_000
