"""Requests signed by the unmodified ccxt Binance client verify with our Binance scheme.

ccxt's `sign()` is pure (no network): it returns the url, method, headers and body it would
send. We feed exactly those to `verify_binance`, and check that a changed byte is refused.
"""
import ccxt
import pytest

from api.auth import AuthErrorCode, Authenticated, ReplayGuard, verify_binance

from access_keys import TRADER_SECRET

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "25000",
         "timeInForce": "GTC", "newClientOrderId": "x-TKT5/+= &?"}


@pytest.fixture
def binance():
    client = ccxt.binance({"apiKey": "k-trader", "secret": TRADER_SECRET,
                           "options": {"defaultType": "spot"}})
    client.urls["api"] = {name: "http://127.0.0.1:9/" + url.split("/", 3)[3]
                          for name, url in client.urls["api"].items()}
    return client


def as_sent(signed: dict) -> tuple[str, bytes, dict]:
    query = signed["url"].split("?", 1)[1] if "?" in signed["url"] else ""
    body = (signed["body"] or "").encode()
    return query, body, signed["headers"]


@pytest.mark.parametrize("path, method, params", [
    ("order", "POST", ORDER),
    ("account", "GET", {}),
    ("order", "DELETE", {"symbol": "BTCUSDT", "orderId": 5}),
    ("openOrders", "GET", {"symbol": "BTCUSDT"}),
])
def test_ccxt_signed_requests_are_accepted(binance, directory, path, method, params):
    query, body, headers = as_sent(binance.sign(path, ["private"], method, dict(params)))
    now_ms = binance.milliseconds()
    result = verify_binance(query, body, headers, now_ms, directory.lookup, ReplayGuard())
    assert isinstance(result, Authenticated), result
    assert result.owner_id == "101"


def test_a_ccxt_order_with_a_changed_price_is_refused(binance, directory):
    query, body, headers = as_sent(binance.sign("order", ["private"], "POST", dict(ORDER)))
    tampered = body.replace(b"price=25000", b"price=15000")
    assert tampered != body
    result = verify_binance(query, tampered, headers, binance.milliseconds(), directory.lookup, ReplayGuard())
    assert result.code == AuthErrorCode.INVALID_SIGNATURE
