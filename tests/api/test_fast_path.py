"""The fast path (api/fastpath.py) answers POST /v1/orders, DELETE /v1/orders/{id} and POST /api/v3/order
exactly like the FastAPI routes it bypasses: every shape of request it could get wrong, against a real
server (these tests pass against the server without the fast path as well).

Requests it does not take (another method, a trailing slash, an id with a leading zero) reach FastAPI,
so some tests compare the two paths directly.
"""
import time
from urllib.parse import urlencode

import httpx
import msgspec

from api.auth.signing import sign_binance, sign_native

BTC = "BTC-USDT"
ORDER = {"symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "90000.00", "quantity": "0.0001"}


def signed(server, who: dict, method: str, path: str, body: bytes = b"", *, sign_path: str | None = None,
           headers: dict | None = None, timestamp_ms: int | None = None, client=httpx) -> httpx.Response:
    """A raw signed request: `sign_path` signs another path than the one sent (to test refusals)."""
    timestamp_ms = timestamp_ms or time.time_ns() // 1_000_000
    signature = sign_native(who["secret"], timestamp_ms, method, sign_path or path, body)
    sent = {"content-type": "application/json", "X-KK-APIKEY": who["api_key"],
            "X-KK-TIMESTAMP": str(timestamp_ms), "X-KK-SIGNATURE": signature, **(headers or {})}
    return client.request(method, server.base_url + path, content=body, headers=sent, timeout=30)


def trader(server, index: int = 0) -> dict:
    return server.credentials["traders"][index]


def new_order(**fields) -> bytes:
    return msgspec.json.encode({**ORDER, **fields})


def test_place_answers_201_json_with_length(exchange_server):
    answer = signed(exchange_server, trader(exchange_server), "POST", "/v1/orders", new_order())
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert answer.json()["order"]["status"] == "NEW" and answer.json()["fills"] == []
    order_id = answer.json()["order"]["order_id"]
    cancel = signed(exchange_server, trader(exchange_server), "DELETE", f"/v1/orders/{order_id}")
    assert (cancel.status_code, cancel.json()["order"]["status"]) == (200, "CANCELLED"), cancel.text
    assert cancel.headers["content-type"] == "application/json"


def test_query_string_is_signed_and_otherwise_ignored(exchange_server):
    who = trader(exchange_server)
    placed = signed(exchange_server, who, "POST", "/v1/orders?note=x", new_order())
    assert placed.status_code == 201, placed.text
    unsigned = signed(exchange_server, who, "POST", "/v1/orders?note=x", new_order(), sign_path="/v1/orders")
    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "INVALID_SIGNATURE")
    order_id = placed.json()["order"]["order_id"]
    wrong_market = signed(exchange_server, who, "DELETE", f"/v1/orders/{order_id}?symbol=NOPE-USDT")
    assert (wrong_market.status_code, wrong_market.json()["code"]) == (404, "INSTRUMENT_UNKNOWN")
    # Repeated: the last one counts, as FastAPI reads a query parameter.
    cancelled = signed(exchange_server, who, "DELETE", f"/v1/orders/{order_id}?symbol=NOPE&symbol={BTC}")
    assert (cancelled.status_code, cancelled.json()["order"]["status"]) == (200, "CANCELLED"), cancelled.text


def test_credentials_missing_replayed_or_not_allowed(exchange_server):
    missing = httpx.post(exchange_server.base_url + "/v1/orders", content=new_order(), timeout=30)
    assert (missing.status_code, missing.json()) == (401, {
        "code": "MISSING_CREDENTIALS", "message": "X-KK-APIKEY, X-KK-TIMESTAMP and X-KK-SIGNATURE are required"})
    malformed = signed(exchange_server, trader(exchange_server), "DELETE", "/v1/orders/1",
                       headers={"X-KK-TIMESTAMP": "soon"})
    assert (malformed.status_code, malformed.json()["code"]) == (400, "MALFORMED_REQUEST")
    timestamp_ms = time.time_ns() // 1_000_000
    first = signed(exchange_server, trader(exchange_server), "POST", "/v1/orders", b"{}", timestamp_ms=timestamp_ms)
    again = signed(exchange_server, trader(exchange_server), "POST", "/v1/orders", b"{}", timestamp_ms=timestamp_ms)
    assert first.json()["code"] == "INVALID_REQUEST"
    assert (again.status_code, again.json()["code"]) == (401, "REPLAYED_REQUEST")
    operator = next(s for s in exchange_server.credentials["staff"] if s["staff_id"] == "operator-1")
    staff = signed(exchange_server, operator, "POST", "/v1/orders", new_order())
    assert (staff.status_code, staff.json()["code"]) == (403, "FORBIDDEN")


