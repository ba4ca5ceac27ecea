"""`karakum verify-audit FILE` through the installed console script, on real files."""
import json
import subprocess
import sys
from pathlib import Path

from exchange.audit import AuditLog, encode_payload, export_jsonl

KARAKUM = Path(sys.executable).parent / "karakum"


def write_export(path: Path, count: int = 5) -> str:
    log = AuditLog()
    records = [log.append(index, index * 1000, "op-1", "approve_withdrawal", f"w{index}",
                          "four-eyes", encode_payload({"amount_units": index}))
               for index in range(1, count + 1)]
    with path.open("wb") as stream:
        export_jsonl(records, stream)
    return log.head_hash


def karakum(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KARAKUM), "verify-audit", *arguments], capture_output=True,
                          text=True, timeout=60)


def test_an_intact_export_verifies(tmp_path):
    export = tmp_path / "audit.jsonl"
    head = write_export(export)
    result = karakum(str(export))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"OK 5 records, head {head}"
    assert karakum(str(export), "--head", head).returncode == 0


def test_an_edited_record_is_named(tmp_path):
    export = tmp_path / "audit.jsonl"
    write_export(export)
    lines = export.read_text().splitlines()
    row = json.loads(lines[2])
    row["reason"] = "nobody will notice"
    lines[2] = json.dumps(row)
    export.write_text("\n".join(lines) + "\n")
    result = karakum(str(export))
    assert result.returncode == 1
    assert result.stdout.startswith("BROKEN at record 2 (sequence 3)")


def test_a_removed_middle_record_or_a_truncated_tail_is_detected(tmp_path):
    export = tmp_path / "audit.jsonl"
    head = write_export(export)
    lines = export.read_text().splitlines(keepends=True)
    (tmp_path / "gap.jsonl").write_text("".join(lines[:1] + lines[2:]))
    (tmp_path / "short.jsonl").write_text("".join(lines[:-1]))
    gap = karakum(str(tmp_path / "gap.jsonl"))
    short = karakum(str(tmp_path / "short.jsonl"), "--head", head)
    assert (gap.returncode, gap.stdout.split(" (")[0]) == (1, "BROKEN at record 1")
    assert short.returncode == 1 and "missing at the end" in short.stdout


def test_garbage_lines_and_missing_files(tmp_path):
    export = tmp_path / "audit.jsonl"
    write_export(export)
    with export.open("a") as stream:
        stream.write("not json\n")
    garbage = karakum(str(export))
    missing = karakum(str(tmp_path / "nope.jsonl"))
    assert garbage.returncode == 1 and garbage.stdout.startswith("BROKEN at record 5")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
