"""The Binance-compatible REST subset over raw HTTP against a real server: shapes, signing, errors.

Signed requests are built here by hand, the way Binance documents it (HMAC-SHA256 over the
query string plus the form body, X-MBX-APIKEY header), independently of any client library.
Demo market BTCUSDT: tick 0.01, lot 0.0001, 10 % band around 100,000, fees 10 / 20 bps.
"""
import json
import time
from decimal import Decimal
from urllib.parse import urlencode

import ccxt
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from api.auth.signing import sign_binance
from api.binance.errors import REFUSALS, BinanceCode
from engine.reject import RejectCode
from exchange.compliance.codes import ComplianceCode
from exchange.results import VenueCode

ORDER_FIELDS = {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime", "price", "origQty",
                "executedQty", "cummulativeQuoteQty", "status", "timeInForce", "type", "side", "workingTime",
                "selfTradePreventionMode", "fills"}


class BinanceHttp:
    def __init__(self, base_url: str, api_key: str | None = None, secret: str | None = None):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.api_key, self.secret = api_key, secret

    def public(self, path: str, **params) -> httpx.Response:
        return self.http.get(path, params=params)

    def signed(self, method: str, path: str, timestamp_ms: int | None = None, secret: str | None = None,
               **params) -> httpx.Response:
        stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        text = urlencode({"timestamp": stamp, **params, "recvWindow": 10000})
        text += "&signature=" + sign_binance(secret or self.secret, text)
        headers = {"X-MBX-APIKEY": self.api_key}
        if method == "POST":
            headers["content-type"] = "application/x-www-form-urlencoded"
            return self.http.request(method, path, content=text, headers=headers)
        return self.http.request(method, f"{path}?{text}", headers=headers)

    def order(self, **params) -> httpx.Response:
        return self.signed("POST", "/api/v3/order", symbol="BTCUSDT", **params)

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def traders(exchange_server):
    clients = [BinanceHttp(exchange_server.base_url, t["api_key"], t["secret"])
               for t in exchange_server.credentials["traders"]]
    yield clients
    for client in clients:
        client.close()


@pytest.fixture
def alice(traders):
    yield traders[0]
    traders[0].signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")


@pytest.fixture
def bob(traders):
    yield traders[1]
    traders[1].signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")


def refused(answer: httpx.Response, code: int, status: int = 400) -> str:
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    return answer.json()["msg"]


def test_public_endpoints_answer_binance_shapes(traders):
    client = traders[0]
    assert client.public("/api/v3/ping").json() == {}
    assert abs(client.public("/api/v3/time").json()["serverTime"] - time.time() * 1000) < 60_000
    info = client.public("/api/v3/exchangeInfo").json()
    assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT", "USDTTMT"]
    btc = client.public("/api/v3/exchangeInfo", symbol="BTCUSDT").json()["symbols"][0]
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01"
    assert (filters["LOT_SIZE"]["stepSize"], filters["LOT_SIZE"]["minQty"]) == ("0.0001", "0.0001")
    assert {"NOTIONAL", "MARKET_LOT_SIZE", "PERCENT_PRICE_BY_SIDE"} <= set(filters)
    assert (btc["status"], btc["baseAsset"], btc["quoteAsset"], btc["baseAssetPrecision"]) == (
        "TRADING", "BTC", "USDT", 8)
    assert {"LIMIT", "LIMIT_MAKER", "MARKET"} <= set(btc["orderTypes"])
    two = client.public("/api/v3/ticker/24hr", symbols='["BTCUSDT","ETHUSDT"]').json()
    assert [t["symbol"] for t in two] == ["BTCUSDT", "ETHUSDT"]
    assert client.public("/api/v3/ticker/24hr", symbol="BTCUSDT").json()["symbol"] == "BTCUSDT"
    assert len(client.public("/api/v3/ticker/price").json()) == 3
    assert set(client.public("/api/v3/ticker/bookTicker", symbol="BTCUSDT").json()) == {
        "symbol", "bidPrice", "bidQty", "askPrice", "askQty"}


