"""Balance corrections by four eyes at the venue: propose, approve by another operator, or reject."""
import msgspec

from exchange import commands as c
from exchange import snapshots
from exchange.funding import CorrectionStatus
from exchange.results import Accepted, Refused
from ledger.accounts import EXCHANGE_EQUITY
from tests.exchange.venue_setup import VenueDriver, commands_of

USDT = 10**6
ANN, BOB = "staff:ann", "staff:bob"


def funded_customer():
    driver = VenueDriver()
    driver.market()
    customer = driver.customer("carol@example.tm", "CC3333333")
    driver.fund(customer, "USDT", 1_000 * USDT, "tx-carol")
    return driver, customer


def propose(driver, customer, amount_units, actor=ANN, **fields):
    command = c.ProposeCorrection(actor=actor, customer_id=customer, asset=fields.pop("asset", "USDT"),
                                  amount_units=amount_units, reason=fields.pop("reason", "duplicate credit"),
                                  ticket=fields.pop("ticket", "T-1"))
    return driver.result(command)


def test_approval_by_another_operator_posts_exactly_one_entry():
    driver, customer = funded_customer()
    ledger = driver.venue.ledger
    proposed = propose(driver, customer, -5 * USDT)
    proposal = proposed.data["correction"]
    assert (proposal.correction_id, proposal.status, proposal.proposed_by) == (driver.sequence, "proposed", ANN)
    assert ledger.available(customer, "USDT") == 1_000 * USDT
    approved = driver.apply(c.ApproveCorrection(actor=BOB, correction_id=proposal.correction_id))
    [entry] = approved.entries
    assert (entry.kind, entry.approvers, entry.reason, entry.cause) == ("correction", (ANN, BOB),
                                                                         "duplicate credit", "T-1")
    decided = approved.result.data["correction"]
    assert (decided.status, decided.decided_by, decided.entry_id) == ("applied", BOB, entry.entry_id)
    assert ledger.available(customer, "USDT") == 995 * USDT
    assert ledger.account_balance(EXCHANGE_EQUITY, "USDT") == 5 * USDT
    assert approved.balances == [(customer, "USDT", 995 * USDT, 0)]
    # Equity now holds 5 USDT, so a credit back to the customer keeps custody covered.
    credit = propose(driver, customer, 5 * USDT, actor=BOB, ticket="T-2").data["correction"]
    assert type(driver.result(c.ApproveCorrection(actor=ANN, correction_id=credit.correction_id))) is Accepted
    assert ledger.available(customer, "USDT") == 1_000 * USDT
    assert proposal.status == "proposed"  # The first answer is not changed by the later decision.


def test_the_proposer_cannot_approve_and_a_decision_is_taken_once():
    driver, customer = funded_customer()
    correction_id = propose(driver, customer, -USDT).data["correction"].correction_id
    same = driver.result(c.ApproveCorrection(actor=ANN, correction_id=correction_id))
    assert (type(same), same.code) == (Refused, "CORRECTION_SAME_APPROVER")
    assert type(driver.result(c.ApproveCorrection(actor=BOB, correction_id=correction_id))) is Accepted
    for command in (c.ApproveCorrection(actor="staff:cid", correction_id=correction_id),
                    c.RejectCorrection(actor=BOB, correction_id=correction_id, reason="too late")):
        outcome = driver.apply(command)
        assert outcome.result.code == "CORRECTION_NOT_PENDING" and not outcome.entries
    assert driver.venue.ledger.available(customer, "USDT") == 999 * USDT
    unknown = driver.result(c.ApproveCorrection(actor=BOB, correction_id=999))
    assert unknown.code == "CORRECTION_UNKNOWN"
    assert driver.result(c.RejectCorrection(actor=BOB, correction_id=999, reason="x")).code == "CORRECTION_UNKNOWN"


def test_a_rejection_changes_no_balance_and_closes_the_proposal():
    driver, customer = funded_customer()
    correction_id = propose(driver, customer, -USDT).data["correction"].correction_id
    assert driver.result(c.RejectCorrection(actor=BOB, correction_id=correction_id, reason=" ")).code == \
        "CORRECTION_INVALID"
    rejected = driver.apply(c.RejectCorrection(actor=ANN, correction_id=correction_id, reason="wrong ticket"))
    decided = rejected.result.data["correction"]
    assert (decided.status, decided.decided_by, decided.rejection_reason) == ("rejected", ANN, "wrong ticket")
    assert not rejected.entries
    assert driver.venue.ledger.available(customer, "USDT") == 1_000 * USDT
    assert driver.result(c.ApproveCorrection(actor=BOB, correction_id=correction_id)).code == \
        "CORRECTION_NOT_PENDING"
    funding = driver.venue.funding
    assert [p.correction_id for p in funding.correction_list(CorrectionStatus.REJECTED)] == [correction_id]
    assert funding.correction_list(CorrectionStatus.PROPOSED) == []


