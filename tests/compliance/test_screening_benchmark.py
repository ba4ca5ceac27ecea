"""benchmarks/screening.py runs end to end on a small book and ends with its JSON line."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_screening_benchmark_times_each_step_for_each_list_size():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "screening.py"), "--customers", "200", "--entries", "300,600"],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["min_score"] == 85 and [run["entries"] for run in figures["runs"]] == [300, 600]
    for run in figures["runs"]:
        assert run["customers"] == 200
        for step in ("load_equal_names", "similar_names", "reload_similar_names"):
            assert 0 <= run[f"{step}_longest_s"] <= run[f"{step}_s"] and run[f"{step}_cases"] >= 0
