"""WebSocket streams against a real server: books rebuilt from snapshot + diffs equal the REST book,
the trades stream equals the traders' fills, each private stream shows its own account only, in
commit order, a client that never reads is dropped while others keep receiving, and bad requests
get clear errors on a connection that stays open.

One random trading session (a few hundred orders from the two demo traders over REST) runs per
server, watched by every stream at once; the tests then check what each stream saw.
"""
import asyncio
import decimal
import json
import random
import threading
import time

import pytest
import websockets

from api.auth.signing import sign_native

BTC = "BTC-USDT"
ORDERS = 300
SEED = 20_260_101
WAIT_S = 20.0


class StreamClient:
    """A real WebSocket client that reads in the background and keeps every message."""

    def __init__(self, socket):
        self.socket = socket
        self.messages: list[dict] = []
        self.arrived = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(cls, server) -> "StreamClient":
        url = server.base_url.replace("http://", "ws://") + "/v1/ws"
        return cls(await websockets.connect(url, max_size=None))

    async def _read(self) -> None:
        try:
            async for text in self.socket:
                self.messages.append(json.loads(text))
                self.arrived.set()
        except websockets.ConnectionClosed:
            return  # The close code and reason stay on self.socket.

    async def request(self, message: dict) -> dict:
        """Send a request and return the answer echoing its id."""
        await self.socket.send(json.dumps(message))
        return await self.wait_for(lambda m: m.get("id") == message["id"] and m["type"] != "book_snapshot")

    async def login(self, who: dict, request_id="login") -> dict:
        timestamp_ms = time.time_ns() // 1_000_000
        return await self.request({"op": "login", "id": request_id, "api_key": who["api_key"],
                                   "timestamp_ms": timestamp_ms,
                                   "signature": sign_native(who["secret"], timestamp_ms, "GET", "/v1/ws")})

    async def wait_for(self, predicate, timeout_s: float = WAIT_S) -> dict:
        deadline = time.monotonic() + timeout_s
        seen = 0
        while True:
            for message in self.messages[seen:]:
                if predicate(message):
                    return message
            seen = len(self.messages)
            self.arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching message in {timeout_s} s; last: {self.messages[-3:]}")
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def of(self, kind: str, stream: str | None = None) -> list[dict]:
        return [m for m in self.messages if m["type"] == kind and (stream is None or m.get("stream") == stream)]

    async def close(self) -> None:
        await self.socket.close()
        self.reader.cancel()


def random_session(server, rng: random.Random, halfway: threading.Event | None = None) -> dict[int, list[int]]:
    """Limit, IOC, market orders, amends and cancels from both traders; the order ids each placed."""
    traders = [server.trader(0), server.trader(1)]
    placed: dict[int, list[int]] = {0: [], 1: []}
    open_orders: dict[int, list[int]] = {0: [], 1: []}
    for number in range(ORDERS):
        if halfway is not None and number == ORDERS // 2:
            halfway.set()
            time.sleep(0.5)  # let the late joiner subscribe between the two halves
        index = rng.randrange(2)
        client, roll = traders[index], rng.random()
        if roll < 0.15 and open_orders[index]:
            order_id = open_orders[index].pop(rng.randrange(len(open_orders[index])))
            client.delete(f"/v1/orders/{order_id}")
            continue
        if roll < 0.2 and open_orders[index]:
            client.patch(f"/v1/orders/{rng.choice(open_orders[index])}", {"quantity": "0.0001"})
            continue
        side = rng.choice(["BUY", "SELL"])
        body = {"symbol": BTC, "side": side, "quantity": f"0.{rng.randint(1, 20):04d}"}
        if roll < 0.28:
            body["type"] = "MARKET"
        else:
            body |= {"type": "LIMIT", "price": f"{rng.randint(99_500, 100_500)}.{rng.randint(0, 99):02d}",
                     "time_in_force": "IOC" if roll < 0.36 else "GTC"}
        answer = client.post("/v1/orders", body)
        if answer.status_code == 201:
            order = answer.json()["order"]
            placed[index].append(order["order_id"])
            if order["status"] in ("NEW", "PARTIALLY_FILLED"):
                open_orders[index].append(order["order_id"])
    return placed


