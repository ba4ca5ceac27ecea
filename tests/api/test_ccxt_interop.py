"""ccxt's own `binance` class, unmodified, with DEFAULT options, drives a real Karakum server.

Only the API URLs are pointed at our server (as ../shared/reference/ccxt-binance.md shows).
The demo market BTC/USDT has tick 0.01, lot 0.0001, a 10 % band around 100,000 USDT and
fees of 10 bps (maker) / 20 bps (taker); each demo trader starts with 1 BTC and 100,000 USDT.
Every test leaves the book as it found it (its orders are cancelled at the end), and trades stay
near 100,000 so that every price used stays inside the band around the last trade.
"""
import asyncio
import threading
import time
from decimal import Decimal

import ccxt
import httpx
import pytest

from api.auth.signing import sign_binance

SYMBOL = "BTC/USDT"
FLOOD_BATCHES_MAX = 20


def binance_client(base_url: str, api_key: str | None, secret: str | None, kind=ccxt.binance):
    exchange = kind({"apiKey": api_key, "secret": secret})
    exchange.urls["api"] = {name: base_url + "/" + url.split("/", 3)[3] if isinstance(url, str) else url
                            for name, url in exchange.urls["api"].items()}
    return exchange


@pytest.fixture(scope="module")
def traders(exchange_server):
    clients = [binance_client(exchange_server.base_url, t["api_key"], t["secret"])
               for t in exchange_server.credentials["traders"]]
    for client in clients:
        client.load_markets()
    return clients


@pytest.fixture
def alice(traders):
    yield traders[0]
    traders[0].cancel_all_orders(SYMBOL)


@pytest.fixture
def bob(traders):
    yield traders[1]
    traders[1].cancel_all_orders(SYMBOL)


def balances(exchange) -> dict[str, tuple[Decimal, Decimal]]:
    """asset -> (free, locked), exact, from the server's strings (not ccxt's floats)."""
    rows = exchange.fetch_balance()["info"]["balances"]
    return {row["asset"]: (Decimal(row["free"]), Decimal(row["locked"])) for row in rows}


def test_load_markets_with_default_options_gives_the_spot_market(traders):
    market = traders[0].market(SYMBOL)
    assert market["id"] == "BTCUSDT"
    assert market["spot"] and market["active"]
    assert market["precision"]["price"] == 0.01
    assert market["precision"]["amount"] == 0.0001
    assert market["limits"]["amount"]["min"] == 0.0001
    assert {"ETH/USDT", "USDT/TMT"} <= set(traders[0].symbols)


def test_trading_fees_and_status(traders):
    fees = traders[0].fetch_trading_fees()
    assert (fees[SYMBOL]["maker"], fees[SYMBOL]["taker"]) == (0.001, 0.002)
    assert traders[0].fetch_trading_fee(SYMBOL)["taker"] == 0.002
    assert traders[0].fetch_status()["status"] == "ok"


def test_resting_order_is_in_open_orders_until_cancelled(alice):
    order = alice.create_order(SYMBOL, "limit", "buy", 0.0123, 97000.5)
    assert (order["status"], order["amount"], order["price"], order["filled"]) == ("open", 0.0123, 97000.5, 0)
    assert order["id"] in [o["id"] for o in alice.fetch_open_orders(SYMBOL)]
    book = alice.fetch_order_book(SYMBOL)
    assert [97000.5, 0.0123] in book["bids"]
    assert isinstance(book["nonce"], int)
    assert alice.fetch_order(order["id"], SYMBOL)["status"] == "open"
    cancelled = alice.cancel_order(order["id"], SYMBOL)
    assert cancelled["status"] == "canceled"
    assert order["id"] not in [o["id"] for o in alice.fetch_open_orders(SYMBOL)]
    assert alice.fetch_order(order["id"], SYMBOL)["status"] == "canceled"
    assert alice.fetch_order(None, SYMBOL, {"clientOrderId": order["clientOrderId"]})["id"] == order["id"]
    assert {o["id"]: o["status"] for o in alice.fetch_orders(SYMBOL)}[order["id"]] == "canceled"


