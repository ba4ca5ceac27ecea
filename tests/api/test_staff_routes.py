"""Operator and compliance routes over a real server: happy paths, refusals, screening, markets, fees, deposits.

Each test makes its own customers (unique e-mails and documents), so the tests of
one module can share the server without depending on each other's order.
"""
import time
import uuid
from urllib.parse import quote

import pytest

from api.auth.signing import sign_native
from tests.api.signup import sign_up as polite_sign_up

CSV_HEADER = "name,date_of_birth,document_number,country\n"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def sign_up(server, country: str = "TM", full_name: str | None = None, date_of_birth: str = "1985-04-12",
            document_number: str | None = None):
    """A new customer who submitted identity data; returns (client, customer_id)."""
    answer = polite_sign_up(server, f"{unique('c')}@example.com")
    assert answer.status_code == 201, answer.text
    who = answer.json()
    client = server.client({"api_key": who["api_key"], "secret": who["secret"]})
    identity = {"full_name": full_name or unique("Person "), "document_type": "passport",
                "document_number": document_number or unique("P"), "country": country,
                "date_of_birth": date_of_birth}
    submitted = client.post("/v1/me/identity", identity)
    assert submitted.status_code == 200, submitted.text
    return client, who["customer_id"]


def verified_customer(server, **identity):
    client, customer_id = sign_up(server, **identity)
    verified = server.staff("compliance-1").post(f"/v1/admin/customers/{customer_id}/verify", {"reason": "docs ok"})
    assert verified.status_code == 200, verified.text
    return client, customer_id


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


def balance(client, asset: str) -> dict:
    return next(row for row in client.get("/v1/me/balances").json()["balances"] if row["asset"] == asset)


def test_customer_views_show_identity_only_to_compliance(exchange_server):
    operator, compliance = exchange_server.staff("operator-1"), exchange_server.staff("compliance-1")
    trader_id = exchange_server.trader_id(0)
    listed = operator.get("/v1/admin/customers", limit=1000).json()["customers"]
    mine = next(c for c in listed if c["customer_id"] == trader_id)
    assert mine["kyc_status"] == "verified" and mine["tier"] == 3
    assert "identity" not in mine and mine["email"].startswith("t***@")
    assert all("identity" not in c for c in listed)
    by_operator = operator.get(f"/v1/admin/customers/{trader_id}").json()
    assert "identity" not in by_operator and "***" in by_operator["email"]
    assert by_operator["tier_limits_tmt"]["daily_deposit"] == "2000000.00"
    by_compliance = compliance.get(f"/v1/admin/customers/{trader_id}").json()
    assert by_compliance["identity"]["document_number"] == "DEMO000001"
    assert by_compliance["email"] == "trader1@demo.karakum.example"
    verified_only = operator.get("/v1/admin/customers", status="pending").json()["customers"]
    assert all(c["kyc_status"] == "pending" for c in verified_only)
    assert error_of(operator.get("/v1/admin/customers/999999"), 404) == "CUSTOMER_NOT_FOUND"
    assert error_of(operator.get("/v1/admin/customers/abc"), 400) == "INVALID_REQUEST"
    assert error_of(operator.get("/v1/admin/customers", limit=0), 400) == "INVALID_REQUEST"
    assert error_of(exchange_server.trader(0).get("/v1/admin/customers"), 403) == "FORBIDDEN"
    assert exchange_server.client().get("/v1/admin/customers").status_code == 401