def rebuild_book(messages: list[dict]) -> tuple[dict, dict, int]:
    """Apply the last snapshot and the diffs after it, checking the sequence chain; (bids, asks, sequence)."""
    start = max(i for i, m in enumerate(messages) if m["type"] == "book_snapshot")
    snapshot = messages[start]
    bids, asks = dict(snapshot["bids"]), dict(snapshot["asks"])
    sequence = snapshot["sequence"]
    for diff in messages[start + 1:]:
        if diff["type"] != "book_diff":
            continue
        assert diff["previous_sequence"] == sequence, "gap or overlap in the diff chain"
        assert diff["first_sequence"] <= diff["last_sequence"]
        for levels, changes in ((bids, diff["bids"]), (asks, diff["asks"])):
            for price, quantity in changes:
                if decimal.Decimal(quantity) == 0:
                    levels.pop(price, None)
                else:
                    levels[price] = quantity
        sequence = diff["last_sequence"]
    return bids, asks, sequence


class Watched:
    """What every stream saw during one session, and the REST view right after it."""


async def watch_session(server) -> Watched:
    watched = Watched()
    public = await StreamClient.connect(server)
    await public.request({"op": "subscribe", "id": 1, "streams": [f"book.{BTC}", f"trades.{BTC}", f"ticker.{BTC}",
                                                                  f"candles.{BTC}.1m", "book.ETH-USDT"]})
    accounts = [await StreamClient.connect(server), await StreamClient.connect(server)]
    for index, client in enumerate(accounts):
        logged_in = await client.login(server.credentials["traders"][index])
        assert logged_in["customer_id"] == server.trader_id(index)
        assert (await client.request({"op": "subscribe", "id": 2, "streams": ["account"]}))["type"] == "subscribed"
    late = await StreamClient.connect(server)
    halfway = threading.Event()
    session = asyncio.get_running_loop().run_in_executor(None, random_session, server, random.Random(SEED), halfway)
    while not halfway.is_set():  # The late joiner's snapshot lands mid-session.
        await asyncio.sleep(0.01)
    await late.request({"op": "subscribe", "id": 3, "streams": [f"book.{BTC}"]})
    watched.placed = await session
    watched.rest_book = server.client().get(f"/v1/markets/{BTC}/book", depth=500).json()
    for client in (public, late):
        await client.wait_for(lambda m: m.get("stream") == f"book.{BTC}" and m["type"] in (
            "book_diff", "book_snapshot") and m.get("last_sequence", m.get("sequence")) >= watched.rest_book["sequence"])
    for client in accounts:  # Published at commit, before the REST answer: queued ahead of this pong.
        await client.request({"op": "ping", "id": "end"})
    watched.rest_ticker = server.client().get(f"/v1/markets/{BTC}/ticker").json()
    watched.rest_candles = server.client().get(f"/v1/markets/{BTC}/candles", interval="1m", limit=5).json()
    watched.public, watched.late, watched.accounts = public, late, accounts
    for client in (public, late, *accounts):
        await client.close()
    return watched


@pytest.fixture(scope="module")
def watched(exchange_server) -> Watched:
    return asyncio.run(watch_session(exchange_server))


def rest_levels(levels: list) -> dict:
    return {price: quantity for price, quantity in levels}


def test_book_rebuilt_from_snapshot_and_diffs_equals_the_rest_book(watched):
    for client in (watched.public, watched.late):
        book = [m for m in client.messages if m.get("stream") == f"book.{BTC}"]
        bids, asks, sequence = rebuild_book(book)
        assert sequence == watched.rest_book["sequence"]
        assert bids == rest_levels(watched.rest_book["bids"])
        assert asks == rest_levels(watched.rest_book["asks"])
    assert watched.public.of("book_diff", f"book.{BTC}"), "the session changed the book"
    assert not watched.public.of("book_diff", "book.ETH-USDT"), "no ETH order was placed"


def test_late_joiner_snapshot_was_taken_mid_session(watched):
    snapshot = watched.late.of("book_snapshot")[0]
    assert 0 < snapshot["sequence"] < watched.rest_book["sequence"]
    assert watched.late.of("book_diff")[0]["previous_sequence"] == snapshot["sequence"]


def test_trades_stream_equals_the_traders_fills(exchange_server, watched):
    streamed = [t for m in watched.public.of("trades", f"trades.{BTC}") for t in m["trades"]]
    fills = exchange_server.trader(0).get("/v1/me/fills", symbol=BTC, limit=1000).json()["fills"]
    assert streamed, "the session traded"
    assert [t["trade_id"] for t in streamed] == sorted(t["trade_id"] for t in streamed)
    # STP keeps each trader off its own orders, so every trade has trader 0 on exactly one side.
    by_id = {f["trade_id"]: f for f in fills}
    assert set(by_id) == {t["trade_id"] for t in streamed}
    for trade in streamed:
        fill = by_id[trade["trade_id"]]
        assert (trade["price"], trade["quantity"], trade["quote_quantity"]) == (
            fill["price"], fill["quantity"], fill["quote_quantity"])
        assert set(trade) == {"trade_id", "price", "quantity", "quote_quantity", "taker_side", "time_ms"}


