"""`karakum serve --demo` starts, is ready, and a second start on the same data dir duplicates nothing."""
import httpx


def test_ready_and_demo_credentials_work(exchange_server):
    assert httpx.get(f"{exchange_server.base_url}/v1/health/ready").json()["status"] == "ready"
    traders = exchange_server.credentials["traders"]
    assert len(traders) == 2
    assert len({t["customer_id"] for t in traders}) == 2


def test_restart_with_demo_does_not_duplicate(exchange_server):
    before = httpx.get(f"{exchange_server.base_url}/v1/health/ready").json()["sequence"]
    exchange_server.stop()
    exchange_server.start()
    after = httpx.get(f"{exchange_server.base_url}/v1/health/ready").json()["sequence"]
    assert after == before