def test_kyc_decisions_account_status_and_tier(exchange_server):
    operator, compliance = exchange_server.staff("operator-1"), exchange_server.staff("compliance-1")
    client, customer_id = sign_up(exchange_server)
    path = f"/v1/admin/customers/{customer_id}"
    assert error_of(operator.post(f"{path}/verify", {"reason": "ok"}), 403) == "FORBIDDEN"
    assert error_of(compliance.post(f"{path}/verify", {}), 400) == "INVALID_REQUEST"
    assert error_of(compliance.post(f"{path}/verify", {"reason": " "}), 400) == "REASON_REQUIRED"
    assert error_of(compliance.post(f"{path}/verify", {"reason": "ok", "actor": "admin"}), 400) == "INVALID_REQUEST"
    assert error_of(compliance.post("/v1/admin/customers/999999/verify", {"reason": "ok"}), 404) == "CUSTOMER_NOT_FOUND"
    assert compliance.post(f"{path}/verify", {"reason": "passport checked"}).json()["kyc_status"] == "verified"
    assert error_of(compliance.post(f"{path}/verify", {"reason": "again"}), 409) == "KYC_TRANSITION_NOT_ALLOWED"
    assert error_of(compliance.post(f"{path}/suspend", {"reason": "x"}), 403) == "FORBIDDEN"
    assert operator.post(f"{path}/suspend", {"reason": "unusual activity"}).status_code == 200
    assert operator.get(path).json()["kyc_status"] == "suspended"
    refused = client.post("/v1/me/deposit-addresses", {"asset": "BTC"})
    assert error_of(refused, 403) == "CUSTOMER_SUSPENDED"
    assert operator.post(f"{path}/reinstate", {"reason": "explained"}).status_code == 200
    assert client.post("/v1/me/deposit-addresses", {"asset": "BTC"}).status_code == 200
    assert error_of(operator.post(f"{path}/tier", {"tier": 2, "reason": "x"}), 403) == "FORBIDDEN"
    assert error_of(compliance.post(f"{path}/tier", {"tier": 42, "reason": "x"}), 404) == "TIER_NOT_FOUND"
    assert compliance.post(f"{path}/tier", {"tier": 2, "reason": "enhanced checks"}).json()["tier"] == 2
    assert operator.get(path).json()["tier"] == 2
    assert operator.post(f"{path}/close", {"reason": "customer asked"}).status_code == 200
    assert operator.get(path).json()["kyc_status"] == "closed"
    _, rejected_id = sign_up(exchange_server)
    answer = compliance.post(f"/v1/admin/customers/{rejected_id}/reject", {"reason": "document forged"})
    assert answer.json()["kyc_status"] == "rejected"
    assert compliance.get(f"/v1/admin/customers/{rejected_id}").json()["status_reason"] == "document forged"


def test_restricted_list_upload_blocks_verification_and_opens_a_case(exchange_server):
    compliance, operator = exchange_server.staff("compliance-1"), exchange_server.staff("operator-1")
    listed_name = unique("Listed Person ")
    bad = _upload(compliance, "un-sanctions", CSV_HEADER + "Someone,1970-13-01,,\n")
    assert error_of(bad, 400) == "INVALID_CSV"
    assert "line 2" in bad.json()["message"] and bad.json()["details"]["line"] == 2
    assert error_of(_upload(operator, "un-sanctions", CSV_HEADER), 403) == "FORBIDDEN"
    loaded = _upload(compliance, "un-sanctions", CSV_HEADER + f"{listed_name},1980-02-03,,\nOther Name,,,\n")
    assert loaded.status_code == 200 and loaded.json()["entries"] == 2
    assert compliance.get("/v1/admin/restricted-parties").json()["lists"]["un-sanctions"] == 2
    client, customer_id = sign_up(exchange_server, full_name=listed_name, date_of_birth="1980-02-03")
    assert "case" not in client.get("/v1/me").text  # The customer is not tipped off.
    refused = compliance.post(f"/v1/admin/customers/{customer_id}/verify", {"reason": "ok"})
    assert error_of(refused, 403) == "SCREENING_HIT"
    cases = compliance.get("/v1/compliance/cases", customer_id=customer_id, status="open").json()["cases"]
    assert len(cases) == 1 and cases[0]["hits"][0]["list_name"] == "un-sanctions"
    case_path = f"/v1/compliance/cases/{cases[0]['case_id']}"
    assert compliance.post(f"{case_path}/annotate", {"note": "namesake, other birthplace"}).status_code == 200
    escalated = compliance.post(f"{case_path}/escalate", {"escalated_to": "head of compliance", "reason": "review"})
    assert escalated.json()["status"] == "escalated"
    closed = compliance.post(f"{case_path}/close", {"resolution": "cleared", "reason": "false positive"})
    assert closed.json()["status"] == "closed" and len(closed.json()["notes"]) == 3
    assert error_of(compliance.post(f"{case_path}/annotate", {"note": "late"}), 409) == "CASE_CLOSED"
    verified = compliance.post(f"/v1/admin/customers/{customer_id}/verify", {"reason": "cleared"})
    assert verified.json()["kyc_status"] == "verified"


