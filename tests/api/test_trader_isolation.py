"""One trader can never see or touch another's orders, fills or balances; forged requests are refused."""
import time

import httpx

from api.auth.signing import sign_native

BTC = "BTC-USDT"
MISSING_ORDER_ID = 10**12


def same_as_missing(answer, missing, reference, missing_reference) -> None:
    """The answer about someone else's order equals the answer about an order that never existed."""
    assert answer.status_code == missing.status_code == 404, answer.text
    assert answer.json()["code"] == missing.json()["code"] == "ORDER_NOT_FOUND"
    assert answer.json()["message"] == missing.json()["message"].replace(str(missing_reference), str(reference))


def signed_headers(key: str, secret: str, method: str, path: str, body: bytes, timestamp_ms: int) -> dict:
    return {"content-type": "application/json", "X-KK-APIKEY": key, "X-KK-TIMESTAMP": str(timestamp_ms),
            "X-KK-SIGNATURE": sign_native(secret, timestamp_ms, method, path, body)}


def test_another_traders_orders_look_like_missing_ones(exchange_server):
    alice, bob = exchange_server.trader(0), exchange_server.trader(1)
    placed = alice.post("/v1/orders", {"symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "95000.00",
                                       "quantity": "0.0100", "client_order_id": "alice-1"})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order"]["order_id"]
    alice_view = alice.get(f"/v1/orders/{order_id}").json()

    same_as_missing(bob.get(f"/v1/orders/{order_id}"), bob.get(f"/v1/orders/{MISSING_ORDER_ID}"),
                    order_id, MISSING_ORDER_ID)
    same_as_missing(bob.get("/v1/orders/by-client-id/alice-1"), bob.get("/v1/orders/by-client-id/nobody-1"),
                    "alice-1", "nobody-1")
    same_as_missing(bob.delete(f"/v1/orders/{order_id}"), bob.delete(f"/v1/orders/{MISSING_ORDER_ID}"),
                    order_id, MISSING_ORDER_ID)
    same_as_missing(bob.delete(f"/v1/orders/{order_id}", symbol=BTC),
                    bob.delete(f"/v1/orders/{MISSING_ORDER_ID}", symbol=BTC), order_id, MISSING_ORDER_ID)
    same_as_missing(bob.delete("/v1/orders/by-client-id/alice-1"),
                    bob.delete("/v1/orders/by-client-id/nobody-1"), "alice-1", "nobody-1")
    same_as_missing(bob.delete("/v1/orders/by-client-id/alice-1", symbol=BTC),
                    bob.delete("/v1/orders/by-client-id/nobody-1", symbol=BTC), "alice-1", "nobody-1")
    same_as_missing(bob.patch(f"/v1/orders/{order_id}", {"quantity": "0.0050"}),
                    bob.patch(f"/v1/orders/{MISSING_ORDER_ID}", {"quantity": "0.0050"}), order_id,
                    MISSING_ORDER_ID)
    for cancel_all in (bob.delete("/v1/orders"), bob.delete("/v1/orders", symbol=BTC)):
        assert cancel_all.status_code == 200, cancel_all.text
        assert order_id not in [o["order_id"] for o in cancel_all.json()["orders"]]
    assert order_id not in [o["order_id"] for o in bob.get("/v1/orders").json()["orders"]]

    # Alice's order is untouched by all of that.
    assert alice.get(f"/v1/orders/{order_id}").json() == alice_view
    assert alice.delete(f"/v1/orders/{order_id}").json()["order"]["status"] == "CANCELLED"
    # Once closed, it stays invisible to Bob, exactly like before.
    same_as_missing(bob.get(f"/v1/orders/{order_id}"), bob.get(f"/v1/orders/{MISSING_ORDER_ID}"),
                    order_id, MISSING_ORDER_ID)
    assert order_id not in [o["order_id"] for o in bob.get("/v1/orders/history").json()["orders"]]


