"""A document number may belong to one live customer only (DUPLICATE_IDENTITY)."""
from compliance_desk import OFFICER, Desk

from exchange.compliance import CaseKind, CloseCustomer, ComplianceCode, RejectCustomer, SignUp, VerifyCustomer


def test_document_of_a_verified_customer_is_refused_after_normalisation():
    desk = Desk()
    desk.onboard("c1", document_number="AB-123 456")
    desk.ok(SignUp(customer_id="c2", email="c2@example.com"))
    desk.refused(desk.identity("c2", document_number="ab123456"), ComplianceCode.DUPLICATE_IDENTITY)
    desk.refused(desk.identity("c2", document_number=" a b-1 2 3-4 5 6 "), ComplianceCode.DUPLICATE_IDENTITY)
    assert desk.compliance.customer("c2").identity is None


def test_document_pending_verification_elsewhere_is_refused():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(SignUp(customer_id="c2", email="c2@example.com"))
    desk.refused(desk.identity("c2", document_number="AB123456"), ComplianceCode.DUPLICATE_IDENTITY)


def test_a_different_document_is_accepted():
    desk = Desk()
    desk.onboard("c1", document_number="AB123456")
    desk.sign_up("c2", document_number="AB123457")
    assert desk.compliance.customer("c2").identity.document_number == "AB123457"


def test_resubmitting_ones_own_document_is_fine():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(desk.identity("c1", document_number="ab 123456", full_name="Corrected Name"))
    assert desk.compliance.customer("c1").identity.full_name == "Corrected Name"


def test_document_is_freed_when_its_holder_is_rejected_or_closed_and_the_officer_is_told():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(RejectCustomer(customer_id="c1", actor=OFFICER, reason="photo unreadable"))
    desk.sign_up("c2", document_number="AB123456")
    desk.ok(VerifyCustomer(customer_id="c2", actor=OFFICER, reason="documents checked"))
    desk.ok(CloseCustomer(customer_id="c2", actor=OFFICER, reason="customer left"))
    desk.onboard("c3", document_number="AB123456")
    (case,) = desk.compliance.cases(customer_id="c3")
    assert (case.kind, case.blocks_withdrawals) == (CaseKind.RETURNING_IDENTITY, False)
    assert case.summary == ("document previously used by customer(s) "
                            "c1 (rejected: photo unreadable); c2 (closed: customer left)")


def test_closing_frees_the_email_address():
    desk = Desk()
    desk.ok(SignUp(customer_id="c1", email="aman@example.com"))
    desk.ok(CloseCustomer(customer_id="c1", actor=OFFICER, reason="customer asked"))
    desk.ok(SignUp(customer_id="c2", email="aman@example.com"))
    assert desk.compliance.customer("c1").email == "aman@example.com"


def test_a_document_given_up_by_resubmission_no_longer_counts():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(desk.identity("c1", document_number="ZZ999"))
    desk.sign_up("c2", document_number="AB123456")