def test_discovery_endpoints_are_empty_not_errors_and_status_and_fees_answer(traders):
    client = traders[0]
    for path in ("/sapi/v1/capital/config/getall", "/sapi/v1/margin/allPairs", "/sapi/v1/margin/isolated/allPairs"):
        assert client.public(path).json() == []
    for path in ("/fapi/v1/exchangeInfo", "/dapi/v1/exchangeInfo"):
        assert client.public(path).json()["symbols"] == []
    assert client.public("/sapi/v1/system/status").json() == {"status": 0, "msg": "normal"}
    assert client.signed("GET", "/sapi/v1/asset/tradeFee", symbol="BTCUSDT").json() == [
        {"symbol": "BTCUSDT", "makerCommission": "0.0010", "takerCommission": "0.0020"}]


def test_public_refusals(traders):
    client = traders[0]
    assert refused(client.public("/api/v3/depth", symbol="NOPE"), -1121) == "Invalid symbol."
    refused(client.public("/api/v3/depth"), -1102)
    refused(client.public("/api/v3/depth", symbol="BTCUSDT", limit="x"), -1130)
    refused(client.public("/api/v3/klines", symbol="BTCUSDT", interval="7m"), -1120)
    refused(client.public("/api/v3/ticker/price", symbols="BTCUSDT"), -1100)
    answer = client.http.get("/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT")
    refused(answer, -1101)


def test_signing_failures_answer_binance_auth_codes(exchange_server, traders):
    client = traders[0]
    refused(client.signed("GET", "/api/v3/account", secret="wrong-secret"), -1022, 401)
    refused(client.signed("GET", "/api/v3/account", timestamp_ms=int(time.time() * 1000) - 120_000), -1021, 401)
    stranger = BinanceHttp(exchange_server.base_url, "no-such-key", "whatever")
    refused(stranger.signed("GET", "/api/v3/account"), -2015, 401)
    refused(client.http.get("/api/v3/account"), -2014, 401)
    stranger.close()


def test_account_balances_are_exact_strings_and_lock_what_orders_hold(alice):
    before = {b["asset"]: b for b in alice.signed("GET", "/api/v3/account").json()["balances"]}
    assert before["BTC"]["free"].count(".") == 1 and len(before["BTC"]["free"].split(".")[1]) == 8
    assert alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.5", price="95000").status_code == 200
    after = {b["asset"]: b for b in alice.signed("GET", "/api/v3/account").json()["balances"]}
    held = Decimal("47500")  # 0.5 x 95,000 USDT.
    assert Decimal(after["USDT"]["locked"]) - Decimal(before["USDT"]["locked"]) == held
    assert Decimal(before["USDT"]["free"]) - Decimal(after["USDT"]["free"]) == held


def test_limit_order_answers_full_result_and_ack(alice):
    full = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.0100", price="96000",
                       newClientOrderId="my-order-1").json()
    assert ORDER_FIELDS <= set(full)
    assert (full["status"], full["type"], full["price"], full["origQty"], full["executedQty"]) == (
        "NEW", "LIMIT", "96000.00", "0.0100", "0.0000")
    assert (full["clientOrderId"], full["fills"], full["cummulativeQuoteQty"]) == ("my-order-1", [], "0.000000")
    result = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96000",
                         newOrderRespType="RESULT").json()
    assert "fills" not in result and result["status"] == "NEW"
    ack = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96000",
                      newOrderRespType="ACK").json()
    assert set(ack) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    maker = alice.order(side="BUY", type="LIMIT_MAKER", quantity="0.01", price="96000",
                        newOrderRespType="RESULT").json()
    assert maker["type"] == "LIMIT_MAKER" and "timeInForce" not in maker
    read_back = alice.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=maker["orderId"]).json()
    assert read_back["type"] == "LIMIT_MAKER" and "timeInForce" not in read_back  # Kept, not just answered.
    listed = alice.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT").json()
    assert next(o for o in listed if o["orderId"] == maker["orderId"])["type"] == "LIMIT_MAKER"
    stop = alice.order(side="SELL", type="STOP_LOSS_LIMIT", timeInForce="GTC", quantity="0.01", price="94000",
                       stopPrice="95000", newOrderRespType="RESULT").json()
    assert (stop["type"], stop["stopPrice"], stop["status"]) == ("STOP_LOSS_LIMIT", "95000.00", "NEW")
    retry = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.0100", price="96000",
                        newClientOrderId="my-order-1").json()
    assert retry["orderId"] == full["orderId"]  # The same order again is a retry: answered, not re-placed.
    duplicate = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96001",
                            newClientOrderId="my-order-1")
    assert refused(duplicate, -2010) == "Duplicate order sent."


