"""KYC: pending -> verified -> suspended / closed, and rejected; nothing before verified."""
import pytest
from compliance_desk import OFFICER, Desk

from exchange.compliance import (
    AssignTier,
    CloseCustomer,
    ComplianceCode,
    IssueDepositAddress,
    KycStatus,
    ReinstateCustomer,
    RejectCustomer,
    SignUp,
    SuspendCustomer,
    VerifyCustomer,
)

DECISIONS = {
    "verify": VerifyCustomer,
    "reject": RejectCustomer,
    "suspend": SuspendCustomer,
    "reinstate": ReinstateCustomer,
    "close": CloseCustomer,
}


def decide(desk: Desk, verb: str, customer_id: str = "c1"):
    return desk.do(DECISIONS[verb](customer_id=customer_id, actor=OFFICER, reason=f"{verb} after review"))


def desk_with_customer_in(status: str) -> Desk:
    desk = Desk()
    desk.sign_up("c1")
    path = {"pending": [], "verified": ["verify"], "rejected": ["reject"], "suspended": ["verify", "suspend"],
            "closed": ["close"]}[status]
    for verb in path:
        decide(desk, verb)
    assert desk.compliance.customer("c1").kyc_status.value == status
    return desk


def test_sign_up_creates_a_pending_customer_on_the_default_tier():
    desk = Desk()
    result = desk.ok(SignUp(customer_id="c1", email=" Aman@Example.COM "))
    assert result.kyc_status is KycStatus.PENDING
    customer = desk.compliance.customer("c1")
    assert (customer.kyc_status, customer.tier, customer.email) == (KycStatus.PENDING, 1, "aman@example.com")