def test_ticker_and_candle_streams_end_where_rest_does(watched):
    ticker = dict(watched.public.of("ticker", f"ticker.{BTC}")[-1])
    for field in ("type", "stream", "published_ns"):
        ticker.pop(field)
    assert ticker == watched.rest_ticker
    candle = dict(watched.public.of("candle", f"candles.{BTC}.1m")[-1])
    for field in ("type", "stream", "published_ns", "interval"):
        candle.pop(field)
    assert candle == watched.rest_candles["candles"][-1]


def test_private_stream_shows_own_orders_fills_and_balances_in_commit_order(exchange_server, watched):
    for index, client in enumerate(watched.accounts):
        client_api = exchange_server.trader(index)
        mine, theirs = set(watched.placed[index]), set(watched.placed[1 - index])
        messages = client.of("account")
        sequences = [m["sequence"] for m in messages]
        assert sequences == sorted(set(sequences)), "one message per command, in commit order"
        last_row: dict[int, dict] = {}
        for message in messages:
            for order in message["orders"]:
                assert order["order_id"] in mine and order["order_id"] not in theirs
                last_row[order["order_id"]] = order
            for fill in message["fills"]:
                assert fill["order_id"] in mine
        assert set(last_row) == mine
        for order_id, row in last_row.items():
            assert row == client_api.get(f"/v1/orders/{order_id}").json()["order"]
        streamed_fills = {f["trade_id"] for m in messages for f in m["fills"]}
        rest_fills = client_api.get("/v1/me/fills", limit=1000).json()["fills"]
        assert streamed_fills == {f["trade_id"] for f in rest_fills}
        last_balance = {b["asset"]: b for m in messages for b in m["balances"]}
        for balance in client_api.get("/v1/me/balances").json()["balances"]:
            if balance["asset"] in last_balance:
                streamed = last_balance[balance["asset"]]
                assert (streamed["available"], streamed["held"]) == (balance["available"], balance["held"])


def test_private_login_refuses_bad_signatures_and_staff_keys(exchange_server):
    async def scenario():
        client = await StreamClient.connect(exchange_server)
        trader = exchange_server.credentials["traders"][0]
        forged = {"api_key": trader["api_key"], "secret": "0" * 64}
        refused = await client.login(forged, "forged")
        assert (refused["type"], refused["code"], refused["auth_code"]) == ("error", "LOGIN_FAILED",
                                                                            "INVALID_SIGNATURE")
        staff = await client.login(exchange_server.admin, "staff")
        assert (staff["code"], staff["auth_code"]) == ("LOGIN_FAILED", "FORBIDDEN")
        subscribe = await client.request({"op": "subscribe", "id": "acct", "streams": ["account"]})
        assert subscribe["code"] == "LOGIN_REQUIRED"
        timestamp_ms = time.time_ns() // 1_000_000
        signed = {"op": "login", "api_key": trader["api_key"], "timestamp_ms": timestamp_ms,
                  "signature": sign_native(trader["secret"], timestamp_ms, "GET", "/v1/ws")}
        assert (await client.request(signed | {"id": "ok"}))["type"] == "logged_in"
        assert (await client.request(signed | {"id": "again"}))["code"] == "ALREADY_LOGGED_IN"
        replayer = await StreamClient.connect(exchange_server)
        replayed = await replayer.request(signed | {"id": "replay"})
        assert (replayed["code"], replayed["auth_code"]) == ("LOGIN_FAILED", "REPLAYED_REQUEST")
        await client.close()
        await replayer.close()

    asyncio.run(scenario())