@pytest.mark.parametrize(("params", "code", "message"), [
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.00001", "price": "96000"}, -1013,
     "Filter failure: LOT_SIZE"),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "96000.001"}, -1013,
     "Filter failure: PRICE_FILTER"),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "50000"}, -1013,
     "Filter failure: PERCENT_PRICE_BY_SIDE"),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "30", "price": "99000"}, -2010,
     "Account has insufficient balance for requested action."),
    ({"side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "96000"}, -1102, None),
    ({"side": "BUY", "type": "MARKET", "quoteOrderQty": "100"}, -1014, None),
    ({"side": "BUY", "type": "MARKET", "quantity": "0.01", "price": "96000"}, -1106, None),
    ({"side": "UP", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "96000"}, -1117, None),
    ({"side": "BUY", "type": "OCO", "quantity": "0.01"}, -1116, None),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTX", "quantity": "0.01", "price": "96000"}, -1115, None),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1e-2", "price": "96000"}, -1100, None),
    ({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "96000",
      "newClientOrderId": "spaces are illegal"}, -1100, None),
])
def test_order_refusals_name_the_binance_code(alice, params, code, message):
    msg = refused(alice.order(**params), code)
    assert message is None or msg == message


def test_an_order_keeps_its_self_trade_prevention_mode(alice):
    placed = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96000",
                         selfTradePreventionMode="EXPIRE_MAKER", newOrderRespType="RESULT").json()
    default = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96000",
                          newOrderRespType="RESULT").json()
    assert (placed["selfTradePreventionMode"], default["selfTradePreventionMode"]) == ("EXPIRE_MAKER", "EXPIRE_TAKER")
    read_back = alice.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    assert read_back["selfTradePreventionMode"] == "EXPIRE_MAKER"
    listed = {o["orderId"]: o for o in alice.signed("GET", "/api/v3/openOrders", symbol="BTCUSDT").json()}
    assert listed[placed["orderId"]]["selfTradePreventionMode"] == "EXPIRE_MAKER"
    assert listed[default["orderId"]]["selfTradePreventionMode"] == "EXPIRE_TAKER"
    cancelled = alice.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    assert cancelled["selfTradePreventionMode"] == "EXPIRE_MAKER"
    history = alice.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    assert (history[0]["status"], history[0]["selfTradePreventionMode"]) == ("CANCELED", "EXPIRE_MAKER")


def test_unknown_or_foreign_orders_are_not_found(alice, bob):
    mine = alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="96000").json()
    refused(bob.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=mine["orderId"]), -2013)
    refused(bob.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", orderId=mine["orderId"]), -2011)
    refused(alice.signed("DELETE", "/api/v3/order", symbol="BTCUSDT", origClientOrderId="never-sent"), -2011)
    refused(alice.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=10**12), -2013)
    refused(alice.signed("GET", "/api/v3/order", symbol="BTCUSDT"), -1102)
    assert alice.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=mine["orderId"]).json()["status"] == "NEW"