def test_a_bad_proposal_is_refused_and_recorded_nowhere():
    driver, customer = funded_customer()
    assert propose(driver, customer, 0).code == "CORRECTION_INVALID"
    assert propose(driver, customer, USDT, reason="  ").code == "CORRECTION_INVALID"
    assert propose(driver, customer, USDT, ticket="").code == "CORRECTION_INVALID"
    assert propose(driver, customer, USDT, asset="DOGE").code == "ASSET_UNKNOWN"
    assert propose(driver, 424_242, USDT).code == "CUSTOMER_NOT_FOUND"
    assert driver.venue.funding.corrections == {}


def test_a_debit_beyond_the_available_balance_is_refused_at_approval_and_stays_pending():
    driver, customer = funded_customer()
    correction_id = propose(driver, customer, -2_000 * USDT).data["correction"].correction_id
    outcome = driver.apply(c.ApproveCorrection(actor=BOB, correction_id=correction_id))
    assert outcome.result.code == "INSUFFICIENT_FUNDS" and not outcome.entries
    assert driver.venue.funding.correction(correction_id).status == "proposed"
    assert driver.venue.ledger.available(customer, "USDT") == 1_000 * USDT


def test_staff_actions_land_in_the_audit_log_with_the_correction_as_target():
    driver, customer = funded_customer()
    proposed = driver.apply(c.ProposeCorrection(actor=ANN, customer_id=customer, asset="USDT", amount_units=-USDT,
                                                reason="duplicate credit", ticket="T-1"))
    correction_id = proposed.result.data["correction"].correction_id
    approved = driver.apply(c.ApproveCorrection(actor=BOB, correction_id=correction_id))
    assert [(r.actor, r.action, r.target, r.reason) for r in proposed.audit + approved.audit] == [
        (ANN, "propose_correction", str(customer), "duplicate credit"),
        (BOB, "approve_correction", str(correction_id), ""),
    ]


def test_a_snapshot_keeps_a_pending_proposal_and_the_state_hash():
    driver, customer = funded_customer()
    before = driver.venue.state_hash()
    correction_id = propose(driver, customer, -USDT).data["correction"].correction_id
    assert driver.venue.state_hash() != before  # The proposal is part of the state.
    restored = snapshots.restore(snapshots.encode(driver.venue))
    assert restored.state_hash() == driver.venue.state_hash()
    assert restored.funding.correction(correction_id) == driver.venue.funding.correction(correction_id)
    approve = c.ApproveCorrection(actor=BOB, correction_id=correction_id)
    live = driver.apply(approve)
    again = restored.apply(approve, driver.sequence, driver.timestamp_ns)
    assert again.entries == live.entries
    assert restored.state_hash() == driver.venue.state_hash()


def test_a_snapshot_taken_before_corrections_existed_still_restores():
    driver, _ = funded_customer()
    fields = msgspec.msgpack.decode(snapshots.encode(driver.venue))
    del fields["corrections"]
    restored = snapshots.restore(msgspec.msgpack.encode(fields))
    assert restored.state_hash() == driver.venue.state_hash()
    assert restored.funding.corrections == {}


def test_replaying_the_journal_gives_the_same_state_hash():
    driver, customer = funded_customer()
    first = propose(driver, customer, -3 * USDT).data["correction"].correction_id
    driver.result(c.ApproveCorrection(actor=ANN, correction_id=first))  # refused: same approver
    driver.result(c.ApproveCorrection(actor=BOB, correction_id=first))
    second = propose(driver, customer, 2 * USDT, actor=BOB).data["correction"].correction_id
    driver.result(c.RejectCorrection(actor=ANN, correction_id=second, reason="not needed"))
    propose(driver, customer, -USDT, ticket="T-3")  # left pending
    replayed = VenueDriver()
    for command in commands_of(driver):
        replayed.apply(command)
    assert replayed.venue.state_hash() == driver.venue.state_hash()
    assert [p.status for p in replayed.venue.funding.correction_list()] == ["applied", "rejected", "proposed"]