def test_bad_bodies(exchange_server):
    who = trader(exchange_server)
    huge = new_order(client_order_id="x" * 1_000_001)
    too_large = signed(exchange_server, who, "POST", "/v1/orders", huge)
    assert (too_large.status_code, too_large.json()) == (413, {
        "code": "INVALID_REQUEST", "message": "body larger than 1000000 bytes"})
    not_json = signed(exchange_server, who, "POST", "/v1/orders", b"{")
    assert (not_json.status_code, not_json.json()["code"]) == (400, "INVALID_REQUEST")
    number = signed(exchange_server, who, "POST", "/v1/orders", new_order(price=90000))
    assert number.status_code == 400 and number.json()["message"].endswith(
        "(prices, quantities and amounts are decimal strings, e.g. \"0.5\")"), number.text
    off_tick = signed(exchange_server, who, "POST", "/v1/orders", new_order(price="90000.001"))
    assert (off_tick.status_code, off_tick.json()["code"]) == (400, "PRICE_NOT_ON_TICK")
    unknown = signed(exchange_server, who, "POST", "/v1/orders", new_order(symbol="NOPE-USDT"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "INSTRUMENT_UNKNOWN")
    poor = signed(exchange_server, who, "POST", "/v1/orders", new_order(quantity="1000.0000"))
    assert (poor.status_code, poor.json()["code"]) == (422, "INSUFFICIENT_FUNDS"), poor.text


def test_a_chunked_body_is_read_whole(exchange_server):
    who = trader(exchange_server)
    body = new_order()
    timestamp_ms = time.time_ns() // 1_000_000
    headers = {"content-type": "application/json", "X-KK-APIKEY": who["api_key"], "X-KK-TIMESTAMP": str(timestamp_ms),
               "X-KK-SIGNATURE": sign_native(who["secret"], timestamp_ms, "POST", "/v1/orders", body)}
    chunks = (body[i:i + 7] for i in range(0, len(body), 7))  # A generator: sent with chunked encoding.
    answer = httpx.post(exchange_server.base_url + "/v1/orders", content=chunks, headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text
    assert signed(exchange_server, who, "DELETE", f"/v1/orders/{answer.json()['order']['order_id']}").status_code == 200


def test_requests_the_fast_path_leaves_to_fastapi(exchange_server):
    who = trader(exchange_server)
    wrong_method = signed(exchange_server, who, "PUT", "/v1/orders", new_order())
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "METHOD_NOT_ALLOWED")
    trailing = signed(exchange_server, who, "POST", "/v1/orders/", new_order())
    assert trailing.status_code == 307 and trailing.headers["location"].endswith("/v1/orders"), trailing.text
    listed = signed(exchange_server, who, "GET", "/v1/orders")
    assert listed.status_code == 200 and "orders" in listed.json()
    for bad_id in ("0", "abc", str(2**63)):
        refused = signed(exchange_server, who, "DELETE", f"/v1/orders/{bad_id}")
        assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_REQUEST"), (bad_id, refused.text)


def test_cancel_answers_match_on_both_paths(exchange_server):
    """DELETE /v1/orders/0{id} (a leading zero) goes to FastAPI, /v1/orders/{id} to the fast path."""
    who = trader(exchange_server)
    for path in ("/v1/orders/{}", "/v1/orders/0{}"):
        order_id = signed(exchange_server, who, "POST", "/v1/orders", new_order()).json()["order"]["order_id"]
        cancelled = signed(exchange_server, who, "DELETE", path.format(order_id))
        assert (cancelled.status_code, cancelled.json()["order"]["status"]) == (200, "CANCELLED"), cancelled.text
        gone = signed(exchange_server, who, "DELETE", path.format(order_id))
        assert (gone.status_code, gone.json()) == (404, {
            "code": "ORDER_NOT_FOUND", "message": f"no open order {order_id} of this account"})
        others = signed(exchange_server, trader(exchange_server, 1), "DELETE", path.format(order_id))
        assert others.json() == gone.json()


def test_rate_limit_answers_429_with_retry_after(exchange_server):
    who = trader(exchange_server, 1)
    with httpx.Client() as client:
        for _ in range(5_000):  # The default trader burst is 200 requests, refilled at 100 a second.
            answer = signed(exchange_server, who, "POST", "/v1/orders", b"{}", client=client)
            if answer.status_code == 429:
                break
    assert answer.json()["code"] == "RATE_LIMITED" and int(answer.headers["Retry-After"]) >= 1, answer.text
    time.sleep(int(answer.headers["Retry-After"]) + 1)  # Leave the key usable for the module's other tests.


def binance_order(server, who: dict, query: dict | None = None, form: dict | None = None,
                  path: str = "/api/v3/order", headers: dict | None = None) -> httpx.Response:
    """POST /api/v3/order signed the Binance way over the query string and the form body."""
    query_text = urlencode(query or {})
    body = urlencode({"timestamp": time.time_ns() // 1_000_000, "recvWindow": 10000, **(form or {})})
    body += "&signature=" + sign_binance(who["secret"], query_text + body)
    return httpx.post(server.base_url + path + (f"?{query_text}" if query_text else ""), content=body, timeout=30,
                      headers={"X-MBX-APIKEY": who["api_key"], "content-type": "application/x-www-form-urlencoded",
                               **(headers or {})})


BINANCE_ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "90000.00",
                 "quantity": "0.0001"}


def test_binance_place_with_parameters_in_query_or_body(exchange_server):
    who = trader(exchange_server)
    in_body = binance_order(exchange_server, who, form=BINANCE_ORDER)
    assert in_body.status_code == 200 and in_body.json()["status"] == "NEW", in_body.text
    assert in_body.headers["content-type"] == "application/json"
    in_query = binance_order(exchange_server, who, query={**BINANCE_ORDER, "newOrderRespType": "ACK"})
    assert in_query.status_code == 200 and set(in_query.json()) == {
        "symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}, in_query.text
    for placed in (in_body, in_query):
        order_id = placed.json()["orderId"]
        assert signed(exchange_server, who, "DELETE", f"/v1/orders/{order_id}").status_code == 200


def test_binance_place_refusals(exchange_server):
    who = trader(exchange_server)
    no_key = binance_order(exchange_server, who, form=BINANCE_ORDER, headers={"X-MBX-APIKEY": ""})
    assert (no_key.status_code, no_key.json()) == (401, {"code": -2014, "msg": "API-key format invalid."})
    bad_side = binance_order(exchange_server, who, form={**BINANCE_ORDER, "side": "HOLD"})
    assert (bad_side.status_code, bad_side.json()) == (400, {"code": -1117, "msg": "Invalid side."})
    twice = binance_order(exchange_server, who, query={"side": "BUY"}, form=BINANCE_ORDER)
    assert (twice.status_code, twice.json()) == (400, {"code": -1101, "msg": "Duplicate values for parameter 'side'."})
    poor = binance_order(exchange_server, who, form={**BINANCE_ORDER, "quantity": "1000.0000"})
    assert (poor.status_code, poor.json()) == (400, {
        "code": -2010, "msg": "Account has insufficient balance for requested action."}), poor.text
    unknown = binance_order(exchange_server, who, form={**BINANCE_ORDER, "symbol": "NOPEUSDT"})
    assert unknown.json()["code"] == -1121, unknown.text
    trailing = binance_order(exchange_server, who, form=BINANCE_ORDER, path="/api/v3/order/")
    assert trailing.status_code == 307, trailing.text


def test_the_fast_routes_stay_documented(exchange_server):
    paths = httpx.get(exchange_server.base_url + "/openapi.json", timeout=30).json()["paths"]
    assert "requestBody" in paths["/v1/orders"]["post"]
    assert "delete" in paths["/v1/orders/{order_id}"] and "post" in paths["/api/v3/order"]
    assert httpx.get(exchange_server.base_url + "/docs", timeout=30).status_code == 200
