"""Withdrawals over a real server: whitelist and cooling-off, the payment ban, four eyes, completion, rejection.

The demo BTC valuation is 350,000 TMT per BTC; the policy below sets a 1,000 TMT
four-eyes threshold, so 0.001 BTC (350 TMT) needs one approval and 0.01 BTC
(3,500 TMT) needs two different approvers.
"""
import time
import uuid

import pytest

COOLING_OFF_SECONDS = 2


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


def btc(client) -> tuple[int, int]:
    row = next(r for r in client.get("/v1/me/balances").json()["balances"] if r["asset"] == "BTC")
    return row["available_units"], row["pending_withdrawal_units"]


def custody_btc_units(server) -> int:
    accounts = server.staff("auditor-1").get("/v1/audit/trial-balance").json()["assets"]["BTC"]["accounts"]
    return -int(accounts["custody:hot"]["balance_units"])


def whitelist(client) -> str:
    address = f"bc1ext{uuid.uuid4().hex[:20]}"
    added = client.post("/v1/me/withdrawal-addresses", {"asset": "BTC", "address": address, "label": "own wallet"})
    assert added.status_code == 201, added.text
    return address


@pytest.fixture(scope="module")
def desk(exchange_server):
    """Short cooling-off and a 1,000 TMT threshold; one address of trader 0 already past its cooling-off."""
    policy = {"cooling_off_seconds": COOLING_OFF_SECONDS, "four_eyes_threshold_tmt": "1000", "reason": "test desk"}
    answer = exchange_server.staff("compliance-1").request("PUT", "/v1/admin/withdrawal-policy", policy)
    assert answer.status_code == 200, answer.text
    address = whitelist(exchange_server.trader(0))
    time.sleep(COOLING_OFF_SECONDS + 0.2)
    return exchange_server, address


def test_a_new_address_waits_for_its_cooling_off(desk):
    server, _ = desk
    trader, operator = server.trader(0), server.staff("operator-1")
    address = whitelist(trader)
    listed = {a["address"]: a for a in trader.get("/v1/me/withdrawal-addresses").json()["addresses"]}
    assert listed[address]["usable"] is False
    request = {"asset": "BTC", "address": address, "amount": "0.001"}
    early = trader.post("/v1/me/withdrawals", request)
    assert error_of(early, 422) == "ADDRESS_COOLING_OFF"
    assert early.json()["details"]["usable_from_ns"] // 1_000_000 == listed[address]["usable_from_ms"]
    unknown = trader.post("/v1/me/withdrawals", {**request, "address": "bc1neverwhitelisted"})
    assert error_of(unknown, 422) == "ADDRESS_NOT_WHITELISTED"
    time.sleep(COOLING_OFF_SECONDS + 0.2)
    accepted = trader.post("/v1/me/withdrawals", request)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "pending_approval" and accepted.json()["approvals_required"] == 1
    withdrawal_id = accepted.json()["withdrawal_id"]
    approved = operator.post(f"/v1/admin/withdrawals/{withdrawal_id}/approve")
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == ["operator-1"]
    done = operator.post(f"/v1/admin/withdrawals/{withdrawal_id}/complete", {"chain_tx_id": f"tx{uuid.uuid4().hex}"})
    assert done.json()["status"] == "completed"


def test_withdrawing_to_another_customers_deposit_address_is_a_payment(desk):
    server, _ = desk
    payer, payee = server.trader(0), server.trader(1)
    deposit_address = payee.post("/v1/me/deposit-addresses", {"asset": "BTC"}).json()["address"]
    for candidate in (deposit_address, deposit_address.upper()):
        added = payer.post("/v1/me/withdrawal-addresses", {"asset": "BTC", "address": candidate, "label": "friend"})
        assert error_of(added, 403) == "PAYMENT_PROHIBITED"
        sent = payer.post("/v1/me/withdrawals", {"asset": "BTC", "address": candidate, "amount": "0.001"})
        assert error_of(sent, 403) == "PAYMENT_PROHIBITED"


