"""Order routes over the real server: amend and priority, cancel-all, stop triggers, market orders,
and the public book, trades, ticker and candles they leave behind."""
from decimal import Decimal

BTC = "BTC-USDT"
ETH = "ETH-USDT"


def place(client, **fields) -> dict:
    order = {"symbol": BTC, "type": "LIMIT", **fields}
    answer = client.post("/v1/orders", order)
    assert answer.status_code == 201, answer.text
    return answer.json()


def order_of(client, order_id: int) -> dict:
    answer = client.get(f"/v1/orders/{order_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["order"]


def held(client, asset: str) -> int:
    rows = client.get("/v1/me/balances").json()["balances"]
    return next(row["held_units"] for row in rows if row["asset"] == asset)


def clean(*clients) -> None:
    for client in clients:
        assert client.delete("/v1/orders").status_code == 200


def test_amend_keeps_priority_only_when_quantity_goes_down(exchange_server):
    alice, bob = exchange_server.trader(0), exchange_server.trader(1)
    first = place(alice, side="SELL", price="100500.00", quantity="0.0300")["order"]["order_id"]
    second = place(alice, side="SELL", price="100500.00", quantity="0.0200")["order"]["order_id"]

    down = alice.patch(f"/v1/orders/{first}", {"quantity": "0.0200"})
    assert down.status_code == 200, down.text
    assert (down.json()["order"]["quantity"], down.json()["order"]["status"]) == ("0.0200", "NEW")
    assert held(alice, "BTC") == 4_000_000  # 0.02 + 0.02 BTC: the amend released 0.01.
    place(bob, side="BUY", price="100500.00", quantity="0.0100")
    assert order_of(alice, first)["filled_quantity"] == "0.0100"  # Still first in the queue.
    assert order_of(alice, second)["filled_quantity"] == "0.0000"

    up = alice.patch(f"/v1/orders/{first}", {"quantity": "0.0300"})  # New open quantity: loses its place.
    assert up.status_code == 200, up.text
    assert (up.json()["order"]["quantity"], up.json()["order"]["remaining_quantity"]) == ("0.0400", "0.0300")
    place(bob, side="BUY", price="100500.00", quantity="0.0200")
    assert order_of(alice, second)["status"] == "FILLED"
    assert order_of(alice, first)["filled_quantity"] == "0.0100"

    repriced = alice.patch(f"/v1/orders/{first}", {"price": "100600.00"})
    assert repriced.json()["order"]["price"] == "100600.00", repriced.text
    same = alice.patch(f"/v1/orders/{first}", {"price": "100600.00"})
    assert (same.status_code, same.json()["code"]) == (400, "AMEND_NOTHING_TO_CHANGE")
    place(bob, side="BUY", price="99500.00", quantity="0.0100")
    crossing = alice.patch(f"/v1/orders/{first}", {"price": "99000.00"})
    assert (crossing.status_code, crossing.json()["code"]) == (422, "AMEND_WOULD_CROSS")
    off_grid = alice.patch(f"/v1/orders/{first}", {"price": "100600.005"})
    assert (off_grid.status_code, off_grid.json()["code"]) == (400, "PRICE_NOT_ON_TICK")
    clean(alice, bob)
    assert order_of(alice, first)["status"] == "CANCELLED"
    assert held(alice, "BTC") == 0


def test_an_order_keeps_its_self_trade_prevention_mode(exchange_server):
    alice = exchange_server.trader(0)
    clean(alice)
    placed = place(alice, side="BUY", price="95000.00", quantity="0.0100", stp_mode="EXPIRE_BOTH")["order"]
    default = place(alice, side="BUY", price="95000.00", quantity="0.0100")["order"]
    assert (placed["stp_mode"], default["stp_mode"]) == ("EXPIRE_BOTH", "EXPIRE_TAKER")
    assert order_of(alice, placed["order_id"])["stp_mode"] == "EXPIRE_BOTH"
    listed = {o["order_id"]: o["stp_mode"] for o in alice.get("/v1/orders").json()["orders"]}
    assert listed == {placed["order_id"]: "EXPIRE_BOTH", default["order_id"]: "EXPIRE_TAKER"}
    clean(alice)
    closed = {o["order_id"]: o for o in alice.get("/v1/orders/history").json()["orders"]}
    assert (closed[placed["order_id"]]["status"], closed[placed["order_id"]]["stp_mode"]) == ("CANCELLED",
                                                                                            "EXPIRE_BOTH")


def test_cancel_all_per_market_then_everything(exchange_server):
    alice = exchange_server.trader(0)
    clean(alice)
    btc_ids = [place(alice, side="BUY", price=price, quantity="0.0100")["order"]["order_id"]
               for price in ("95000.00", "95100.00", "95200.00")]
    eth_id = place(alice, symbol=ETH, side="BUY", price="3400.00", quantity="0.1000")["order"]["order_id"]
    assert held(alice, "USDT") == (950 + 951 + 952 + 340) * 10**6

    per_market = alice.delete("/v1/orders", symbol=BTC)
    assert per_market.status_code == 200, per_market.text
    assert sorted(o["order_id"] for o in per_market.json()["orders"]) == btc_ids
    assert {o["status"] for o in per_market.json()["orders"]} == {"CANCELLED"}
    assert [o["order_id"] for o in alice.get("/v1/orders").json()["orders"]] == [eth_id]
    assert held(alice, "USDT") == 340 * 10**6

    everything = alice.delete("/v1/orders")
    assert [o["order_id"] for o in everything.json()["orders"]] == [eth_id]
    assert alice.get("/v1/orders").json()["orders"] == []
    assert held(alice, "USDT") == 0
    history = [o["order_id"] for o in alice.get("/v1/orders/history", symbol=BTC, limit=3).json()["orders"]]
    assert history == btc_ids
    assert alice.delete("/v1/orders").json()["orders"] == []


def test_stop_limit_triggers_on_the_last_trade_price(exchange_server):
    alice, bob = exchange_server.trader(0), exchange_server.trader(1)
    clean(alice, bob)
    place(bob, side="SELL", price="101000.00", quantity="0.0100")
    place(bob, side="SELL", price="101500.00", quantity="0.0100")
    stop = place(alice, side="BUY", type="STOP_LIMIT", stop_price="101000.00", price="101600.00",
                 quantity="0.0100", client_order_id="alice-stop")["order"]
    assert (stop["status"], stop["type"], stop["stop_price"]) == ("NEW", "STOP_LIMIT", "101000.00")
    assert exchange_server.client().get(f"/v1/markets/{BTC}/book").json()["bids"] == []  # Parked, not resting.
    assert alice.get("/v1/orders/by-client-id/alice-stop").json()["order"]["order_id"] == stop["order_id"]

    trigger = place(alice, side="BUY", price="101000.00", quantity="0.0100")
    assert [f["price"] for f in trigger["fills"]] == ["101000.00"]
    triggered = order_of(alice, stop["order_id"])
    assert (triggered["status"], triggered["filled_quantity"]) == ("FILLED", "0.0100")
    stop_fills = [f for f in alice.get("/v1/me/fills").json()["fills"] if f["order_id"] == stop["order_id"]]
    assert [(f["price"], f["role"]) for f in stop_fills] == [("101500.00", "taker")]
    assert held(alice, "USDT") == 0


def test_market_orders_sweep_within_the_band_and_release_the_rest(exchange_server):
    alice, bob = exchange_server.trader(0), exchange_server.trader(1)
    clean(alice, bob)
    place(bob, side="SELL", price="101500.00", quantity="0.0100")
    place(bob, side="SELL", price="101600.00", quantity="0.0100")
    priced = alice.post("/v1/orders", {"symbol": BTC, "side": "BUY", "type": "MARKET", "price": "101000.00",
                                       "quantity": "0.0150"})
    assert (priced.status_code, priced.json()["code"]) == (400, "PRICE_NOT_ALLOWED")
    bought = place(alice, side="BUY", type="MARKET", quantity="0.0150")
    assert bought["order"]["status"] == "FILLED" and bought["order"]["time_in_force"] == "IOC"
    assert [(f["price"], f["quantity"]) for f in bought["fills"]] == [("101500.00", "0.0100"),
                                                                      ("101600.00", "0.0050")]
    assert held(alice, "USDT") == 0  # Held at the band's top, the unused part released.
    clean(bob)
    unfilled = place(alice, side="SELL", type="MARKET", quantity="0.0100")
    assert (unfilled["order"]["status"], unfilled["fills"]) == ("EXPIRED", [])
    assert held(alice, "BTC") == 0


def test_book_trades_ticker_and_candles_follow_the_trades(exchange_server):
    alice, bob, public = exchange_server.trader(0), exchange_server.trader(1), exchange_server.client()
    clean(alice, bob)
    before = public.get(f"/v1/markets/{BTC}/book").json()
    place(bob, side="SELL", price="102000.00", quantity="0.0100")
    place(bob, side="SELL", price="102000.00", quantity="0.0200")
    place(bob, side="SELL", price="102100.00", quantity="0.0100")
    place(alice, side="BUY", price="101000.00", quantity="0.0100")
    book = public.get(f"/v1/markets/{BTC}/book").json()
    assert book["sequence"] > before["sequence"]
    assert book["asks"] == [["102000.00", "0.0300"], ["102100.00", "0.0100"]]
    assert book["bids"] == [["101000.00", "0.0100"]]
    assert public.get(f"/v1/markets/{BTC}/book", depth=1).json()["asks"] == [["102000.00", "0.0300"]]
    for depth in (0, 501, "x"):
        answer = public.get(f"/v1/markets/{BTC}/book", depth=depth)
        assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_REQUEST")
    place(alice, side="BUY", price="102000.00", quantity="0.0250")

    fills = alice.get("/v1/me/fills", symbol=BTC).json()["fills"]  # Every trade of this module is Alice's.
    prices = [Decimal(f["price"]) for f in fills]
    volume = sum(Decimal(f["quantity"]) for f in fills)
    trades = public.get(f"/v1/markets/{BTC}/trades", limit=1000).json()["trades"]
    assert [t["trade_id"] for t in trades] == [f["trade_id"] for f in fills]
    assert public.get(f"/v1/markets/{BTC}/trades", limit=2).json()["trades"] == trades[-2:]

    ticker = public.get(f"/v1/markets/{BTC}/ticker").json()
    assert (Decimal(ticker["open"]), Decimal(ticker["last"])) == (prices[0], prices[-1])
    assert (Decimal(ticker["high"]), Decimal(ticker["low"])) == (max(prices), min(prices))
    assert (Decimal(ticker["volume"]), ticker["trades"]) == (volume, len(fills))
    quote_volume = sum(Decimal(f["quote_quantity"]) for f in fills)
    assert Decimal(ticker["quote_volume"]) == quote_volume
    assert Decimal(ticker["change"]) == prices[-1] - prices[0]

    for interval in ("1m", "5m", "15m", "1h", "1d"):
        candles = public.get(f"/v1/markets/{BTC}/candles", interval=interval).json()["candles"]
        assert sum(c["trades"] for c in candles) == len(fills)
        assert sum(Decimal(c["volume"]) for c in candles) == volume
        assert Decimal(candles[-1]["close"]) == prices[-1] and Decimal(candles[0]["open"]) == prices[0]
        assert all(c["close_time_ms"] > c["open_time_ms"] for c in candles)
    answer = public.get(f"/v1/markets/{BTC}/candles", interval="2m")
    assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_REQUEST")
    markets = public.get("/v1/markets").json()
    assert "not legal tender" in markets["risk_warning"]
    assert [m["symbol"] for m in markets["markets"]] == ["BTC-USDT", "ETH-USDT", "USDT-TMT"]
    quiet = public.get("/v1/markets/ETH-USDT/ticker").json()
    assert (quiet["last"], quiet["volume"], quiet["change"]) == (None, "0.0000", None)
    clean(alice, bob)

    # After a restart the market data is rebuilt from the store: the same trades, ticker and candles.
    candles = public.get(f"/v1/markets/{BTC}/candles", interval="1m").json()
    exchange_server.stop()
    exchange_server.start()
    public = exchange_server.client()
    assert public.get(f"/v1/markets/{BTC}/trades", limit=1000).json()["trades"] == trades
    assert public.get(f"/v1/markets/{BTC}/candles", interval="1m").json() == candles
    assert public.get(f"/v1/markets/{BTC}/ticker").json()["volume"] == ticker["volume"]


def test_out_of_range_ids_and_bounds_are_400_never_500(exchange_server):
    alice = exchange_server.trader(0)
    huge = 10**20  # Beyond the stores' 64-bit integers.
    for answer in (alice.get(f"/v1/orders/{huge}"), alice.delete(f"/v1/orders/{huge}"),
                   alice.patch(f"/v1/orders/{huge}", {"price": "100000.00"}), alice.get("/v1/orders/0"),
                   alice.get("/v1/orders/by-client-id/" + "x" * 37), alice.get("/v1/me/fills", after_trade_id=huge),
                   alice.get("/v1/orders/history", limit=0), alice.get("/v1/me/fills", limit=1001),
                   alice.request("POST", "/v1/orders", [1, 2])):
        assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_REQUEST"), answer.text
