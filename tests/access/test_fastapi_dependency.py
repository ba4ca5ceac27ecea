"""The FastAPI dependency over a real app: status codes, JSON shapes, Retry-After."""
from urllib.parse import parse_qsl, urlencode

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from api.auth import (
    AuthFailed, Authenticated, Authenticator, RateLimit, RateLimiter, Scheme, auth_failed_handler,
    require, sign_binance, sign_native,
)
from exchange.access import Permission, Role

from access_keys import AUDITOR_SECRET, NOW_MS, TRADER_SECRET


def build_app(authenticator: Authenticator) -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(AuthFailed, auth_failed_handler)
    trader = require(authenticator, Permission.TRADE)
    binance_trader = require(authenticator, Permission.TRADE, Scheme.BINANCE)

    @app.post("/v1/orders")
    async def place(request: Request, who: Authenticated = Depends(trader)):
        return {"owner_id": who.owner_id, "body": (await request.json())}

    @app.post("/api/v3/order")
    async def binance_place(request: Request, who: Authenticated = Depends(binance_trader)):
        form = dict(parse_qsl((await request.body()).decode()))
        return {"owner_id": who.owner_id, "symbol": form["symbol"]}

    return app


@pytest.fixture
def client(authenticator):
    return TestClient(build_app(authenticator))


def native_headers(body: bytes, path="/v1/orders?x=a%20b", key_id="k-trader", secret=TRADER_SECRET,
                   timestamp_ms=NOW_MS):
    return {"X-KK-APIKEY": key_id, "X-KK-TIMESTAMP": str(timestamp_ms),
            "X-KK-SIGNATURE": sign_native(secret, timestamp_ms, "POST", path, body),
            "Content-Type": "application/json"}


def test_a_signed_native_request_reaches_the_route_with_its_owner(client):
    body = b'{"side":"buy"}'
    response = client.post("/v1/orders?x=a%20b", content=body, headers=native_headers(body))
    assert response.status_code == 200
    assert response.json() == {"owner_id": "101", "body": {"side": "buy"}}


def test_native_refusals_answer_json_codes_and_statuses(client):
    body = b'{"side":"buy"}'
    tampered = client.post("/v1/orders?x=a%20b", content=b'{"side":"sell"}', headers=native_headers(body))
    auditor = client.post("/v1/orders?x=a%20b", content=body,
                          headers=native_headers(body, key_id="k-aud", secret=AUDITOR_SECRET))
    unsigned = client.post("/v1/orders?x=a%20b", content=body)
    assert (tampered.status_code, tampered.json()["code"]) == (401, "INVALID_SIGNATURE")
    assert (auditor.status_code, auditor.json()["code"]) == (403, "FORBIDDEN")
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "MISSING_CREDENTIALS")
    assert set(tampered.json()) == {"code", "message"}


def test_a_replayed_native_request_is_refused(client):
    body = b'{"side":"buy"}'
    headers = native_headers(body)
    assert client.post("/v1/orders?x=a%20b", content=body, headers=headers).status_code == 200
    replay = client.post("/v1/orders?x=a%20b", content=body, headers=headers)
    assert (replay.status_code, replay.json()["code"]) == (401, "REPLAYED_REQUEST")


def test_rate_limited_requests_get_429_and_retry_after(directory):
    limiter = RateLimiter({role: RateLimit(burst_requests=1, requests_per_minute=30) for role in Role})
    client = TestClient(build_app(Authenticator(directory.lookup, limiter=limiter, clock_ms=lambda: NOW_MS)))
    first, second = b'{"n":1}', b'{"n":2}'
    assert client.post("/v1/orders?x=a%20b", content=first, headers=native_headers(first)).status_code == 200
    limited = client.post("/v1/orders?x=a%20b", content=second, headers=native_headers(second))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json()["code"] == "RATE_LIMITED"


def binance_body(secret=TRADER_SECRET, timestamp_ms=NOW_MS, symbol="BTCUSDT"):
    encoded = urlencode([("timestamp", timestamp_ms), ("symbol", symbol), ("side", "BUY"),
                         ("recvWindow", 10000)])
    return f"{encoded}&signature={sign_binance(secret, encoded)}"


def post_binance(client, body, key_id="k-trader"):
    return client.post("/api/v3/order", content=body.encode(),
                       headers={"X-MBX-APIKEY": key_id,
                                "Content-Type": "application/x-www-form-urlencoded"})


def test_a_binance_form_post_reaches_the_route(client):
    response = post_binance(client, binance_body())
    assert response.status_code == 200
    assert response.json() == {"owner_id": "101", "symbol": "BTCUSDT"}


def test_binance_refusals_use_binance_codes_and_texts(client):
    bad = post_binance(client, binance_body().replace("BTCUSDT", "ETHUSDT"))
    old = post_binance(client, binance_body(timestamp_ms=NOW_MS - 10_001))
    ghost = post_binance(client, binance_body(), key_id="k-ghost")
    auditor = post_binance(client, binance_body(secret=AUDITOR_SECRET), key_id="k-aud")
    assert (bad.status_code, bad.json()) == (401, {"code": -1022, "msg": "Signature for this request is not valid."})
    assert (old.status_code, old.json()["code"]) == (401, -1021)
    assert old.json()["msg"] == "Timestamp for this request is outside of the recvWindow."
    assert (ghost.status_code, ghost.json()["code"]) == (401, -2015)
    assert (auditor.status_code, auditor.json()["code"]) == (403, -2015)