def test_cancel_all_orders_cancels_every_open_order_of_the_market(alice):
    ids = {alice.create_order(SYMBOL, "limit", "buy", 0.001, price)["id"] for price in (97000, 97001)}
    cancelled = alice.cancel_all_orders(SYMBOL)
    assert {o["id"] for o in cancelled} == ids
    assert {o["status"] for o in cancelled} == {"canceled"}
    assert alice.fetch_open_orders(SYMBOL) == []


def test_ioc_takes_what_it_can_and_fok_all_or_nothing(alice, bob):
    resting = bob.create_order(SYMBOL, "limit", "sell", 0.002, 101000)
    fok = alice.create_order(SYMBOL, "limit", "buy", 0.003, 101000, {"timeInForce": "FOK"})
    assert (fok["status"], fok["filled"]) == ("expired", 0)
    assert bob.fetch_order(resting["id"], SYMBOL)["remaining"] == 0.002
    ioc = alice.create_order(SYMBOL, "limit", "buy", 0.003, 101000, {"timeInForce": "IOC"})
    assert (ioc["status"], ioc["filled"], ioc["cost"]) == ("expired", 0.002, 202.0)
    assert bob.fetch_order(resting["id"], SYMBOL)["status"] == "closed"


def test_market_order_fills_against_the_book(alice, bob):
    bob.create_order(SYMBOL, "limit", "sell", 0.001, 100500)
    order = alice.create_order(SYMBOL, "market", "buy", 0.001)
    assert (order["status"], order["filled"], order["average"]) == ("closed", 0.001, 100500)
    assert order["trades"][0]["price"] == 100500
    assert order["fee"] == {"currency": "BTC", "cost": 0.000002}  # Taker 20 bps of 0.001 BTC.


def test_limit_maker_rests_and_is_refused_when_it_would_take(alice, bob):
    bob.create_order(SYMBOL, "limit", "sell", 0.001, 102000)
    resting = alice.create_order(SYMBOL, "limit", "buy", 0.001, 98000, {"postOnly": True})
    assert (resting["status"], resting["postOnly"]) == ("open", True)
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        alice.create_order(SYMBOL, "limit", "buy", 0.001, 102000, {"postOnly": True})
    assert alice.create_order(SYMBOL, "LIMIT_MAKER", "sell", 0.001, 102500)["status"] == "open"


def test_a_cross_moves_balances_exactly_fees_included(alice, bob):
    alice_before, bob_before = balances(alice), balances(bob)
    maker = alice.create_order(SYMBOL, "limit", "sell", 0.01, 100000)
    taker = bob.create_order(SYMBOL, "limit", "buy", 0.01, 100000)
    assert taker["status"] == "closed"
    alice_after, bob_after = balances(alice), balances(bob)
    # Alice sold 0.01 BTC as maker: +1,000 USDT minus 10 bps; Bob bought as taker: +0.01 BTC minus 20 bps.
    assert alice_after["BTC"][0] - alice_before["BTC"][0] == Decimal("-0.01")
    assert alice_after["USDT"][0] - alice_before["USDT"][0] == Decimal("999")
    assert bob_after["BTC"][0] - bob_before["BTC"][0] == Decimal("0.00998")
    assert bob_after["USDT"][0] - bob_before["USDT"][0] == Decimal("-1000")
    assert alice_after["BTC"][1] == alice_before["BTC"][1] and bob_after["USDT"][1] == bob_before["USDT"][1]
    mine = [t for t in alice.fetch_my_trades(SYMBOL) if t["order"] == maker["id"]]
    assert [(t["side"], t["takerOrMaker"], t["amount"], t["fee"]) for t in mine] == [
        ("sell", "maker", 0.01, {"currency": "USDT", "cost": 1.0})]
    theirs = [t for t in bob.fetch_my_trades(SYMBOL) if t["order"] == taker["id"]]
    assert [(t["side"], t["takerOrMaker"], t["id"], t["fee"]) for t in theirs] == [
        ("buy", "taker", mine[0]["id"], {"currency": "BTC", "cost": 0.00002})]
    assert alice.fetch_order(maker["id"], SYMBOL)["cost"] == 1000.0