def test_fills_and_balances_are_only_ones_own(exchange_server):
    alice, bob = exchange_server.trader(0), exchange_server.trader(1)
    alice_id, bob_id = exchange_server.trader_id(0), exchange_server.trader_id(1)
    ask = bob.post("/v1/orders", {"symbol": BTC, "side": "SELL", "type": "LIMIT", "price": "100000.00",
                                  "quantity": "0.0200"})
    alice.post("/v1/orders", {"symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "100000.00",
                              "quantity": "0.0200"})
    alice_fills = alice.get("/v1/me/fills").json()["fills"]
    bob_fills = bob.get("/v1/me/fills").json()["fills"]
    assert alice_fills and bob_fills
    # Each side sees the trade from its own side only, with its own order id and fee.
    assert {f["side"] for f in alice_fills} == {"BUY"} and {f["side"] for f in bob_fills} == {"SELL"}
    assert ask.json()["order"]["order_id"] in {f["order_id"] for f in bob_fills}
    assert ask.json()["order"]["order_id"] not in {f["order_id"] for f in alice_fills}
    for fill in alice_fills + bob_fills:
        assert not {"account_id", "maker_account_id", "taker_account_id", "customer_id"} & set(fill)
    public = exchange_server.client().get(f"/v1/markets/{BTC}/trades").json()["trades"]
    assert public and all(set(t) == {"trade_id", "price", "quantity", "quote_quantity", "taker_side", "time_ms"}
                          for t in public)

    # Query parameters naming another account change nothing: the key decides whose data it is.
    own = bob.get("/v1/me/balances").json()
    for name in ("customer_id", "account_id"):
        assert bob.get("/v1/me/balances", **{name: alice_id}).json() == own
        assert bob.get("/v1/me/fills", **{name: alice_id}).json()["fills"] == bob_fills
        assert bob.get("/v1/me", **{name: alice_id}).json()["customer_id"] == bob_id
    assert own != alice.get("/v1/me/balances").json()
    # Nor can a body pick the account: unknown fields are refused outright.
    smuggled = bob.post("/v1/orders", {"symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "95000.00",
                                       "quantity": "0.0100", "account_id": alice_id})
    assert (smuggled.status_code, smuggled.json()["code"]) == (400, "INVALID_REQUEST")


def test_forged_requests_are_refused(exchange_server):
    alice = exchange_server.trader(0)
    key, secret = exchange_server.credentials["traders"][0]["api_key"], exchange_server.credentials["traders"][0][
        "secret"]
    http = httpx.Client(base_url=exchange_server.base_url, timeout=30)
    try:
        before = alice.get("/v1/me/balances").json()
        body = b'{"symbol":"BTC-USDT","side":"BUY","type":"LIMIT","price":"95000.00","quantity":"0.0100"}'
        timestamp_ms = time.time_ns() // 1_000_000
        headers = signed_headers(key, secret, "POST", "/v1/orders", body, timestamp_ms)
        first = http.post("/v1/orders", content=body, headers=headers)
        assert first.status_code == 201, first.text
        replayed = http.post("/v1/orders", content=body, headers=headers)
        assert (replayed.status_code, replayed.json()["code"]) == (401, "REPLAYED_REQUEST")

        tampered = body.replace(b"0.0100", b"0.0900")
        fresh = signed_headers(key, secret, "POST", "/v1/orders", body, timestamp_ms + 1)
        answer = http.post("/v1/orders", content=tampered, headers=fresh)
        assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_SIGNATURE")

        wrong = signed_headers(key, "0" * 64, "POST", "/v1/orders", body, timestamp_ms + 2)
        answer = http.post("/v1/orders", content=body, headers=wrong)
        assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_SIGNATURE")

        other_path = signed_headers(key, secret, "DELETE", "/v1/orders?symbol=ETH-USDT", b"", timestamp_ms + 3)
        answer = http.delete("/v1/orders?symbol=BTC-USDT", headers=other_path)
        assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_SIGNATURE")

        answer = http.get("/v1/me/balances")
        assert (answer.status_code, answer.json()["code"]) == (401, "MISSING_CREDENTIALS")

        # Only the first request placed an order: exactly one 0.01 BTC bid is open.
        open_orders = alice.get("/v1/orders").json()["orders"]
        assert [(o["price"], o["quantity"]) for o in open_orders] == [("95000.00", "0.0100")]
        alice.delete("/v1/orders")
        assert alice.get("/v1/me/balances").json() == before
    finally:
        http.close()


def test_staff_keys_cannot_use_customer_routes(exchange_server):
    for staff_id in ("auditor-1", "operator-1", "compliance-1"):
        staff = exchange_server.staff(staff_id)
        for answer in (staff.post("/v1/orders", {"symbol": BTC, "side": "BUY", "type": "LIMIT",
                                                 "price": "95000.00", "quantity": "0.0100"}),
                       staff.get("/v1/me/balances"), staff.delete("/v1/orders"),
                       staff.post("/v1/me/withdrawals", {"asset": "USDT", "address": "x", "amount": "1"})):
            assert (answer.status_code, answer.json()["code"]) == (403, "FORBIDDEN"), answer.text
