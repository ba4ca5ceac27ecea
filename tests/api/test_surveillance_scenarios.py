"""Surveillance over a real server: each abusive pattern, generated through the API, opens the right
case on the right accounts; normal trading opens none; reports and thresholds through the staff routes.

Every scenario onboards its own customers, so cases are told apart by account. Cases open
asynchronously (after the commit, from the committed stream): `cases_of` polls for them.
"""
import datetime
import hashlib
import itertools
import json
import subprocess
import time

from api.client import KarakumClient
from tests.api.conftest import KARAKUM
from tests.api.signup import sign_up

BTC = "BTC-USDT"
_numbers = itertools.count(1)


def onboard(server, full_name: str | None = None, date_of_birth: str = "1985-05-05", usdt: str = "2000",
            btc: str = "0.02", tier: int | None = None):
    """A verified, funded customer; returns (client, customer_id)."""
    number = next(_numbers)
    document = f"SRV{number:05d}{time.time_ns() % 100_000}"
    opened = sign_up(server, f"{document.lower()}@example.com")
    assert opened.status_code == 201, opened.text
    customer, customer_id = server.client(opened.json()), opened.json()["customer_id"]
    identity = {"full_name": full_name or f"Surveilled Person {document}", "document_type": "passport",
                "document_number": document, "country": "TM", "date_of_birth": date_of_birth}
    assert customer.post("/v1/me/identity", identity).status_code == 200
    officer = server.staff("compliance-1")
    assert officer.post(f"/v1/admin/customers/{customer_id}/verify", {"reason": "checked"}).status_code == 200
    if tier is not None:
        moved = officer.post(f"/v1/admin/customers/{customer_id}/tier", {"tier": tier, "reason": "business"})
        assert moved.status_code == 200, moved.text
    for asset, amount in (("USDT", usdt), ("BTC", btc)):
        if amount:
            deposit(server, customer, asset, amount)
    return customer, customer_id


def deposit(server, customer, asset: str, amount: str):
    address = customer.post("/v1/me/deposit-addresses", {"asset": asset}).json()["address"]
    return server.staff("operator-1").post("/v1/custody/deposits", {
        "asset": asset, "address": address, "amount": amount, "chain_tx_id": f"tx-{time.time_ns()}"})


def order(client, side: str, price: str, quantity: str) -> dict:
    placed = client.post("/v1/orders", {"symbol": BTC, "side": side, "type": "LIMIT", "price": price,
                                        "quantity": quantity})
    assert placed.status_code == 201, placed.text
    return placed.json()["order"]


def trade(seller, buyer, price: str = "100000.00", quantity: str = "0.0003") -> None:
    """`seller` rests an ask, `buyer` lifts it: one trade between exactly these two."""
    order(seller, "SELL", price, quantity)
    filled = order(buyer, "BUY", price, quantity)
    assert filled["status"] == "FILLED", filled


def surveillance_cases(server, customer_id: int) -> list[dict]:
    answer = server.staff("compliance-1").get("/v1/compliance/cases", customer_id=customer_id)
    assert answer.status_code == 200, answer.text
    return [case for case in answer.json()["cases"] if case["opened_by"] == "surveillance"]


def caught_up(server) -> None:
    watcher = server.staff("auditor-1")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status = watcher.get("/v1/surveillance/status").json()
        if status["analysed_sequence"] >= status["committed_sequence"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"surveillance did not catch up: {status}")


def cases_of(server, customer_id: int, rule: str, timeout_s: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in surveillance_cases(server, customer_id) if f"surveillance {rule}:" in c["summary"]]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {rule} case on {customer_id}: {surveillance_cases(server, customer_id)}")


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def test_normal_trading_between_unrelated_customers_opens_no_case(exchange_server):
    (a, a_id), (b, b_id), (c, c_id) = (onboard(exchange_server) for _ in range(3))
    for seller, buyer, price, quantity in ((a, b, "100000.00", "0.0002"), (b, c, "100010.00", "0.0005"),
                                          (c, a, "99990.00", "0.0001"), (a, c, "100005.00", "0.0004"),
                                          (b, a, "100000.00", "0.0003")):
        trade(seller, buyer, price, quantity)
    resting = order(a, "BUY", "99500.00", "0.0002")  # An ordinary order, cancelled: not spoofing.
    assert a.delete(f"/v1/orders/{resting['order_id']}").status_code == 200
    caught_up(exchange_server)
    assert [surveillance_cases(exchange_server, who) for who in (a_id, b_id, c_id)] == [[], [], []]