def test_a_list_update_rescreens_verified_customers_and_blocks_their_withdrawals(exchange_server):
    compliance = exchange_server.staff("compliance-1")
    name = unique("Later Listed ")
    client, customer_id = verified_customer(exchange_server, full_name=name, date_of_birth="1975-06-07")
    loaded = _upload(compliance, "fiu-watchlist", CSV_HEADER + f"{name},1975-06-07,,\n")
    assert loaded.status_code == 200, loaded.text
    case_ids = loaded.json()["case_ids"]
    cases = compliance.get("/v1/compliance/cases", customer_id=customer_id).json()["cases"]
    assert [case["case_id"] for case in cases] == case_ids and cases[0]["kind"] == "screening_list_update"
    address = client.post("/v1/me/withdrawal-addresses", {"asset": "BTC", "address": "bc1own", "label": "own"})
    assert error_of(address, 403) == "COMPLIANCE_REVIEW"
    assert _upload(compliance, "fiu-watchlist", CSV_HEADER).json()["entries"] == 0
    assert "fiu-watchlist" not in compliance.get("/v1/admin/restricted-parties").json()["lists"]


def test_screening_rules_let_similar_names_match(exchange_server):
    compliance, operator = exchange_server.staff("compliance-1"), exchange_server.staff("operator-1")
    assert compliance.get("/v1/admin/restricted-parties").json()["name_match_min_score"] == 85  # A new exchange.
    rules = "/v1/admin/screening-rules"
    assert error_of(compliance.request("PUT", rules, {"name_match_min_score": 101, "reason": "x"}),
                    400) == "INVALID_SCREENING_RULES"
    assert error_of(operator.request("PUT", rules, {"name_match_min_score": 90, "reason": "x"}), 403) == "FORBIDDEN"
    suffix = uuid.uuid4().hex[:10]
    _, customer_id = verified_customer(exchange_server, full_name=f"Moammar Qadhafi {suffix}",
                                       date_of_birth="1942-06-07")
    changed = compliance.request("PUT", rules, {"name_match_min_score": 100, "reason": "equal names only"})
    assert changed.json() == {"name_match_min_score": 100, "case_ids": []}
    loaded = _upload(compliance, "similar-names", CSV_HEADER + f"Muammar Gaddafi {suffix},1942-06-07,,\n")
    assert loaded.json()["case_ids"] == []
    changed = compliance.request("PUT", rules, {"name_match_min_score": 85, "reason": "spelling variants"})
    (case_id,) = changed.json()["case_ids"]
    case = compliance.get(f"/v1/compliance/cases/{case_id}").json()
    assert case["customer_id"] == customer_id
    assert case["hits"][0]["matched_on"] == ["similar_name", "date_of_birth"] and case["hits"][0]["name_score"] >= 85
    assert _upload(compliance, "similar-names", CSV_HEADER).status_code == 200


def _upload(client, list_name: str, text: str):
    """POST a CSV body (KarakumClient sends JSON only), signed the same way."""
    path = f"/v1/admin/restricted-parties?list_name={quote(list_name)}"
    timestamp_ms = time.time_ns() // 1_000_000
    body = text.encode()
    headers = {"content-type": "text/csv", "X-KK-APIKEY": client.api_key, "X-KK-TIMESTAMP": str(timestamp_ms),
               "X-KK-SIGNATURE": sign_native(client.secret, timestamp_ms, "POST", path, body)}
    return client.http.request("POST", path, content=body, headers=headers)


