"""Over a real `karakum serve --demo` process: the auditor changes nothing, exports and verifies.

Every write route refuses an auditor's key.
Routes are taken from the server's own OpenAPI document, so a write route added later is
covered without editing this file. A route that answers an unsigned request with something
other than 401 is public (e.g. sign-up) and is left out; every other write route must
answer the auditor with 403, and the sequencer must not have moved. The audit-log export
the auditor downloads verifies with `karakum verify-audit`, and an edited copy does not.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from api.auth import sign_binance, sign_native
from api.client import free_port, wait_ready

KARAKUM = Path(sys.executable).parent / "karakum"
WRITE_METHODS = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("auditor-server")
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("KARAKUM_")}
    log = open(data_dir / "server.log", "ab")
    process = subprocess.Popen([str(KARAKUM), "serve", "--demo", "--data-dir", str(data_dir),
                                "--host", "127.0.0.1", "--port", str(port)],
                               env=environment, stdout=subprocess.DEVNULL, stderr=log)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        wait_ready(f"http://127.0.0.1:{port}/v1/health/ready", process, 60, data_dir / "server.log")
        yield client, json.loads((data_dir / "demo-credentials.json").read_text())
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)
        log.close()


def write_routes(client) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), re.sub(r"\{[^}]+\}", "1", path))
                  for path, operations in paths.items() for method in operations
                  if method in WRITE_METHODS)


def signed_request(client, method, path, key, timestamp_ms):
    if path.startswith("/api/"):
        encoded = urlencode([("timestamp", timestamp_ms), ("symbol", "BTCUSDT"), ("orderId", 1)])
        params = f"{encoded}&signature={sign_binance(key['secret'], encoded)}"
        return client.request(method, f"{path}?{params}", headers={"X-MBX-APIKEY": key["api_key"]})
    body = b"{}"
    headers = {"X-KK-APIKEY": key["api_key"], "X-KK-TIMESTAMP": str(timestamp_ms),
               "X-KK-SIGNATURE": sign_native(key["secret"], timestamp_ms, method, path, body),
               "content-type": "application/json"}
    return client.request(method, path, content=body, headers=headers)


def signed_within_rate_limit(client, method, path, key):
    """The auditor's bucket is small: wait out a 429 as a client should, then ask again."""
    for _ in range(10):
        response = signed_request(client, method, path, key, time.time_ns() // 1_000_000)
        if response.status_code != 429:
            return response
        time.sleep(int(response.headers["Retry-After"]))
    return response


def test_every_protected_write_route_refuses_the_auditor_and_nothing_is_journaled(server):
    client, credentials = server
    auditor = next(staff for staff in credentials["staff"] if staff["role"] == "auditor")
    protected = []
    for method, path in write_routes(client):
        unsigned = client.request(method, path, content=b"{}", headers={"content-type": "application/json"})
        if unsigned.status_code == 401:
            protected.append((method, path))
    sequence_before = client.get("/v1/health/ready").json()["sequence"]
    answers = {}
    for method, path in protected:
        answers[f"{method} {path}"] = signed_within_rate_limit(client, method, path, auditor).status_code
    not_forbidden = {route: status for route, status in answers.items() if status != 403}
    assert not_forbidden == {}
    assert client.get("/v1/health/ready").json()["sequence"] == sequence_before


def test_the_auditor_key_authenticates_so_the_refusals_are_about_the_role(server):
    client, credentials = server
    auditor = next(staff for staff in credentials["staff"] if staff["role"] == "auditor")
    paths = client.get("/openapi.json").json()["paths"]
    # Native routes only: the Binance-compatible ones take Binance's signature scheme, not this one.
    reads = sorted(re.sub(r"\{[^}]+\}", "1", path) for path, operations in paths.items()
                   if "get" in operations and path.startswith("/v1/"))
    answers = {}
    for path in reads:
        if client.get(path).status_code == 401:
            answers[path] = signed_within_rate_limit(client, "GET", path, auditor).status_code
    unauthenticated = {path: status for path, status in answers.items() if status == 401}
    assert unauthenticated == {}


def test_the_auditor_exports_the_audit_log_and_verifies_it_offline(server, tmp_path):
    client, credentials = server
    auditor = next(staff for staff in credentials["staff"] if staff["role"] == "auditor")
    response = signed_within_rate_limit(client, "GET", "/v1/audit/audit-log.jsonl", auditor)
    assert response.status_code == 200, response.text
    lines = response.content.splitlines(keepends=True)
    assert len(lines) >= 5  # --demo journals staff, keys, assets, markets: each audited.
    export, edited = tmp_path / "audit.jsonl", tmp_path / "edited.jsonl"
    export.write_bytes(response.content)
    row = json.loads(lines[1])
    row["actor"] = "someone-else"
    edited.write_bytes(b"".join(lines[:1]) + json.dumps(row).encode() + b"\n" + b"".join(lines[2:]))
    verified = subprocess.run([str(KARAKUM), "verify-audit", str(export)], capture_output=True, text=True, timeout=60)
    refused = subprocess.run([str(KARAKUM), "verify-audit", str(edited)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and verified.stdout.startswith(f"OK {len(lines)} records"), verified.stdout
    assert refused.returncode == 1 and refused.stdout.startswith("BROKEN at record 1"), refused.stdout