def test_a_cross_shows_in_my_trades_all_orders_and_cancels(alice, bob):
    resting = bob.order(side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.03", price="100000").json()
    taker = alice.order(side="BUY", type="MARKET", quantity="0.01", newClientOrderId="cross-taker").json()
    assert (taker["status"], taker["executedQty"], taker["cummulativeQuoteQty"]) == ("FILLED", "0.0100",
                                                                                     "1000.000000")
    assert taker["fills"] == [{"price": "100000.00", "qty": "0.0100", "commission": "0.00002000",
                               "commissionAsset": "BTC", "tradeId": taker["fills"][0]["tradeId"]}]
    trade_id = taker["fills"][0]["tradeId"]
    theirs = bob.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT", fromId=trade_id).json()[0]
    assert {k: theirs[k] for k in ("id", "orderId", "price", "qty", "quoteQty", "commission", "commissionAsset",
                                   "isBuyer", "isMaker")} == {
        "id": trade_id, "orderId": resting["orderId"], "price": "100000.00", "qty": "0.0100",
        "quoteQty": "1000.000000", "commission": "1.000000", "commissionAsset": "USDT", "isBuyer": False,
        "isMaker": True}
    retried = alice.order(side="BUY", type="MARKET", quantity="0.01", newClientOrderId="cross-taker").json()
    assert (retried["orderId"], retried["cummulativeQuoteQty"], retried["fills"]) == (
        taker["orderId"], "1000.000000", taker["fills"])
    by_order = bob.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT", orderId=resting["orderId"]).json()
    assert [t["id"] for t in by_order] == [trade_id]
    newest = alice.signed("GET", "/api/v3/myTrades", symbol="BTCUSDT", limit=1).json()
    assert [t["id"] for t in newest] == [trade_id]
    partial = bob.signed("GET", "/api/v3/order", symbol="BTCUSDT", orderId=resting["orderId"]).json()
    assert (partial["status"], partial["executedQty"], partial["cummulativeQuoteQty"]) == (
        "PARTIALLY_FILLED", "0.0100", "1000.000000")
    cancelled = bob.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT").json()
    assert [(o["orderId"], o["status"], o["cummulativeQuoteQty"]) for o in cancelled] == [
        (resting["orderId"], "CANCELED", "1000.000000")]
    history = bob.signed("GET", "/api/v3/allOrders", symbol="BTCUSDT", orderId=resting["orderId"]).json()
    assert history[0]["status"] == "CANCELED" and history[0]["executedQty"] == "0.0100"


def test_trades_and_aggregates_newest_or_from_a_start(alice, bob):
    bob.order(side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.0020", price="100000")
    for _ in range(2):
        assert alice.order(side="BUY", type="MARKET", quantity="0.0010").json()["status"] == "FILLED"
    client = alice
    every = client.public("/api/v3/trades", symbol="BTCUSDT", limit=1000).json()
    assert len(every) >= 2 and [t["id"] for t in every] == sorted(t["id"] for t in every)
    assert client.public("/api/v3/trades", symbol="BTCUSDT", limit=1).json() == every[-1:]
    newest = client.public("/api/v3/aggTrades", symbol="BTCUSDT", limit=1).json()
    oldest = client.public("/api/v3/aggTrades", symbol="BTCUSDT", limit=1, startTime=0).json()
    assert (oldest[0]["f"], newest[0]["l"]) == (every[0]["id"], every[-1]["id"])
    assert client.public("/api/v3/aggTrades", symbol="BTCUSDT", fromId=every[-1]["id"]).json() == newest


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["side", "type", "timeInForce", "quantity", "price", "stopPrice", "quoteOrderQty",
                     "newClientOrderId", "newOrderRespType", "selfTradePreventionMode"]),
    st.one_of(st.sampled_from(["BUY", "SELL", "LIMIT", "MARKET", "LIMIT_MAKER", "GTC", "IOC", "FOK", "0.01",
                               "96000", "0", "-1", "FULL", "ACK", "EXPIRE_BOTH", ""]),
              st.text(max_size=12)), max_size=6))