def test_cases_by_hand_and_their_refusals(exchange_server):
    compliance, auditor = exchange_server.staff("compliance-1"), exchange_server.staff("auditor-1")
    _, customer_id = verified_customer(exchange_server)
    opened = compliance.post("/v1/compliance/cases", {"customer_id": customer_id, "summary": "structuring?",
                                                      "blocks_withdrawals": True})
    assert opened.status_code == 201 and opened.json()["opened_by"] == "compliance-1"
    case_id = opened.json()["case_id"]
    assert compliance.get(f"/v1/compliance/cases/{case_id}").json()["summary"] == "structuring?"
    assert error_of(compliance.get("/v1/compliance/cases/999999"), 404) == "CASE_NOT_FOUND"
    assert error_of(compliance.post("/v1/compliance/cases", {"customer_id": 999999, "summary": "x"}), 404) \
        == "CUSTOMER_NOT_FOUND"
    assert error_of(compliance.post(f"/v1/compliance/cases/{case_id}/close",
                                    {"resolution": "maybe", "reason": "x"}), 400) == "INVALID_REQUEST"
    assert error_of(auditor.get("/v1/compliance/cases"), 403) == "FORBIDDEN"
    closed = compliance.post(f"/v1/compliance/cases/{case_id}/close", {"resolution": "no_action", "reason": "ok"})
    assert closed.json()["closed_by"] == "compliance-1"


def test_restricted_jurisdiction_blocks_verification(exchange_server):
    compliance = exchange_server.staff("compliance-1")
    assert error_of(compliance.request("PUT", "/v1/admin/restricted-jurisdictions", {"countries": ["ZZ"]}),
                    400) == "INVALID_COUNTRY"
    answer = compliance.request("PUT", "/v1/admin/restricted-jurisdictions", {"countries": ["kp", "IR"]})
    assert answer.json()["countries"] == ["IR", "KP"]
    assert compliance.get("/v1/admin/restricted-parties").json()["restricted_jurisdictions"] == ["IR", "KP"]
    _, customer_id = sign_up(exchange_server, country="IR")
    refused = compliance.post(f"/v1/admin/customers/{customer_id}/verify", {"reason": "ok"})
    assert error_of(refused, 403) == "SCREENING_HIT"
    compliance.request("PUT", "/v1/admin/restricted-jurisdictions", {"countries": []})


def test_a_verified_document_cannot_open_a_second_customer(exchange_server):
    answer = exchange_server.client().post("/v1/signup", {"email": f"{unique('dup')}@example.com"}).json()
    client = exchange_server.client({"api_key": answer["api_key"], "secret": answer["secret"]})
    identity = {"full_name": "Demo Trader 1", "document_type": "passport", "document_number": "demo-000001",
                "country": "TM", "date_of_birth": "1990-01-01"}
    assert error_of(client.post("/v1/me/identity", identity), 409) == "DUPLICATE_IDENTITY"


def test_halt_refuses_orders_and_resume_reopens(exchange_server):
    operator, trader = exchange_server.staff("operator-1"), exchange_server.trader(0)
    order = {"symbol": "BTC-USDT", "side": "BUY", "type": "LIMIT", "price": "99000.00", "quantity": "0.0010"}
    assert error_of(exchange_server.staff("compliance-1").post("/v1/admin/markets/BTC-USDT/halt", {"reason": "x"}),
                    403) == "FORBIDDEN"
    assert error_of(operator.post("/v1/admin/markets/NOPE-USDT/halt", {"reason": "x"}), 404) == "INSTRUMENT_UNKNOWN"
    assert error_of(operator.post("/v1/admin/markets/BTC-USDT/pause", {"reason": "x"}), 404) == "NOT_FOUND"
    halted = operator.post("/v1/admin/markets/BTC-USDT/halt", {"reason": "incident 17"})
    assert halted.json()["market_state"] == "HALTED"
    assert error_of(trader.post("/v1/orders", order), 422) == "MARKET_HALTED"
    for action, market_state in (("cancel-only", "CANCEL_ONLY"), ("post-only", "POST_ONLY"), ("auction", "AUCTION")):
        changed = operator.post(f"/v1/admin/markets/BTC-USDT/{action}", {"reason": "drill"})
        assert changed.json()["market_state"] == market_state, changed.text
    assert error_of(trader.post("/v1/orders", {**order, "type": "MARKET", "price": None}), 422) \
        == "MARKET_AUCTION_LIMIT_ONLY"
    assert operator.post("/v1/admin/markets/BTC-USDT/resume", {"reason": "fixed"}).json()["market_state"] == "OPEN"
    placed = trader.post("/v1/orders", order)
    assert placed.status_code == 201, placed.text
    assert trader.delete(f"/v1/orders/{placed.json()['order']['order_id']}").status_code == 200
    log = exchange_server.staff("compliance-1").get("/v1/admin/audit-log", limit=1000).json()["records"]
    halt = [r for r in log if r["action"] == "change_market" and r["reason"] == "incident 17"]
    assert len(halt) == 1 and halt[0]["actor"] == "operator-1"


