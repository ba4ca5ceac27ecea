"""The auditor changes nothing and can check everything offline.

Write routes are read from the server's own OpenAPI document, so a route added
later is covered without editing this file. Downloads are verified with the
real console scripts, exactly as downloaded, and a tampered copy must fail.
"""
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from api.auth.signing import sign_binance, sign_native

KARAKUM = str(Path(sys.executable).with_name("karakum"))
WRITE_METHODS = ("post", "put", "patch", "delete")


def karakum(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run([KARAKUM, *arguments], capture_output=True, text=True, timeout=60)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "BTC-USDT" if m.group(0) == "{symbol}" else "1", path)


def signed(client, method: str, path: str, index: int):
    """One request signed with the client's key; waits out the auditor's rate limit (429) and retries."""
    while True:
        response = _signed_once(client, method, path, index)
        if response.status_code != 429:
            return response
        time.sleep(int(response.headers["Retry-After"]))


def _signed_once(client, method: str, path: str, index: int):
    """Signed natively, or Binance-style for /api/ paths."""
    timestamp_ms = time.time_ns() // 1_000_000 + index  # Distinct timestamps: no replay refusal.
    if path.startswith("/api/"):
        query = urlencode([("timestamp", timestamp_ms), ("symbol", "BTCUSDT"), ("orderId", 1)])
        query += f"&signature={sign_binance(client.secret, query)}"
        return client.http.request(method, f"{path}?{query}", headers={"X-MBX-APIKEY": client.api_key})
    headers = {"X-KK-APIKEY": client.api_key, "X-KK-TIMESTAMP": str(timestamp_ms), "content-type": "application/json",
               "X-KK-SIGNATURE": sign_native(client.secret, timestamp_ms, method, path, b"{}")}
    return client.http.request(method, path, content=b"{}", headers=headers)


@pytest.fixture(scope="module")
def traded(exchange_server):
    """One trade between the demo traders, so the exports hold settlements and fees."""
    seller, buyer = exchange_server.trader(0), exchange_server.trader(1)
    order = {"symbol": "BTC-USDT", "type": "LIMIT", "price": "100000.00", "quantity": "0.0100"}
    assert seller.post("/v1/orders", {**order, "side": "SELL"}).status_code == 201
    bought = buyer.post("/v1/orders", {**order, "side": "BUY"})
    assert bought.status_code == 201 and bought.json()["fills"], bought.text
    return exchange_server


@pytest.fixture
def auditor(traded):
    """A fresh key of auditor-1 per test: each key has its own rate-limit bucket."""
    issued = traded.staff("admin").post("/v1/admin/api-keys", {"owner_kind": "staff", "owner_id": "auditor-1"})
    assert issued.status_code == 201, issued.text
    return traded.client(issued.json())


def test_every_write_route_refuses_the_auditor_and_changes_nothing(traded, auditor):
    server = traded
    anonymous = server.client()
    paths = anonymous.get("/openapi.json").json()["paths"]
    writes = sorted((method.upper(), concrete(path)) for path, operations in paths.items()
                    for method in operations if method in WRITE_METHODS)
    assert len(writes) >= 40  # Staff routes alone are more than that: the document was read.
    protected = [(method, path) for method, path in writes
                 if anonymous.request(method, path, body={}).status_code == 401]
    assert ("POST", "/v1/signup") not in protected
    assert ("POST", "/v1/admin/withdrawals/1/approve") in protected
    before = anonymous.get("/v1/health/ready").json()["sequence"]
    answers = {f"{method} {path}": signed(auditor, method, path, index).status_code
               for index, (method, path) in enumerate(protected)}
    assert answers
    assert {route: status for route, status in answers.items() if status != 403} == {}
    assert anonymous.get("/v1/health/ready").json()["sequence"] == before