def test_two_customers_with_one_name_and_birth_date_trading_is_wash_trading(exchange_server):
    seller, seller_id = onboard(exchange_server, full_name="Batyr Wash", date_of_birth="1979-09-09")
    buyer, buyer_id = onboard(exchange_server, full_name="wash, BATYR", date_of_birth="1979-09-09")
    trade(seller, buyer)
    for account, other in ((seller_id, buyer_id), (buyer_id, seller_id)):
        [case] = cases_of(exchange_server, account, "wash_trading_shared_identity")
        assert f"with accounts {other}" in case["summary"]
        assert "name and date of birth" in case["summary"] and "Batyr" not in case["summary"]
        assert case["blocks_withdrawals"] is False and "suggested: restrict" in case["summary"]


def test_round_trips_between_one_pair_are_wash_trading(exchange_server):
    (a, a_id), (b, b_id) = onboard(exchange_server), onboard(exchange_server)
    for _ in range(3):
        trade(a, b, quantity="0.0004")
        trade(b, a, quantity="0.0004")
    for account in (a_id, b_id):
        [case] = cases_of(exchange_server, account, "wash_trading_round_trips")
        assert "3 round trips" in case["summary"]


def test_one_account_repeatedly_overpaying_another_is_trade_based_value_transfer(exchange_server):
    (payee, payee_id), (payer, payer_id) = onboard(exchange_server), onboard(exchange_server)
    for _ in range(3):
        trade(payee, payer, price="105000.00", quantity="0.0001")  # 5 % over the reference
    for account in (payer_id, payee_id):
        [case] = cases_of(exchange_server, account, "value_transfer_off_market_pair")
        assert f"from account {payer_id} to account {payee_id}" in case["summary"]


def test_many_accounts_selling_only_into_one_is_a_fan_in_on_the_collector(exchange_server):
    collector, collector_id = onboard(exchange_server, usdt="2000", btc="")
    sellers = [onboard(exchange_server, usdt="", btc="0.01") for _ in range(5)]
    for _ in range(2):
        for seller, _ in sellers:
            trade(seller, collector, quantity="0.0001")
    [case] = cases_of(exchange_server, collector_id, "value_transfer_fan_in")
    assert all(str(seller_id) in case["summary"] for _, seller_id in sellers)
    caught_up(exchange_server)
    assert all(surveillance_cases(exchange_server, seller_id) == [] for _, seller_id in sellers)


def test_large_orders_at_the_touch_cancelled_again_and_again_are_spoofing(exchange_server):
    spoofer, spoofer_id = onboard(exchange_server, usdt="3000")
    order_ids = []
    for _ in range(3):
        placed = order(spoofer, "BUY", "99950.00", "0.0100")  # 100 lots against a tape of 1-5 lot orders
        order_ids.append(placed["order_id"])
        assert spoofer.delete(f"/v1/orders/{placed['order_id']}").status_code == 200
    [case] = cases_of(exchange_server, spoofer_id, "spoofing_layering")
    assert all(str(order_id) in case["summary"] for order_id in order_ids)


def test_deposits_just_under_the_reporting_threshold_are_structuring(exchange_server):
    customer, customer_id = onboard(exchange_server, usdt="", btc="", tier=2)
    for _ in range(3):  # 2,750 USDT at 3.50 TMT = 9,625 TMT, under the 10,000 TMT threshold
        assert deposit(exchange_server, customer, "USDT", "2750").status_code == 200
    [case] = cases_of(exchange_server, customer_id, "structuring")
    assert "3 deposits each just under a threshold (10,000.00 TMT)" in case["summary"]