def test_list_a_market_then_delist_cancels_orders_and_releases_holds(exchange_server):
    operator, trader = exchange_server.staff("operator-1"), exchange_server.trader(0)
    code = "DOT"
    assert error_of(operator.post("/v1/admin/assets", {"code": code, "decimals": 8, "tmt_per_asset": 17}),
                    400) == "INVALID_REQUEST"
    assert operator.post("/v1/admin/assets", {"code": code, "decimals": 8, "tmt_per_asset": "17.50"}).status_code == 201
    assert error_of(operator.post("/v1/admin/assets", {"code": code, "decimals": 8, "tmt_per_asset": "1"}),
                    409) == "ASSET_EXISTS"
    market = {"base": code, "quote": "USDT", "tick_size": "0.001", "lot_size": "0.1", "min_quantity": "0.1",
              "max_quantity": "10000", "min_notional": "1", "price_band_bps": 2000, "reference_price": "5.000",
              "maker_fee_bps": 10, "taker_fee_bps": 20}
    assert error_of(operator.post("/v1/admin/markets", {**market, "lot_size": "0.000000001"}), 400) == "INVALID_REQUEST"
    assert error_of(operator.post("/v1/admin/markets", {**market, "base": "NOPE"}), 404) == "ASSET_UNKNOWN"
    assert error_of(operator.post("/v1/admin/markets", {**market, "tick_size": 0.001}), 400) == "INVALID_REQUEST"
    assert error_of(operator.post("/v1/admin/markets", {**market, "reference_price": "5.0001"}),
                    400) == "PRICE_NOT_ON_TICK"
    listed = operator.post("/v1/admin/markets", market)
    assert listed.status_code == 201, listed.text
    instrument = listed.json()["instrument"]
    assert listed.json()["symbol"] == "DOT-USDT" and instrument["base_units_per_lot"] == 10_000_000
    assert instrument["quote_units_per_tick_lot"] == 100 and instrument["min_notional_tick_lots"] == 10_000
    held_before = balance(trader, "USDT")["held_units"]
    placed = trader.post("/v1/orders", {"symbol": "DOT-USDT", "side": "BUY", "type": "LIMIT", "price": "4.500",
                                        "quantity": "10.0"})
    assert placed.status_code == 201, placed.text
    assert balance(trader, "USDT")["held_units"] == held_before + 45_000_000
    delisted = operator.post("/v1/admin/markets/DOT-USDT/delist", {"reason": "issuer wound up"})
    assert delisted.json()["delisted"] is True
    order = trader.get(f"/v1/orders/{placed.json()['order']['order_id']}").json()["order"]
    assert order["status"] == "CANCELLED"
    assert balance(trader, "USDT")["held_units"] == held_before
    assert error_of(operator.post("/v1/admin/markets/DOT-USDT/resume", {"reason": "x"}), 422) == "INSTRUMENT_INVALID"


def test_a_fee_change_applies_to_the_next_trade(exchange_server):
    operator = exchange_server.staff("operator-1")
    seller, buyer = exchange_server.trader(0), exchange_server.trader(1)
    assert error_of(operator.request("PUT", "/v1/admin/markets/ETH-USDT/fees",
                                     {"maker_fee_bps": 5000, "taker_fee_bps": 0}), 422) == "FEE_INVALID"
    assert error_of(exchange_server.staff("auditor-1").request("PUT", "/v1/admin/markets/ETH-USDT/fees",
                                                               {"maker_fee_bps": 0, "taker_fee_bps": 0}),
                    403) == "FORBIDDEN"
    fees = []
    for maker_bps, taker_bps in ((0, 50), (10, 20)):
        changed = operator.request("PUT", "/v1/admin/markets/ETH-USDT/fees",
                                   {"maker_fee_bps": maker_bps, "taker_fee_bps": taker_bps})
        assert changed.status_code == 200, changed.text
        assert seller.post("/v1/orders", {"symbol": "ETH-USDT", "side": "SELL", "type": "LIMIT",
                                          "price": "3500.00", "quantity": "1.0000"}).status_code == 201
        taken = buyer.post("/v1/orders", {"symbol": "ETH-USDT", "side": "BUY", "type": "LIMIT",
                                          "time_in_force": "IOC", "price": "3500.00", "quantity": "1.0000"})
        assert taken.status_code == 201, taken.text
        fill = taken.json()["fills"][0]
        fees.append((fill["fee_units"], fill["fee_asset"]))
    # Buyer (taker) pays in ETH: 1 ETH = 10**8 units; 50 bps then 20 bps.
    assert fees == [(500_000, "ETH"), (200_000, "ETH")]