def test_public_data_after_trading(traders):
    exchange = traders[0]
    trades = exchange.fetch_trades(SYMBOL)
    assert trades and all(t["symbol"] == SYMBOL and t["side"] in ("buy", "sell") for t in trades)
    ticker = exchange.fetch_ticker(SYMBOL)
    assert ticker["last"] == trades[-1]["price"]
    candles = exchange.fetch_ohlcv(SYMBOL, "1m")
    assert candles and candles[-1][4] == ticker["last"]


def test_refusals_raise_the_matching_ccxt_exceptions(exchange_server, alice):
    with pytest.raises(ccxt.InsufficientFunds):
        alice.create_order(SYMBOL, "limit", "buy", 50, 100000)
    with pytest.raises(ccxt.InvalidOrder):  # Outside the 10 % price band.
        alice.create_order(SYMBOL, "limit", "buy", 0.001, 50000)
    with pytest.raises(ccxt.OrderNotFound):
        alice.cancel_order("999999999", SYMBOL)
    with pytest.raises(ccxt.OrderNotFound):
        alice.fetch_order("999999999", SYMBOL)
    with pytest.raises(ccxt.BadSymbol):
        alice.public_get_depth({"symbol": "NOSUCHPAIR"})
    trader = exchange_server.credentials["traders"][0]
    with pytest.raises(ccxt.AuthenticationError):
        binance_client(exchange_server.base_url, trader["api_key"], "not-the-secret").fetch_balance()
    with pytest.raises(ccxt.AuthenticationError):
        binance_client(exchange_server.base_url, "no-such-key", "whatever").fetch_balance()


def test_rate_limit_raises_ddos_protection(exchange_server, traders):
    """HTTP 429 with -1003: ccxt raises DDoSProtection for any 429 (RateLimitExceeded is its subclass).

    A background thread keeps the key's bucket empty (pipelined requests, faster than the refill)
    while ccxt asks for the balance: a loaded machine serves slower, so it floods until told to stop.
    """
    trader = exchange_server.credentials["traders"][1]
    stop, statuses = threading.Event(), []

    def flood() -> None:
        batch = 0
        while not stop.is_set() and batch < FLOOD_BATCHES_MAX:
            statuses.extend(asyncio.run(_flood(exchange_server.port, trader["api_key"], trader["secret"], 4, 100,
                                               batch)))
            batch += 1

    flooder = threading.Thread(target=flood)
    flooder.start()
    raised = None
    try:
        for _ in range(FLOOD_BATCHES_MAX * 10):
            try:
                traders[1].fetch_balance()
            except ccxt.DDoSProtection as error:
                raised = error
                break
    finally:
        stop.set()
        flooder.join()
    assert 429 in statuses
    assert raised is not None and '"code":-1003' in str(raised).replace(" ", "")
    time.sleep(3)  # The bucket refills (100 requests/s) for whatever runs next.