@pytest.mark.parametrize(
    ("status", "verb", "after"),
    [
        ("pending", "verify", "verified"),
        ("pending", "reject", "rejected"),
        ("pending", "close", "closed"),
        ("verified", "suspend", "suspended"),
        ("verified", "close", "closed"),
        ("suspended", "reinstate", "verified"),
        ("suspended", "close", "closed"),
        ("rejected", "close", "closed"),
    ],
)
def test_allowed_transitions(status, verb, after):
    desk = desk_with_customer_in(status)
    result = decide(desk, verb)
    assert result.kyc_status.value == after
    customer = desk.compliance.customer("c1")
    assert customer.kyc_status.value == after
    assert customer.status_reason == f"{verb} after review"


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        ("pending", "suspend"),
        ("pending", "reinstate"),
        ("verified", "verify"),
        ("verified", "reject"),
        ("verified", "reinstate"),
        ("rejected", "verify"),
        ("rejected", "suspend"),
        ("suspended", "verify"),
        ("suspended", "suspend"),
        ("closed", "verify"),
        ("closed", "reinstate"),
        ("closed", "close"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(status, verb):
    desk = desk_with_customer_in(status)
    before = desk.compliance.state_hash()
    result = decide(desk, verb)
    assert result.code is ComplianceCode.KYC_TRANSITION_NOT_ALLOWED
    assert desk.compliance.customer("c1").kyc_status.value == status
    assert desk.compliance.state_hash() == before


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_nothing_before_verification(status):
    desk = desk_with_customer_in(status)
    assert desk.compliance.check_can_trade("c1").code is ComplianceCode.KYC_REQUIRED
    assert desk.compliance.check_deposit("c1", 100, desk.now_ns).code is ComplianceCode.KYC_REQUIRED
    refusal = desk.compliance.check_withdrawal("c1", "BTC", "bc1qdest", 100, desk.now_ns)
    assert refusal.code is ComplianceCode.KYC_REQUIRED
    desk.refused(IssueDepositAddress(customer_id="c1", asset="BTC"), ComplianceCode.KYC_REQUIRED)


def test_verified_customer_may_trade():
    desk = desk_with_customer_in("verified")
    assert desk.compliance.check_can_trade("c1") is None


@pytest.mark.parametrize(
    ("status", "code"),
    [("suspended", ComplianceCode.CUSTOMER_SUSPENDED), ("closed", ComplianceCode.CUSTOMER_CLOSED)],
)
def test_suspended_and_closed_customers_cannot_trade_or_withdraw(status, code):
    desk = desk_with_customer_in(status)
    assert desk.compliance.check_can_trade("c1").code is code
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qdest", 100, desk.now_ns).code is code
    desk.refused(IssueDepositAddress(customer_id="c1", asset="BTC"), code)


def test_unknown_customer_is_refused_everywhere():
    desk = Desk()
    assert desk.compliance.check_can_trade("ghost").code is ComplianceCode.CUSTOMER_NOT_FOUND
    assert desk.compliance.check_deposit("ghost", 1, desk.now_ns).code is ComplianceCode.CUSTOMER_NOT_FOUND
    desk.refused(VerifyCustomer(customer_id="ghost", actor=OFFICER, reason="x"), ComplianceCode.CUSTOMER_NOT_FOUND)
    assert desk.compliance.customer("ghost") is None


def test_sign_up_refusals():
    desk = Desk()
    desk.ok(SignUp(customer_id="c1", email="aman@example.com"))
    desk.refused(SignUp(customer_id="c1", email="other@example.com"), ComplianceCode.CUSTOMER_EXISTS)
    desk.refused(SignUp(customer_id="c2", email="AMAN@example.com"), ComplianceCode.EMAIL_TAKEN)
    desk.refused(SignUp(customer_id="c2", email="not-an-email"), ComplianceCode.INVALID_EMAIL)
    desk.refused(SignUp(customer_id="", email="new@example.com"), ComplianceCode.INVALID_CUSTOMER_ID)


def test_identity_refusals():
    desk = Desk()
    desk.ok(SignUp(customer_id="c1", email="aman@example.com"))
    desk.refused(VerifyCustomer(customer_id="c1", actor=OFFICER, reason="x"), ComplianceCode.IDENTITY_REQUIRED)
    desk.refused(desk.identity("c1", country="XX"), ComplianceCode.INVALID_COUNTRY)
    desk.refused(desk.identity("c1", date_of_birth="17/05/1990"), ComplianceCode.INVALID_IDENTITY)
    desk.refused(desk.identity("c1", date_of_birth="1990-02-30"), ComplianceCode.INVALID_IDENTITY)
    desk.refused(desk.identity("c1", date_of_birth="2099-01-01"), ComplianceCode.INVALID_IDENTITY)
    desk.refused(desk.identity("c1", date_of_birth="2010-01-01"), ComplianceCode.UNDERAGE)
    desk.refused(desk.identity("c1", document_number=" -- "), ComplianceCode.INVALID_IDENTITY)
    desk.refused(desk.identity("c1", full_name=" ,. "), ComplianceCode.INVALID_IDENTITY)
    assert desk.compliance.customer("c1").identity is None
    desk.ok(desk.identity("c1", country="tm"))
    assert desk.compliance.customer("c1").identity.country == "TM"


def test_identity_can_only_be_submitted_while_pending():
    desk = desk_with_customer_in("verified")
    desk.refused(desk.identity("c1", full_name="Someone Else"), ComplianceCode.KYC_TRANSITION_NOT_ALLOWED)


def test_staff_decisions_need_an_actor_and_a_reason():
    desk = desk_with_customer_in("pending")
    desk.refused(VerifyCustomer(customer_id="c1", actor="", reason="ok"), ComplianceCode.INVALID_ACTOR)
    desk.refused(VerifyCustomer(customer_id="c1", actor=OFFICER, reason="  "), ComplianceCode.REASON_REQUIRED)
    desk.refused(SuspendCustomer(customer_id="c1", actor=OFFICER, reason=""), ComplianceCode.REASON_REQUIRED)


def test_tier_of_follows_tier_assignment():
    desk = desk_with_customer_in("verified")
    assert desk.compliance.tier_of("c1") == 1
    desk.ok(AssignTier(actor=OFFICER, customer_id="c1", tier=3, reason="enhanced due diligence"))
    assert desk.compliance.tier_of("c1") == 3
    assert desk.compliance.tier_of("ghost") is None
