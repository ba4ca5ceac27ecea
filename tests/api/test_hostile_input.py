"""Hostile input on every route of a real server: never a 5xx, always a clear refusal.

Every operation in the server's own OpenAPI document is called by a role that may
call it (found by asking each demo role once), with each hostile value below in each
path and query parameter in turn, and with seeded random bodies made of those values
(so a failure repeats). The Binance-compatible routes get correctly signed requests
whose parameters are drawn the same way. A refusal must be a 4xx whose body is
`{"code": ..., "message": ...}` (Binance routes: `{"code": <int>, "msg": ...}`).
Side effects (a market halted by the fuzzing operator) stay in this module's server.
"""
import json
import random
import time
from urllib.parse import quote, urlencode

import httpx
import pytest

from api.auth.signing import sign_binance
from tests.api.conftest import server_for

HOSTILE = [
    0, -1, 2**63, 2**64, -(2**63) - 1, 1.5, 1e308, "", "abc", "-0.01", "1e5", "NaN", "Infinity", " 1",
    "x" * 5_000, "\u0000", "\u00fc\u2603", None, True, [], {}, [1], {"a": {"b": [None]}}, "2026-02-30",
    "../../etc/passwd", "1 OR 1=1",
]
BINANCE_VALUES = HOSTILE + ["BTCUSDT", "BUY", "SELL", "LIMIT", "MARKET", "GTC", "IOC", "1", "0.001", "100000"]
BINANCE_PARAMETERS = [
    "symbol", "symbols", "side", "type", "timeInForce", "quantity", "quoteOrderQty", "price", "stopPrice",
    "icebergQty", "trailingDelta", "newClientOrderId", "orderId", "origClientOrderId", "newOrderRespType",
    "selfTradePreventionMode", "limit", "fromId", "startTime", "endTime", "interval", "omitZeroBalances",
    "recvWindow", "timestamp",
]
BODIES_PER_OPERATION = 12
BINANCE_REQUESTS_PER_OPERATION = 40
ROLES = ["trader", "operator-1", "compliance-1", "auditor-1", "admin"]
UNLIMITED = "100000/6000000"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path_factory):
    # Rate limits out of the way: a 429 is a fine answer, but it would hide what the request tested.
    limits = ",".join(f"{role}={UNLIMITED}" for role in ("trader", "operator", "compliance", "auditor"))
    server = server_for(request, tmp_path_factory, {"KARAKUM_RATE_LIMITS": limits})
    server.start()
    yield server
    server.stop()


def _text(value) -> str:
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, (list, dict, bool)) else str(value)


def _native_problem(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} without a JSON body: {response.text[:200]}"
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)):
        return f"{response.status_code} without code and message: {response.text[:200]}"
    return None


def _binance_problem(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} without a JSON body: {response.text[:200]}"
    if response.status_code >= 400 and not (isinstance(body, dict) and isinstance(body.get("code"), int)
                                            and isinstance(body.get("msg"), str)):
        return f"{response.status_code} not in Binance's error shape: {response.text[:200]}"
    return None


def _operations(server) -> list[tuple[str, str, dict]]:
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    operations = [(method.upper(), path, operation) for path, methods in spec["paths"].items()
                  for method, operation in methods.items()]
    for _, _, operation in operations:
        operation["fields"] = _body_fields(spec, operation)
    return operations


def _body_fields(spec: dict, operation: dict) -> list[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return sorted(schema.get("properties", {}))


def _with_path(path: str, operation: dict, value) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(_text(value) or "x", safe=""))
    return path


def _caller(clients: list, anonymous, method: str, path: str, operation: dict):
    """The first of `clients` (one per demo role) not refused as unauthenticated or unauthorised; `anonymous`
    for public routes."""
    for client in clients:
        status = client.request(method, _with_path(path, operation, 1)).status_code
        if status not in (401, 403):
            return client
    return anonymous


def test_native_routes_refuse_hostile_input_clearly(server):
    problems = []
    operations = [op for op in _operations(server) if op[1].startswith("/v1/")]
    assert len(operations) > 50  # The document lists the routes: a broken spec must not pass vacuously.
    clients = [server.trader(0) if role == "trader" else server.staff(role) for role in ROLES]
    anonymous = server.client()
    for method, path, operation in operations:
        client = _caller(clients, anonymous, method, path, operation)
        requests = []
        for parameter in operation.get("parameters", []):
            for value in HOSTILE:
                if parameter["in"] == "path":
                    requests.append((_with_path(path, operation, value), None, {}))
                elif parameter["in"] == "query":
                    requests.append((_with_path(path, operation, 1), None, {parameter["name"]: _text(value)}))
        if method in ("POST", "PUT", "PATCH"):
            seeded = random.Random(f"{method} {path}")
            for _ in range(BODIES_PER_OPERATION):
                body = {field: seeded.choice(HOSTILE) for field in operation["fields"] if seeded.random() < 0.8}
                requests.append((_with_path(path, operation, 1), body, {}))
            requests += [(_with_path(path, operation, 1), body, {}) for body in ([], "text", 7, None)]
        for target, body, params in requests:
            problem = _native_problem(client.request(method, target, body=body, params=params))
            if problem:
                problems.append(f"{method} {target[:80]} {params} {json.dumps(body)[:120]} -> {problem}")
        if method in ("POST", "PUT", "PATCH"):
            raw = client.http.request(method, _with_path(path, operation, 1), content=b"{not json",
                                      headers={"content-type": "application/json"})
            if problem := _native_problem(raw):
                problems.append(f"{method} {path} (malformed JSON) -> {problem}")
    assert not problems, "\n".join(problems[:20])


def test_binance_routes_refuse_hostile_input_clearly(server):
    trader = server.credentials["traders"][0]
    http = httpx.Client(base_url=server.base_url, timeout=30)
    operations = [op for op in _operations(server) if op[1].startswith("/api/v3/")]
    assert len(operations) > 10
    problems = []
    for method, path, _ in operations:
        seeded = random.Random(f"{method} {path}")
        for _ in range(BINANCE_REQUESTS_PER_OPERATION):
            names = seeded.sample(BINANCE_PARAMETERS, seeded.randint(0, 8))
            params = {name: _text(seeded.choice(BINANCE_VALUES)) for name in names}
            params.setdefault("symbol", "BTCUSDT")
            params.setdefault("timestamp", str(int(time.time() * 1000)))
            text = urlencode(params)
            text += "&signature=" + sign_binance(trader["secret"], text)
            headers = {"X-MBX-APIKEY": trader["api_key"]}
            if method == "POST":
                response = http.post(path, content=text,
                                     headers=headers | {"content-type": "application/x-www-form-urlencoded"})
            else:
                response = http.request(method, f"{path}?{text}", headers=headers)
            if problem := _binance_problem(response):
                problems.append(f"{method} {path}?{text[:160]} -> {problem}")
    http.close()
    assert not problems, "\n".join(problems[:20])