def test_revoking_the_key_ends_the_private_session_before_any_more_account_data(exchange_server):
    async def scenario():
        admin, trader = exchange_server.staff("admin"), exchange_server.trader(0)
        owner_id = str(exchange_server.trader_id(0))
        issued = admin.post("/v1/admin/api-keys", {"owner_kind": "customer", "owner_id": owner_id}).json()
        client = await StreamClient.connect(exchange_server)
        assert (await client.login(issued))["type"] == "logged_in"
        await client.request({"op": "subscribe", "id": 1, "streams": ["account"]})
        revoked = admin.request("DELETE", f"/v1/admin/api-keys/{issued['api_key']}", {"reason": "test"})
        assert revoked.status_code == 200, revoked.text
        placed = await asyncio.to_thread(trader.post, "/v1/orders", {
            "symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "99300.00", "quantity": "0.0001"})
        assert placed.status_code == 201, placed.text
        await asyncio.wait_for(client.reader, WAIT_S)
        assert client.socket.close_code == 4001 and client.socket.close_reason == "API key revoked"
        assert not client.of("account")

    asyncio.run(scenario())


@pytest.mark.parametrize("request_text, code", [
    ("not json", "MALFORMED_REQUEST"),
    ('{"op": "dance", "id": 7}', "MALFORMED_REQUEST"),
    ('{"op": "subscribe", "id": 7}', "MALFORMED_REQUEST"),
    ('{"op": "subscribe", "id": 7, "streams": ["book.BTC-USDT"], "extra": 1}', "MALFORMED_REQUEST"),
    ('{"op": "subscribe", "id": 7, "streams": ["orders"]}', "UNKNOWN_STREAM"),
    ('{"op": "subscribe", "id": 7, "streams": ["book.DOGE-USDT"]}', "UNKNOWN_STREAM"),
    ('{"op": "subscribe", "id": 7, "streams": ["candles.BTC-USDT.2m"]}', "UNKNOWN_STREAM"),
    ('{"op": "subscribe", "id": 7, "streams": ["trades.BTC-USDT", "book.NOPE"]}', "UNKNOWN_STREAM"),
    ('{"op": "subscribe", "id": 7, "streams": ' + json.dumps([f"book.{i}" for i in range(51)]) + "}",
     "TOO_MANY_STREAMS"),
    ('{"op": "ping", "id": "' + "x" * 20_000 + '"}', "REQUEST_TOO_LARGE"),
])
def test_bad_requests_get_clear_errors_and_the_connection_stays_open(exchange_server, request_text, code):
    async def scenario():
        client = await StreamClient.connect(exchange_server)
        await client.socket.send(request_text)
        error = await client.wait_for(lambda m: m["type"] == "error")
        assert error["code"] == code and error["message"]
        pong = await client.request({"op": "ping", "id": 8})
        assert pong["type"] == "pong"
        assert not client.of("subscribed"), "all or nothing: a bad name subscribes nothing"
        await client.close()

    asyncio.run(scenario())


def test_nothing_of_a_stream_arrives_after_its_unsubscribe_answer(exchange_server, watched):
    async def scenario():
        client = await StreamClient.connect(exchange_server)
        await client.request({"op": "subscribe", "id": 1, "streams": [f"trades.{BTC}", f"book.{BTC}"]})
        answer = await client.request({"op": "unsubscribe", "id": 2, "streams": [f"trades.{BTC}"]})
        assert answer == {"type": "unsubscribed", "id": 2, "streams": [f"trades.{BTC}"]}
        buyer, seller = exchange_server.trader(0), exchange_server.trader(1)
        for trader, side in ((buyer, "BUY"), (seller, "SELL")):
            placed = await asyncio.to_thread(trader.post, "/v1/orders", {
                "symbol": BTC, "side": side, "type": "LIMIT", "price": "99200.00", "quantity": "0.0001"})
            assert placed.status_code == 201, placed.text
        assert placed.json()["fills"], "the sell traded"
        await client.request({"op": "ping", "id": 3})  # Answers come after every update published before.
        after = client.messages.index(answer)
        assert not [m for m in client.messages[after:] if m.get("stream") == f"trades.{BTC}"]
        await client.close()

    asyncio.run(scenario())


def test_a_client_that_never_reads_is_dropped_while_others_keep_receiving(exchange_server, watched):
    async def scenario():
        url = exchange_server.base_url.replace("http://", "ws://") + "/v1/ws"
        slow = await websockets.connect(url, max_queue=1, max_size=None)
        reader = await StreamClient.connect(exchange_server)
        await reader.request({"op": "subscribe", "id": 1, "streams": [f"book.{BTC}"]})
        # Every resubscribe asks for a fresh full snapshot; the slow client asks and never reads.
        resubscribe = json.dumps({"op": "subscribe", "id": 1, "streams": [f"book.{BTC}"]})
        for _ in range(3_000):
            try:  # Once the server drops it, it stops reading from it too: stop when sending blocks.
                await asyncio.wait_for(slow.send(resubscribe), 5)
            except asyncio.TimeoutError:
                break
        trader = exchange_server.trader(0)
        order = await asyncio.to_thread(trader.post, "/v1/orders", {
            "symbol": BTC, "side": "BUY", "type": "LIMIT", "price": "99100.00", "quantity": "0.0001"})
        assert order.status_code == 201, order.text
        await reader.wait_for(lambda m: m["type"] == "book_diff" and ["99100.00", "0.0001"] in m["bids"])
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(slow.recv(), WAIT_S)
        assert closed.value.rcvd.code == 4008
        assert closed.value.rcvd.reason == "slow consumer, resubscribe"
        await reader.close()

    asyncio.run(scenario())
