"""Short version of scripts/crash_test.py: SIGKILL under load loses no acknowledged command."""
import pytest

from scripts.crash_test import run


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_under_load_loses_nothing_and_settles_nothing_twice(db):
    if db == "postgres":
        from tests.conftest import _postgres_reachable
        if not _postgres_reachable():
            pytest.fail("PostgreSQL is not reachable: this test must not skip")
    result = run(db, seconds=8, kills=5, clients=8)
    assert result["kills"] >= 5
    assert result["acknowledged"] > 100
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["wrong_outcome"] == 0
    assert result["verify_ok"], result["verify_output"]


def test_a_retried_order_returns_the_original_never_a_second_one(exchange_server):
    trader = exchange_server.trader(0)
    body = {"symbol": "BTC-USDT", "side": "BUY", "type": "LIMIT", "price": "90000.00", "quantity": "0.0010",
            "client_order_id": "retry-after-timeout"}
    first = trader.post("/v1/orders", body)
    again = trader.post("/v1/orders", body)
    assert first.status_code == 201 and again.status_code in (200, 201)
    assert again.json()["order"]["order_id"] == first.json()["order"]["order_id"]
    open_orders = trader.get("/v1/orders").json()["orders"]
    assert [o["client_order_id"] for o in open_orders].count("retry-after-timeout") == 1
    changed = trader.post("/v1/orders", {**body, "quantity": "0.0020"})
    assert changed.status_code == 409 and changed.json()["code"] == "CLIENT_ORDER_ID_IN_USE"