def test_deposit_limit_and_idempotent_reports(exchange_server):
    operator = exchange_server.staff("operator-1")
    client, customer_id = verified_customer(exchange_server)  # Tier 1: 20,000 TMT a day.
    address = client.post("/v1/me/deposit-addresses", {"asset": "BTC"}).json()["address"]
    report = {"asset": "BTC", "address": address, "amount": "0.01", "chain_tx_id": unique("tx")}
    first = operator.post("/v1/custody/deposits", report)
    assert first.status_code == 200, first.text
    assert first.json()["customer_id"] == customer_id and first.json()["amount"] == "0.01000000"
    again = operator.post("/v1/custody/deposits", report)
    assert again.json() == first.json()
    assert balance(client, "BTC")["available_units"] == 1_000_000
    # 0.1 BTC is 35,000 TMT; 3,500 TMT of today's 20,000 are used.
    over = operator.post("/v1/custody/deposits", {**report, "amount": "0.1", "chain_tx_id": unique("tx")})
    assert error_of(over, 422) == "LIMIT_EXCEEDED"
    assert over.json()["details"]["remaining_daily_tmt_units"] == 1_650_000
    assert balance(client, "BTC")["available_units"] == 1_000_000
    fresh = {**report, "chain_tx_id": unique("tx")}
    assert error_of(operator.post("/v1/custody/deposits", {**fresh, "address": "kd1nowhere"}), 404) \
        == "ADDRESS_UNKNOWN"
    assert error_of(operator.post("/v1/custody/deposits", {**fresh, "amount": 0.01}), 400) == "INVALID_REQUEST"
    assert error_of(operator.post("/v1/custody/deposits", {**fresh, "amount": "0.000000001"}), 400) \
        == "AMOUNT_NOT_ON_UNIT"
    assert error_of(exchange_server.staff("compliance-1").post("/v1/custody/deposits", fresh), 403) == "FORBIDDEN"
    assert balance(client, "BTC")["available_units"] == 1_000_000


def test_capital_control_settings(exchange_server):
    compliance, operator = exchange_server.staff("compliance-1"), exchange_server.staff("operator-1")
    limits = {"daily_deposit_tmt": "100.50", "monthly_deposit_tmt": "1000", "daily_withdrawal_tmt": "100",
              "monthly_withdrawal_tmt": "1000"}
    assert error_of(compliance.request("PUT", "/v1/admin/tiers/7", {**limits, "daily_deposit_tmt": "1.001"}),
                    400) == "AMOUNT_NOT_ON_UNIT"
    assert error_of(compliance.request("PUT", "/v1/admin/tiers/7", {**limits, "daily_deposit_tmt": "5000"}),
                    400) == "INVALID_LIMITS"
    assert error_of(operator.request("PUT", "/v1/admin/tiers/7", limits), 403) == "FORBIDDEN"
    answer = compliance.request("PUT", "/v1/admin/tiers/7", limits).json()
    assert answer["daily_deposit_tmt"] == "100.50" and answer["daily_deposit_tmt_units"] == 10_050
    valuation = compliance.request("PUT", "/v1/admin/assets/ETH/valuation", {"tmt_per_asset": "12000", "reason": "r"})
    assert valuation.json()["tmt_units_per_asset"] == 1_200_000
    assert error_of(compliance.request("PUT", "/v1/admin/assets/NOPE/valuation", {"tmt_per_asset": "1", "reason": "r"}),
                    404) == "ASSET_UNKNOWN"
    policy = compliance.request("PUT", "/v1/admin/withdrawal-policy",
                                {"cooling_off_seconds": 3600, "four_eyes_threshold_tmt": "50000", "reason": "policy"})
    assert policy.json()["four_eyes_threshold_tmt_units"] == 5_000_000
    assert error_of(compliance.request("PUT", "/v1/admin/withdrawal-policy",
                                       {"cooling_off_seconds": 3600, "four_eyes_threshold_tmt": "1", "reason": ""}),
                    400) == "REASON_REQUIRED"