def test_no_order_request_ever_gets_a_server_error(alice, params):
    answer = alice.order(**params)
    assert answer.status_code < 500
    if answer.status_code != 200:
        assert isinstance(answer.json()["code"], int) and answer.json()["code"] < 0
    alice.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")


QUERY_VALUES = st.one_of(st.sampled_from(["BTCUSDT", "btcusdt", "NOPE", "1m", "1h", "7m", "0", "1", "-1", "5000",
                                          "99999999999999999999", '["BTCUSDT"]', "[", "true", ""]),
                         st.text(max_size=10))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/api/v3/depth", "/api/v3/trades", "/api/v3/aggTrades", "/api/v3/klines",
                             "/api/v3/ticker/24hr", "/api/v3/ticker/price", "/api/v3/exchangeInfo",
                             "/api/v3/order", "/api/v3/allOrders", "/api/v3/myTrades", "/api/v3/openOrders"]),
       params=st.dictionaries(st.sampled_from(["symbol", "symbols", "limit", "interval", "startTime", "endTime",
                                               "fromId", "orderId", "origClientOrderId"]), QUERY_VALUES,
                              max_size=4))
def test_no_query_ever_gets_a_server_error(alice, path, params):
    answer = alice.signed("GET", path, **params)
    assert answer.status_code < 500, answer.text
    if answer.status_code != 200:
        assert isinstance(answer.json()["code"], int) and answer.json()["code"] < 0


# What ccxt raises for each of our refusals when the server is NOT api.binance.com (its generic table).
CCXT_EXCEPTION = {
    BinanceCode.FILTER_FAILURE: ccxt.BadRequest,  # Except LOT_SIZE / PRICE_FILTER / PERCENT_PRICE: InvalidOrder.
    BinanceCode.NEW_ORDER_REJECTED: ccxt.InvalidOrder,
    BinanceCode.CANCEL_REJECTED: ccxt.OrderNotFound,
    BinanceCode.BAD_SYMBOL: ccxt.BadSymbol,
    BinanceCode.ILLEGAL_CHARS: ccxt.BadRequest,
    BinanceCode.UNSUPPORTED_ORDER_COMBINATION: ccxt.InvalidOrder,
    BinanceCode.INVALID_PARAMETER: ccxt.BadRequest,
    BinanceCode.DISCONNECTED: ccxt.OperationFailed,
}
SPECIFIC = {"INSUFFICIENT_FUNDS": ccxt.InsufficientFunds, "MARKET_HALTED": ccxt.MarketClosed,
            "MARKET_CANCEL_ONLY": ccxt.MarketClosed, "POST_ONLY_WOULD_CROSS": ccxt.OrderImmediatelyFillable,
            "KYC_REQUIRED": ccxt.PermissionDenied, "CUSTOMER_SUSPENDED": ccxt.PermissionDenied}


def test_every_engine_venue_and_trading_gate_code_is_mapped():
    trading_gate = [ComplianceCode.CUSTOMER_NOT_FOUND, ComplianceCode.KYC_REQUIRED,
                    ComplianceCode.CUSTOMER_SUSPENDED, ComplianceCode.CUSTOMER_CLOSED]
    names = [c.name for c in RejectCode] + [v for k, v in vars(VenueCode).items() if k.isupper()]
    names += [str(c) for c in trading_gate] + ["SERVICE_UNAVAILABLE"]
    assert [n for n in names if n not in REFUSALS] == []


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_each_mapped_refusal_raises_the_documented_ccxt_exception(name):
    mapped = REFUSALS[name]
    body = json.dumps({"code": int(mapped.code), "msg": mapped.msg})
    exchange = ccxt.binance()
    with pytest.raises(ccxt.BaseError) as raised:
        exchange.handle_errors(400, "Bad Request", "http://127.0.0.1:8080/api/v3/order", "POST", {}, body,
                               exchange.parse_json(body), {}, "")
    expected = SPECIFIC.get(name, CCXT_EXCEPTION[mapped.code])
    if "has no operation privilege" in mapped.msg:
        expected = ccxt.PermissionDenied
    if any(word in mapped.msg for word in ("LOT_SIZE", "PRICE_FILTER", "PERCENT_PRICE")):
        expected = ccxt.InvalidOrder
    assert type(raised.value) is expected or (name not in SPECIFIC and isinstance(raised.value, expected))


