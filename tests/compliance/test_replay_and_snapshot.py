"""Replaying the journal rebuilds the same state; a snapshot restores it exactly."""
import msgspec
import pytest
from compliance_desk import OFFICER, SECOND_OFFICER, Desk

from exchange.compliance import (
    RISK_WARNING,
    ApproveWithdrawal,
    CaseResolution,
    CloseCase,
    CompleteWithdrawal,
    Compliance,
    ComplianceCommand,
    ComplianceResult,
    IssueDepositAddress,
    LoadRestrictedParties,
    RecordDeposit,
    RejectWithdrawal,
    RequestWithdrawal,
    RestrictedParty,
    SetRestrictedJurisdictions,
    SignUp,
    SuspendCustomer,
)


def busy_desk() -> Desk:
    """A journal touching every part of the state, refusals included."""
    desk = Desk()
    desk.ok(LoadRestrictedParties(actor=OFFICER, list_name="un", entries=[RestrictedParty(name="Ivan Petrov")]))
    desk.onboard("c1")
    desk.onboard("c2", country="DE")
    desk.sign_up("c3", full_name="Petrov Ivan")
    desk.do(SignUp(customer_id="c1", email="again@example.com"))
    desk.ok(IssueDepositAddress(customer_id="c1", asset="BTC"))
    desk.ok(RecordDeposit(customer_id="c1", value_tmt_units=150_000, chain_tx_id="in-1"))
    desk.whitelist("c1", "BTC", "bc1qmine")
    for value in (10_000, 20_000_000 // 10, 30):
        desk.do(RequestWithdrawal(customer_id="c1", asset="BTC", address="bc1qmine", amount_units=value,
                                  value_tmt_units=value))
    desk.ok(ApproveWithdrawal(actor=OFFICER, withdrawal_id=1))
    desk.ok(CompleteWithdrawal(actor=OFFICER, withdrawal_id=1, chain_tx_id="out-1"))
    desk.ok(RejectWithdrawal(actor=SECOND_OFFICER, withdrawal_id=2, reason="customer cancelled"))
    desk.ok(SetRestrictedJurisdictions(actor=OFFICER, countries=["DE"]))
    desk.ok(CloseCase(actor=OFFICER, case_id=1, resolution=CaseResolution.CONFIRMED, reason="true match"))
    desk.ok(SuspendCustomer(customer_id="c2", actor=OFFICER, reason="screening hit confirmed"))
    return desk


def replay(journal, compliance: Compliance) -> list[ComplianceResult]:
    """Through JSON, as the store keeps it, so the tagged union is exercised too."""
    decoder = msgspec.json.Decoder(ComplianceCommand)
    return [compliance.apply(decoder.decode(msgspec.json.encode(command)), sequence, timestamp_ns)
            for command, sequence, timestamp_ns in journal]


def test_replaying_the_journal_twice_gives_the_same_results_and_state_hash():
    desk = busy_desk()
    first, second = Compliance(), Compliance()
    assert replay(desk.journal, first) == replay(desk.journal, second)
    assert first.state_hash() == second.state_hash() == desk.compliance.state_hash()
    assert len(desk.compliance.cases()) == 2


def test_a_different_journal_gives_a_different_hash():
    desk = busy_desk()
    shorter = Compliance()
    replay(desk.journal[:-1], shorter)
    assert shorter.state_hash() != desk.compliance.state_hash()


@pytest.mark.parametrize("cut", [0, 7, 20])
def test_snapshot_then_replay_of_the_rest_equals_a_full_replay(cut):
    desk = busy_desk()
    head = Compliance()
    replay(desk.journal[:cut], head)
    restored = Compliance.restore(head.snapshot())
    assert restored.state_hash() == head.state_hash()
    replay(desk.journal[cut:], restored)
    assert restored.state_hash() == desk.compliance.state_hash()
    assert restored.customer("c3") == desk.compliance.customer("c3")


def test_a_sequence_going_backwards_is_a_bug_and_raises():
    compliance = Compliance()
    compliance.apply(SignUp(customer_id="c1", email="c1@example.com"), 5, 0)
    with pytest.raises(ValueError, match="out of order"):
        compliance.apply(SignUp(customer_id="c2", email="c2@example.com"), 4, 0)


def test_queries_return_copies():
    desk = busy_desk()
    before = desk.compliance.state_hash()
    desk.compliance.customer("c1").withdrawal_addresses.clear()
    desk.compliance.cases()[0].notes.clear()
    desk.compliance.withdrawal(1).approved_by.clear()
    assert desk.compliance.state_hash() == before


def test_the_risk_warning_says_what_the_law_requires():
    assert RISK_WARNING.startswith(
        "Virtual assets are not legal tender, not a means of payment and not backed by the state.")