def test_staff_members_and_api_keys(exchange_server):
    admin, compliance = exchange_server.staff("admin"), exchange_server.staff("compliance-1")
    staff_id = unique("ops-")
    created = admin.post("/v1/admin/staff", {"staff_id": staff_id, "name": "New Operator", "role": "operator"})
    assert created.status_code == 201, created.text
    newcomer = exchange_server.client(created.json())
    assert newcomer.get("/v1/admin/customers", limit=1).status_code == 200
    assert error_of(admin.post("/v1/admin/staff", {"staff_id": staff_id, "name": "Other", "role": "auditor"}),
                    409) == "STAFF_EXISTS_WITH_DIFFERENT_FIELDS"
    assert error_of(admin.post("/v1/admin/staff", {"staff_id": "x", "name": "X", "role": "trader"}), 422) \
        == "ROLE_NOT_A_STAFF_ROLE"
    assert error_of(compliance.post("/v1/admin/staff", {"staff_id": "y", "name": "Y", "role": "auditor"}), 403) \
        == "FORBIDDEN"
    assert staff_id in [s["staff_id"] for s in admin.get("/v1/admin/staff").json()["staff"]]
    trader_id = exchange_server.trader_id(0)
    issued = admin.post("/v1/admin/api-keys", {"owner_kind": "customer", "owner_id": str(trader_id)})
    assert issued.status_code == 201 and issued.json()["role"] == "trader"
    extra = exchange_server.client(issued.json())
    assert extra.get("/v1/me").json()["customer_id"] == trader_id
    assert error_of(admin.post("/v1/admin/api-keys", {"owner_kind": "staff", "owner_id": "nobody"}), 404) \
        == "STAFF_NOT_FOUND"
    assert error_of(admin.post("/v1/admin/api-keys", {"owner_kind": "customer", "owner_id": "999999"}), 404) \
        == "CUSTOMER_NOT_FOUND"
    key_path = f"/v1/admin/api-keys/{issued.json()['api_key']}"
    assert error_of(admin.request("DELETE", key_path, {}), 400) == "INVALID_REQUEST"
    assert admin.request("DELETE", key_path, {"reason": "rotated"}).status_code == 200
    assert extra.get("/v1/me").status_code == 401
    assert error_of(admin.request("DELETE", key_path, {"reason": "again"}), 409) == "KEY_ALREADY_REVOKED"
    assert error_of(admin.request("DELETE", "/v1/admin/api-keys/nope", {"reason": "x"}), 404) == "KEY_NOT_FOUND"
    newcomer_key = created.json()["api_key"]
    assert newcomer.request("DELETE", f"/v1/admin/api-keys/{newcomer_key}", {"reason": "leaked"}).status_code == 200
    assert newcomer.get("/v1/admin/customers", limit=1).status_code == 401


def test_customers_revoke_only_their_own_keys(exchange_server):
    admin = exchange_server.staff("admin")
    owner_id, other = exchange_server.trader_id(0), exchange_server.trader(1)
    issued = admin.post("/v1/admin/api-keys", {"owner_kind": "customer", "owner_id": str(owner_id)}).json()
    spare = exchange_server.client(issued)
    path = f"/v1/me/api-keys/{issued['api_key']}"
    assert error_of(other.request("DELETE", path, {"reason": "not mine"}), 404) == "KEY_NOT_FOUND"
    assert spare.get("/v1/me").status_code == 200
    assert exchange_server.trader(0).request("DELETE", path, {"reason": "lost laptop"}).status_code == 200
    assert spare.get("/v1/me").status_code == 401


@pytest.mark.parametrize("route", ["/v1/admin/customers", "/v1/compliance/cases", "/v1/admin/withdrawals"])
def test_unsigned_requests_are_refused(exchange_server, route):
    assert exchange_server.client().get(route).status_code == 401