def _next_json(socket, wanted) -> dict:
    """The next message for which `wanted(message)` holds (answers and other events are skipped)."""
    while True:
        message = json.loads(socket.recv(timeout=30))
        if wanted(message):
            return message


def _by_price(level: tuple[str, str]) -> Decimal:
    return Decimal(level[0])


def test_websocket_diffs_chain_onto_the_rest_snapshot(exchange_server, alice, bob):
    url = exchange_server.base_url.replace("http", "ws", 1)
    with connect(f"{url}/stream?streams=btcusdt@depth@100ms/btcusdt@trade") as combined, connect(f"{url}/ws") as raw:
        raw.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@depth"], "id": 7}))
        assert _next_json(raw, lambda m: "id" in m) == {"result": None, "id": 7}
        raw.send(json.dumps({"method": "SUBSCRIBE", "params": ["nosuch@depth"], "id": 8}))
        assert _next_json(raw, lambda m: "id" in m)["error"]["code"] == 1
        raw.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 9}))
        assert _next_json(raw, lambda m: "id" in m) == {"result": ["btcusdt@depth"], "id": 9}
        snapshot = alice.public("/api/v3/depth", symbol="BTCUSDT", limit=5000).json()
        bob.order(side="SELL", type="LIMIT", timeInForce="GTC", quantity="0.0040", price="100300")
        alice.order(side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.0020", price="99800")
        taker = alice.order(side="BUY", type="LIMIT", timeInForce="IOC", quantity="0.0010", price="100300").json()
        bob.signed("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
        final = alice.public("/api/v3/depth", symbol="BTCUSDT", limit=5000).json()
        book = {"bids": dict(snapshot["bids"]), "asks": dict(snapshot["asks"])}
        last_u = None
        while last_u is None or last_u < final["lastUpdateId"]:
            event = _next_json(raw, lambda m: m.get("e") == "depthUpdate")
            if event["u"] <= snapshot["lastUpdateId"]:
                continue
            if last_u is None:
                assert event["U"] <= snapshot["lastUpdateId"] + 1 <= event["u"]
            else:
                assert event["U"] == last_u + 1  # No gap, no overlap.
            last_u = event["u"]
            for side, levels in (("bids", event["b"]), ("asks", event["a"])):
                for price, quantity in levels:
                    book[side][price] = quantity
                    if Decimal(quantity) == 0:
                        del book[side][price]
        assert last_u == final["lastUpdateId"]
        assert sorted(book["bids"].items(), key=_by_price, reverse=True) == [tuple(x) for x in final["bids"]]
        assert sorted(book["asks"].items(), key=_by_price) == [tuple(x) for x in final["asks"]]
        assert len(final["bids"]) >= 1 and ["99800.00", "0.0020"] in final["bids"]
        trade = _next_json(combined, lambda m: m["stream"] == "btcusdt@trade")["data"]
        assert (trade["e"], trade["t"], trade["p"], trade["q"], trade["m"]) == (
            "trade", taker["fills"][0]["tradeId"], "100300.00", "0.0010", False)
        depth = _next_json(combined, lambda m: m["stream"] == "btcusdt@depth@100ms")["data"]
        assert depth["e"] == "depthUpdate" and depth["s"] == "BTCUSDT"
