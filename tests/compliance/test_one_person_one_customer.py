"""A document number may belong to one live customer only (DUPLICATE_IDENTITY)."""
from compliance_desk import OFFICER, Desk

from exchange.compliance import CloseCustomer, ComplianceCode, RejectCustomer, SignUp, VerifyCustomer


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


def test_document_is_freed_when_its_holder_is_rejected_or_closed():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(RejectCustomer(customer_id="c1", actor=OFFICER, reason="photo unreadable"))
    desk.sign_up("c2", document_number="AB123456")
    desk.ok(VerifyCustomer(customer_id="c2", actor=OFFICER, reason="documents checked"))
    desk.ok(CloseCustomer(customer_id="c2", actor=OFFICER, reason="customer left"))
    desk.onboard("c3", document_number="AB123456")


def test_a_document_given_up_by_resubmission_no_longer_counts():
    desk = Desk()
    desk.sign_up("c1", document_number="AB123456")
    desk.ok(desk.identity("c1", document_number="ZZ999"))
    desk.sign_up("c2", document_number="AB123456")