def test_above_the_threshold_two_different_operators_must_approve(desk):
    server, address = desk
    trader = server.trader(0)
    first, second = server.staff("operator-1"), server.staff("operator-2")
    available, pending = btc(trader)
    custody = custody_btc_units(server)
    requested = trader.post("/v1/me/withdrawals", {"asset": "BTC", "address": address, "amount": "0.01"})
    assert requested.status_code == 201, requested.text
    assert requested.json()["approvals_required"] == 2
    assert btc(trader) == (available - 1_000_000, pending + 1_000_000)
    path = f"/v1/admin/withdrawals/{requested.json()['withdrawal_id']}"
    assert error_of(server.staff("compliance-1").post(f"{path}/approve"), 403) == "FORBIDDEN"
    assert error_of(server.staff("auditor-1").post(f"{path}/approve"), 403) == "FORBIDDEN"
    assert error_of(trader.post(f"{path}/approve"), 403) == "FORBIDDEN"
    once = first.post(f"{path}/approve")
    assert once.json()["status"] == "pending_approval" and once.json()["approved_by"] == ["operator-1"]
    assert error_of(first.post(f"{path}/approve"), 409) == "SAME_APPROVER"
    chain_tx = f"tx{uuid.uuid4().hex}"
    assert error_of(first.post(f"{path}/complete", {"chain_tx_id": chain_tx}), 422) == "WITHDRAWAL_NOT_APPROVED"
    twice = second.post(f"{path}/approve")
    assert twice.json()["status"] == "approved" and twice.json()["approved_by"] == ["operator-1", "operator-2"]
    assert btc(trader) == (available - 1_000_000, pending + 1_000_000)
    assert error_of(first.post(f"{path}/complete", {}), 400) == "INVALID_REQUEST"
    done = first.post(f"{path}/complete", {"chain_tx_id": chain_tx})
    assert done.json()["status"] == "completed" and done.json()["chain_tx_id"] == chain_tx
    assert btc(trader) == (available - 1_000_000, pending)
    assert custody_btc_units(server) == custody - 1_000_000
    assert error_of(first.post(f"{path}/complete", {"chain_tx_id": "other"}), 409) == "WITHDRAWAL_NOT_PENDING"
    log = server.staff("auditor-1").get("/v1/admin/audit-log", limit=1000).json()["records"]
    approvals = [r["actor"] for r in log if r["action"] == "approve_withdrawal"
                 and r["target"] == str(requested.json()["withdrawal_id"]) and r["payload"]["result"] == "ok"]
    assert approvals == ["operator-1", "operator-2"]


def test_a_rejection_returns_the_funds(desk):
    server, address = desk
    trader, operator = server.trader(0), server.staff("operator-2")
    available, pending = btc(trader)
    requested = trader.post("/v1/me/withdrawals", {"asset": "BTC", "address": address, "amount": "0.002"})
    assert requested.status_code == 201, requested.text
    withdrawal_id = requested.json()["withdrawal_id"]
    assert btc(trader) == (available - 200_000, pending + 200_000)
    path = f"/v1/admin/withdrawals/{withdrawal_id}"
    assert error_of(operator.post(f"{path}/reject", {}), 400) == "INVALID_REQUEST"
    assert error_of(operator.post(f"{path}/reject", {"reason": ""}), 400) == "REASON_REQUIRED"
    rejected = operator.post(f"{path}/reject", {"reason": "customer could not confirm the request"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejected_by"] == "operator-2"
    assert btc(trader) == (available, pending)
    assert error_of(operator.post(f"{path}/approve"), 409) == "WITHDRAWAL_NOT_PENDING"
    assert error_of(operator.post("/v1/admin/withdrawals/999999/approve"), 404) == "WITHDRAWAL_NOT_FOUND"
    assert error_of(operator.get("/v1/admin/withdrawals/999999"), 404) == "WITHDRAWAL_NOT_FOUND"
    listed = operator.get("/v1/admin/withdrawals", status="rejected").json()["withdrawals"]
    assert withdrawal_id in [w["withdrawal_id"] for w in listed]
    assert all(w["status"] == "rejected" for w in listed)
    assert error_of(operator.get("/v1/admin/withdrawals", status="lost"), 400) == "INVALID_REQUEST"
    mine = trader.get("/v1/me/withdrawals").json()["withdrawals"]
    assert next(w for w in mine if w["withdrawal_id"] == withdrawal_id)["status"] == "rejected"


def test_a_removed_address_is_no_longer_a_destination(desk):
    server, address = desk
    trader = server.trader(0)
    removed = trader.delete("/v1/me/withdrawal-addresses", asset="BTC", address=address)
    assert removed.status_code == 200, removed.text
    listed = [a["address"] for a in trader.get("/v1/me/withdrawal-addresses").json()["addresses"]]
    assert address not in listed
    refused = trader.post("/v1/me/withdrawals", {"asset": "BTC", "address": address, "amount": "0.001"})
    assert error_of(refused, 422) == "ADDRESS_NOT_WHITELISTED"
    again = trader.delete("/v1/me/withdrawal-addresses", asset="BTC", address=address)
    assert again.status_code >= 400 and again.status_code < 500
