"""The auditor's commands, run as the real `karakum` console script against a real store."""
import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from exchange.store import Batch, JournalRecord, open_store
from ledger import Ledger
from ledger import entries as E

KARAKUM = str(Path(sys.executable).parent / "karakum")


def scenario_entries():
    return [
        E.deposit("d1", 1, 7, "BTC", 1_000, "tx-1"),
        E.deposit("d2", 2, 8, "USDT", 900_000, "tx-2"),
        E.hold("s3:hold", 3, 7, "BTC", 100, "s3"),
        E.hold("s4:hold", 4, 8, "USDT", 50_000, "s4"),
        E.trade_settlement("t1", 4, 1, 8, 7, "BTC", 100, "USDT", 50_000, 1, 50),
        E.withdrawal_request("w5", 5, 7, "USDT", 10_000, "w5"),
        E.custody_rebalance("r6", 6, "BTC", 600, True, "sweep-6"),
        E.deposit("d7", 7, 9, "BTC", 5, "tx-7"),
    ]


def karakum(*arguments, cwd):
    return subprocess.run([KARAKUM, *map(str, arguments)], capture_output=True, text=True, cwd=cwd, timeout=120)


def fill_store(url: str) -> None:
    async def main():
        store = await open_store(url)
        try:
            for sequence in range(1, 8):
                entries = [entry for entry in scenario_entries() if entry.sequence == sequence]
                journal = [JournalRecord(sequence=sequence, timestamp_ns=sequence, command=b"c")]
                await store.write_batch(Batch(journal=journal, entries=entries))
        finally:
            await store.close()

    asyncio.run(main())


def ledger_at(sequence: int) -> Ledger:
    ledger = Ledger()
    ledger.define_asset("BTC", 8)
    ledger.define_asset("USDT", 6)
    for entry in scenario_entries():
        if entry.sequence <= sequence:
            assert ledger.apply(entry).entry_id == entry.entry_id
    return ledger


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite://{tmp_path}/exchange.db"
    fill_store(url)
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("sequence", [3, 4, 7])
def test_trial_balance_at_a_sequence_matches_the_ledger_then(request, tmp_path, backend, sequence):
    url = request.getfixturevalue("sqlite_url") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    if backend == "postgres":
        fill_store(url)
    completed = karakum("trial-balance", "--db", url, "--at-sequence", sequence, "--json", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    printed = json.loads(completed.stdout)["balances"]
    expected = ledger_at(sequence).trial_balance()
    assert printed == {asset: {a: str(u) for a, u in book.items()} for asset, book in expected.items() if book}


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_export_verifies_and_a_tampered_line_is_named(sqlite_url, tmp_path, export_format):
    path = tmp_path / f"ledger.{export_format}"
    exported = karakum("export-ledger", "--db", sqlite_url, "--format", export_format, "--out", path, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    head = exported.stderr.split("head ")[1].strip()
    verified = karakum("verify-export", path, "--head", head, cwd=tmp_path)
    assert (verified.returncode, verified.stdout.split()[:2]) == (0, ["OK", "11"])

    lines = path.read_text().splitlines(keepends=True)
    assert "user:" in lines[2]
    lines[2] = lines[2].replace("user:", "user:1", 1)  # Line 3: redirect a posting to another customer.
    path.write_text("".join(lines))
    broken = karakum("verify-export", path, cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stdout.startswith("BROKEN at line 3")


def test_records_cut_from_the_end_are_caught_only_against_the_published_head(sqlite_url, tmp_path):
    path = tmp_path / "ledger.jsonl"
    exported = karakum("export-ledger", "--db", sqlite_url, "--out", path, cwd=tmp_path)
    head = exported.stderr.split("head ")[1].strip()
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-2]))
    assert karakum("verify-export", path, cwd=tmp_path).returncode == 0
    cut = karakum("verify-export", path, "--head", head, cwd=tmp_path)
    assert cut.returncode == 1
    assert "BROKEN at the end" in cut.stdout


def test_verify_export_of_a_missing_file_exits_2(tmp_path):
    assert karakum("verify-export", tmp_path / "absent.jsonl", cwd=tmp_path).returncode == 2


def test_proof_of_reserves_round_trip_and_a_tampered_proof(sqlite_url, tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(b"a long operator secret for nonces")
    out = tmp_path / "reserves"
    built = karakum("proof-of-reserves", "--db", sqlite_url, "--asset", "BTC", "--epoch", "2026-11-25",
                    "--secret-file", secret, "--out-dir", out, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    root = out / "root-BTC-2026-11-25.json"
    assert json.loads(root.read_text())["total_units"] == "1004"  # 1,005 deposited, 1 paid as a fee.
    assert sorted(p.name for p in (out / "proofs").iterdir()) == ["7.json", "8.json", "9.json"]
    proof = out / "proofs" / "8.json"
    ok = karakum("verify-proof", proof, "--root", root, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout
    assert "holds 99 BTC units" in ok.stdout

    tampered = json.loads(proof.read_text())
    tampered["balance_units"] = "500"
    proof.write_text(json.dumps(tampered))
    rejected = karakum("verify-proof", proof, "--root", root, cwd=tmp_path)
    assert rejected.returncode == 1
    assert rejected.stdout.startswith("REJECTED")
    assert karakum("verify-proof", tmp_path / "absent.json", cwd=tmp_path).returncode == 2


def test_trial_balance_exits_1_when_the_stored_postings_break_an_invariant(tmp_path):
    # The store does not judge entries; the auditor's trial balance does.
    url = f"sqlite://{tmp_path}/exchange.db"

    async def write_unfunded_hold():
        store = await open_store(url)
        try:
            journal = [JournalRecord(sequence=1, timestamp_ns=1, command=b"c")]
            await store.write_batch(Batch(journal=journal, entries=[E.hold("s1:hold", 1, 7, "BTC", 5, "s1")]))
        finally:
            await store.close()

    asyncio.run(write_unfunded_hold())
    completed = karakum("trial-balance", "--db", url, cwd=tmp_path)
    assert completed.returncode == 1
    assert "INVARIANT BROKEN" in completed.stderr
    assert "user:7:available" in completed.stdout