def test_withdrawals_just_under_the_reporting_threshold_are_structuring(exchange_server):
    customer, customer_id = onboard(exchange_server, usdt="9000", btc="", tier=2)  # 31,500 TMT: not "just under"
    officer = exchange_server.staff("compliance-1")
    policy = {"cooling_off_seconds": 0, "four_eyes_threshold_tmt": "100000", "reason": "scenario: no waiting"}
    assert officer.request("PUT", "/v1/admin/withdrawal-policy", policy).status_code == 200
    try:
        added = customer.post("/v1/me/withdrawal-addresses", {"asset": "USDT", "address": "ext-structuring-1",
                                                              "label": "mine"})
        assert added.status_code == 201, added.text
        for _ in range(3):
            requested = customer.post("/v1/me/withdrawals", {"asset": "USDT", "address": "ext-structuring-1",
                                                             "amount": "2750"})
            assert requested.status_code == 201, requested.text
    finally:
        officer.request("PUT", "/v1/admin/withdrawal-policy", {**policy, "cooling_off_seconds": 86_400,
                                                                "reason": "scenario over"})
    [case] = cases_of(exchange_server, customer_id, "structuring")
    assert "3 withdrawals each just under a threshold" in case["summary"]
    assert all(f"w{w['withdrawal_id']}" in case["summary"]
               for w in customer.get("/v1/me/withdrawals").json()["withdrawals"])


def test_reports_carry_a_content_hash_and_only_compliance_and_auditors_get_them(exchange_server):
    seller, seller_id = onboard(exchange_server, full_name="Reported Seller", date_of_birth="1970-07-07",
                                tier=2)
    buyer, buyer_id = onboard(exchange_server, full_name="reported seller", date_of_birth="1970-07-07")
    trade(seller, buyer, quantity="0.0002")
    assert deposit(exchange_server, seller, "USDT", "3000").status_code == 200  # 10,500 TMT: large
    [case] = cases_of(exchange_server, seller_id, "wash_trading_shared_identity")
    officer = exchange_server.staff("compliance-1")
    escalated = officer.post(f"/v1/compliance/cases/{case['case_id']}/escalate",
                             {"escalated_to": "FIU", "reason": "one person on both sides"})
    assert escalated.status_code == 200, escalated.text

    auditor = exchange_server.staff("auditor-1")
    trades = _download(auditor, "daily-trades", "json")
    mine = [row for row in trades["rows"] if {row["buyer_account_id"], row["seller_account_id"]} == {seller_id, buyer_id}]
    assert [(row["market"], row["price"], row["quantity"]) for row in mine] == [("BTC/USDT", "100000.00", "0.0002")]
    assert mine[0]["buyer_account_id"] == buyer_id and mine[0]["maker_fee_asset"] == "USDT"
    large = _download(auditor, "large-transactions", "json")
    assert [(row["customer_id"], row["amount"], row["value_tmt"]) for row in large["rows"]
            if row["customer_id"] == seller_id] == [(seller_id, "3000.000000", "10500.00")]
    sar = _download(officer, "suspicious-activity", "json")
    [filed] = [row for row in sar["rows"] if row["case_id"] == case["case_id"]]
    assert (filed["full_name"], filed["escalated_to"], filed["rule"]) == (
        "Reported Seller", "FIU", "wash_trading_shared_identity")
    register = _download(officer, "customer-register", "csv")
    assert f"\n{seller_id},Reported Seller,passport," in register and "verified by compliance-1" in register

    trader, _ = onboard(exchange_server)
    assert trader.get("/v1/reports/daily-trades", date=today()).status_code == 403
    assert exchange_server.staff("operator-1").get("/v1/reports/daily-trades", date=today()).status_code == 403
    assert auditor.get("/v1/reports/daily-trades", date="2026-02-30").status_code == 400
    assert auditor.get("/v1/reports/nonsense", date=today()).status_code == 404