def test_the_auditor_reads_and_others_may_not(traded, auditor):
    server = traded
    operator, trader = server.staff("operator-1"), server.trader(0)
    customers = auditor.get("/v1/admin/customers").json()["customers"]
    assert customers and all("identity" not in c for c in customers)
    records = auditor.get("/v1/admin/audit-log", limit=5).json()["records"]
    assert len(records) == 5 and records[0]["actor"] == "system"
    assert records[1]["previous_hash"] == records[0]["hash"]
    balance = auditor.get("/v1/audit/trial-balance").json()
    assert balance["invariants_hold"] is True
    assert {"BTC", "USDT", "ETH"} <= set(balance["assets"])
    assert all(asset["sum_units"] == "0" for asset in balance["assets"].values())
    assert "exchange:fees" in balance["assets"]["USDT"]["accounts"]
    assert auditor.get("/v1/audit/trial-balance", sequence=1).json()["assets"] == {}
    assert auditor.get("/v1/audit/trial-balance", sequence=10**12).status_code == 400
    reserves = {a["asset"]: a for a in auditor.get("/v1/audit/proof-of-reserves").json()["assets"]}
    assert reserves["BTC"]["covered"] is True and reserves["BTC"]["leaf_count"] >= 2
    assert int(reserves["BTC"]["custody_units"]) >= int(reserves["BTC"]["total_units"])
    for path in ("/v1/admin/audit-log", "/v1/audit/audit-log.jsonl", "/v1/audit/ledger-export",
                 "/v1/audit/proof-of-reserves"):
        assert operator.get(path).status_code == 403, path
        assert trader.get(path).status_code == 403, path
    assert trader.get("/v1/audit/trial-balance").status_code == 403
    assert auditor.get("/v1/me/reserves-proof", asset="BTC").status_code == 403
    assert auditor.get("/v1/audit/ledger-export", format="xml").status_code == 400


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_the_ledger_export_verifies_offline_and_a_tampered_copy_fails(auditor, export_format, tmp_path):
    answer = auditor.get("/v1/audit/ledger-export", format=export_format)
    assert answer.status_code == 200
    assert int(answer.headers["X-Karakum-Sequence"]) > 0
    export = tmp_path / f"ledger.{export_format}"
    export.write_bytes(answer.content)
    checked = karakum("verify-export", str(export))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "trade" in answer.text and "exchange:fees" in answer.text
    lines = answer.text.splitlines()
    target = len(lines) // 2
    lines[target] = lines[target].replace("user:", "user:9", 1)
    tampered = tmp_path / f"tampered.{export_format}"
    tampered.write_text("\n".join(lines) + "\n")
    broken = karakum("verify-export", str(tampered))
    assert broken.returncode == 1, broken.stdout
    assert f"line {target + 1}" in broken.stdout


def test_the_audit_log_export_verifies_offline(auditor, tmp_path):
    answer = auditor.get("/v1/audit/audit-log.jsonl")
    assert answer.status_code == 200
    export = tmp_path / "audit.jsonl"
    export.write_bytes(answer.content)
    checked = karakum("verify-audit", str(export))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = answer.text.splitlines()
    assert len(lines) > 20
    lines[5] = lines[5].replace('"actor":"', '"actor":"x', 1)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines) + "\n")
    assert karakum("verify-audit", str(tampered)).returncode == 1


def test_a_customers_reserves_proof_verifies_offline(traded, auditor, tmp_path):
    trader = traded.trader(0)
    answer = trader.get("/v1/me/reserves-proof", asset="BTC")
    assert answer.status_code == 200, answer.text
    assert answer.json()["customer_id"] == str(traded.trader_id(0))
    published = next(a for a in auditor.get("/v1/audit/proof-of-reserves").json()["assets"] if a["asset"] == "BTC")
    proof, root = tmp_path / "proof.json", tmp_path / "root.json"
    proof.write_bytes(answer.content)
    root.write_text(json.dumps(published["published_root"]))
    checked = karakum("verify-proof", str(proof), "--root", str(root))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tampered = tmp_path / "tampered.json"
    balance_units = answer.json()["balance_units"]
    tampered.write_text(answer.text.replace(f'"balance_units":"{balance_units}"',
                                            f'"balance_units":"{int(balance_units) + 1}"'))
    assert karakum("verify-proof", str(tampered)).returncode == 1
    assert trader.get("/v1/me/reserves-proof", asset="DOGE").status_code == 404