async def _flood(port: int, api_key: str, secret: str, connections: int, per_connection: int,
                 batch: int) -> list[int]:
    """Signed requests pipelined on raw keep-alive connections: faster than the key's refill rate."""
    async def one_connection(first: int) -> list[int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        now_ms = int(time.time() * 1000)
        requests = []
        for index in range(first, first + per_connection):
            query = f"timestamp={now_ms}&recvWindow=60000&n={batch}.{index}"
            query += "&signature=" + sign_binance(secret, query)
            requests.append(f"GET /api/v3/account?{query} HTTP/1.1\r\nHost: karakum\r\nX-MBX-APIKEY: {api_key}\r\n\r\n")
        writer.write("".join(requests).encode())
        await writer.drain()
        statuses = []
        for _ in range(per_connection):
            statuses.append(int((await reader.readline()).split()[1]))
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
        writer.close()
        return statuses

    answers = await asyncio.gather(*(one_connection(k * per_connection) for k in range(connections)))
    return [status for statuses in answers for status in statuses]


def test_ccxt_pro_watches_the_order_book_and_trades(exchange_server):
    """ccxt.pro's binance, its WebSocket URL pointed at our /ws: a book kept from REST snapshot + diffs."""
    assert asyncio.run(_watch_session(exchange_server))


async def _watch_session(exchange_server) -> bool:
    import ccxt.pro

    clients = []
    for trader in exchange_server.credentials["traders"]:
        client = binance_client(exchange_server.base_url, trader["api_key"], trader["secret"], ccxt.pro.binance)
        client.urls["api"]["ws"] = {"spot": exchange_server.base_url.replace("http", "ws", 1) + "/ws"}
        clients.append(client)
    alice, bob = clients
    try:
        await alice.load_markets()
        await bob.load_markets()
        await alice.watch_order_book(SYMBOL)  # Subscribed and synchronised with the REST snapshot.
        trades = asyncio.create_task(alice.watch_trades(SYMBOL))
        await bob.create_order(SYMBOL, "limit", "sell", 0.004, 100100)
        await alice.create_order(SYMBOL, "limit", "buy", 0.005, 99900)
        await alice.create_order(SYMBOL, "limit", "buy", 0.001, 100100)  # Takes 0.001 of Bob's 0.004.
        watched = await asyncio.wait_for(trades, 30)
        assert [(t["price"], t["amount"], t["side"]) for t in watched] == [(100100, 0.001, "buy")]
        rest = await alice.fetch_order_book(SYMBOL)
        book = alice.orderbooks[SYMBOL]  # The book ccxt.pro keeps from the diffs.
        for _ in range(100):  # Diffs may trail the REST answer by a batch.
            if book["nonce"] >= rest["nonce"]:
                break
            await asyncio.sleep(0.1)
        assert book["nonce"] == rest["nonce"]
        assert ([list(level) for level in book["bids"]], [list(level) for level in book["asks"]]) == (
            rest["bids"], rest["asks"])
        assert [100100, 0.003] in book["asks"] and [99900, 0.005] in book["bids"]
        return True
    finally:
        await alice.cancel_all_orders(SYMBOL)
        await bob.cancel_all_orders(SYMBOL)
        for client in clients:
            await client.close()


def test_a_halted_market_raises_market_closed(exchange_server, alice):
    operator = exchange_server.staff("operator-1")
    assert operator.post("/v1/admin/markets/ETH-USDT/halt", {"reason": "interop test"}).status_code == 200
    try:
        with pytest.raises(ccxt.MarketClosed):
            alice.create_order("ETH/USDT", "limit", "buy", 0.01, 3500)
        assert next(m for m in alice.fetch_markets() if m["symbol"] == "ETH/USDT")["active"] is False
    finally:
        assert operator.post("/v1/admin/markets/ETH-USDT/resume", {"reason": "interop test"}).status_code == 200
    assert alice.create_order("ETH/USDT", "limit", "buy", 0.01, 3400)["status"] == "open"
    alice.cancel_all_orders("ETH/USDT")


def test_a_customer_before_kyc_gets_permission_denied(exchange_server):
    signed_up = httpx.post(f"{exchange_server.base_url}/v1/signup", json={"email": "interop@example.com"}).json()
    newcomer = binance_client(exchange_server.base_url, signed_up["api_key"], signed_up["secret"])
    newcomer.load_markets()
    assert newcomer.fetch_balance()["info"]["canTrade"] is False
    with pytest.raises(ccxt.PermissionDenied):
        newcomer.create_order(SYMBOL, "limit", "buy", 0.001, 99000)
