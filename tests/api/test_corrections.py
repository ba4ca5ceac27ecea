"""Balance corrections over a real server: one operator proposes, a second approves, only operators reach them."""
import pytest

PATH = "/v1/admin/corrections"


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


def usdt_units(client) -> int:
    return next(r for r in client.get("/v1/me/balances").json()["balances"] if r["asset"] == "USDT")["available_units"]


def proposal(server, amount: str, **fields) -> dict:
    return {"customer_id": server.trader_id(0), "asset": "USDT", "amount": amount,
            "reason": "fee charged twice", "ticket": "OPS-17", **fields}


@pytest.fixture(scope="module")
def desk(exchange_server):
    return exchange_server, exchange_server.staff("operator-1"), exchange_server.staff("operator-2")


def test_only_operators_reach_the_correction_routes(desk):
    server, _, _ = desk
    for client in (server.trader(0), server.staff("auditor-1"), server.staff("compliance-1")):
        assert error_of(client.post(PATH, proposal(server, "-1")), 403) == "FORBIDDEN"
        assert error_of(client.get(PATH), 403) == "FORBIDDEN"
        assert error_of(client.get(f"{PATH}/1"), 403) == "FORBIDDEN"
        assert error_of(client.post(f"{PATH}/1/approve"), 403) == "FORBIDDEN"
        assert error_of(client.post(f"{PATH}/1/reject", {"reason": "no"}), 403) == "FORBIDDEN"


def test_the_balance_changes_only_when_a_second_operator_approves(desk):
    server, first, second = desk
    trader = server.trader(0)
    before = usdt_units(trader)
    proposed = first.post(PATH, proposal(server, "-1.5"))
    assert proposed.status_code == 201, proposed.text
    correction = proposed.json()
    assert (correction["status"], correction["proposer"], correction["approver"]) == ("proposed", "operator-1", None)
    assert (correction["amount"], correction["amount_units"]) == ("-1.500000", -1_500_000)
    path = f"{PATH}/{correction['correction_id']}"
    assert usdt_units(trader) == before
    assert error_of(first.post(f"{path}/approve"), 403) == "CORRECTION_SAME_APPROVER"
    assert usdt_units(trader) == before
    pending = [c["correction_id"] for c in second.get(PATH, status="proposed").json()["corrections"]]
    assert correction["correction_id"] in pending
    approved = second.post(f"{path}/approve")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approver"]) == ("applied", "operator-2")
    assert approved.json()["entry_id"]
    assert usdt_units(trader) == before - 1_500_000
    assert second.get(path).json() == approved.json()
    assert error_of(second.post(f"{path}/approve"), 409) == "CORRECTION_NOT_PENDING"
    assert error_of(first.post(f"{path}/reject", {"reason": "late"}), 409) == "CORRECTION_NOT_PENDING"
    assert usdt_units(trader) == before - 1_500_000
    log = server.staff("auditor-1").get("/v1/admin/audit-log", after_sequence=correction["correction_id"] - 1,
                                        limit=1000).json()["records"]
    ours = [(r["actor"], r["action"], r["payload"]["result"]) for r in log
            if r["action"].endswith("_correction") and r["sequence"] >= correction["correction_id"]]
    assert ours == [("operator-1", "propose_correction", "ok"),
                    ("operator-1", "approve_correction", "CORRECTION_SAME_APPROVER"),
                    ("operator-2", "approve_correction", "ok"),
                    ("operator-2", "approve_correction", "CORRECTION_NOT_PENDING"),
                    ("operator-1", "reject_correction", "CORRECTION_NOT_PENDING")]
    # The 1.5 USDT now in equity goes back by a credit, proposed by the other operator this time.
    refund = second.post(PATH, proposal(server, "1.5", reason="reverse OPS-17", ticket="OPS-18")).json()
    assert first.post(f"{PATH}/{refund['correction_id']}/approve").json()["status"] == "applied"
    assert usdt_units(trader) == before


def test_a_rejected_proposal_moves_nothing(desk):
    server, first, second = desk
    trader = server.trader(0)
    before = usdt_units(trader)
    correction_id = first.post(PATH, proposal(server, "-2")).json()["correction_id"]
    path = f"{PATH}/{correction_id}"
    assert error_of(second.post(f"{path}/reject", {}), 400) == "INVALID_REQUEST"
    rejected = second.post(f"{path}/reject", {"reason": "customer was right"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["rejected_by"]) == ("rejected", "operator-2")
    assert error_of(second.post(f"{path}/approve"), 409) == "CORRECTION_NOT_PENDING"
    assert usdt_units(trader) == before
    listed = first.get(PATH, status="rejected").json()["corrections"]
    assert correction_id in [c["correction_id"] for c in listed] and all(c["status"] == "rejected" for c in listed)


def test_bad_input_and_unknown_ids_are_refused(desk):
    server, first, second = desk
    assert error_of(first.post(PATH, proposal(server, "0")), 400) == "CORRECTION_INVALID"
    assert error_of(first.post(PATH, proposal(server, "0.0000001")), 400) == "AMOUNT_NOT_ON_UNIT"
    assert error_of(first.post(PATH, proposal(server, "1", asset="DOGE")), 404) == "ASSET_UNKNOWN"
    assert error_of(first.post(PATH, proposal(server, "1", customer_id=987_654)), 404) == "CUSTOMER_NOT_FOUND"
    assert error_of(first.post(PATH, proposal(server, "1", reason=" ")), 400) == "CORRECTION_INVALID"
    assert error_of(first.post(PATH, {"customer_id": 1}), 400) == "INVALID_REQUEST"
    assert error_of(first.get(PATH, status="lost"), 400) == "INVALID_REQUEST"
    assert error_of(first.get(f"{PATH}/999999"), 404) == "CORRECTION_UNKNOWN"
    assert error_of(second.post(f"{PATH}/999999/approve"), 404) == "CORRECTION_UNKNOWN"
    too_much = first.post(PATH, proposal(server, "-100000000")).json()["correction_id"]
    assert error_of(second.post(f"{PATH}/{too_much}/approve"), 422) == "INSUFFICIENT_FUNDS"
    assert first.get(f"{PATH}/{too_much}").json()["status"] == "proposed"