def _download(client, name: str, fmt: str):
    answer = client.get(f"/v1/reports/{name}", date=today(), format=fmt)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Content-SHA256"] == hashlib.sha256(answer.content).hexdigest()
    if fmt == "csv":
        return answer.text
    document = json.loads(answer.content)
    rows = json.dumps(document["rows"], separators=(",", ":"), ensure_ascii=False).encode()
    assert document["rows_sha256"] == hashlib.sha256(rows).hexdigest()
    return document


def test_thresholds_are_read_by_staff_and_changed_by_operators_with_a_reason(exchange_server):
    auditor, operator = exchange_server.staff("auditor-1"), exchange_server.staff("operator-1")
    before = auditor.get("/v1/surveillance/thresholds").json()["thresholds"]
    assert before["wash_round_trips_min"] >= 1
    change = {"thresholds": {"spoof_cancels_min": 4}, "reason": "fewer false alarms on the new market"}
    assert auditor.request("PUT", "/v1/surveillance/thresholds", body=change).status_code == 403
    bad = operator.request("PUT", "/v1/surveillance/thresholds", body={"thresholds": {"spoof_cancels_min": 0},
                                                                     "reason": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "THRESHOLDS_INVALID")
    typo = operator.request("PUT", "/v1/surveillance/thresholds", body={"thresholds": {"spoof_cancel_min": 4},
                                                                      "reason": "x"})
    assert typo.status_code == 400
    changed = operator.request("PUT", "/v1/surveillance/thresholds", body=change)
    assert changed.status_code == 200, changed.text
    caught_up(exchange_server)
    after = auditor.get("/v1/surveillance/thresholds").json()["thresholds"]
    assert after == {**before, "spoof_cancels_min": 4}
    audit = auditor.get("/v1/audit/audit-log.jsonl")
    assert audit.status_code == 200 and "set_surveillance_thresholds" in audit.text
    restored = operator.request("PUT", "/v1/surveillance/thresholds",
                                body={"thresholds": before, "reason": "back to the defaults"})
    assert restored.status_code == 200


def test_a_restart_neither_loses_nor_repeats_cases(exchange_server):
    (a, a_id), (b, b_id) = onboard(exchange_server), onboard(exchange_server)
    for _ in range(3):
        trade(a, b, quantity="0.0006")
        trade(b, a, quantity="0.0006")
    cases_of(exchange_server, a_id, "wash_trading_round_trips")
    caught_up(exchange_server)
    before = {who: surveillance_cases(exchange_server, who) for who in (a_id, b_id)}
    exchange_server.stop()
    exchange_server.start()
    a, b = (KarakumClient(exchange_server.base_url, old.api_key, old.secret) for old in (a, b))
    exchange_server.clients += [a, b]
    caught_up(exchange_server)
    trade(a, b, quantity="0.0006")  # One more round trip in the same window: the same case, not a new one.
    trade(b, a, quantity="0.0006")
    caught_up(exchange_server)
    assert {who: surveillance_cases(exchange_server, who) for who in (a_id, b_id)} == before


def test_the_cli_writes_the_same_bytes_the_api_serves(exchange_server, tmp_path):
    (a, _), (b, _) = onboard(exchange_server), onboard(exchange_server)
    trade(a, b, quantity="0.0007")
    db_url = exchange_server.db_url or f"sqlite:///{exchange_server.data_dir / 'exchange.db'}"
    auditor = exchange_server.staff("auditor-1")
    for name, fmt in (("daily-trades", "csv"), ("customer-register", "json"), ("large-transactions", "csv")):
        served = auditor.get(f"/v1/reports/{name}", date=today(), format=fmt)
        out = tmp_path / f"{name}.{fmt}"
        done = subprocess.run([KARAKUM, "report", name, "--db", db_url, "--date", today(), "--format", fmt,
                               "--out", str(out)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes() == served.content
        assert done.stdout.split()[0] == served.headers["X-Content-SHA256"]
    bad = subprocess.run([KARAKUM, "report", "daily-trades", "--db", db_url, "--date", "2026-13-01",
                          "--out", str(tmp_path / "x")], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "calendar date" in bad.stderr
