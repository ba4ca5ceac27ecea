"""Identity data must never reach a log: every carrier masks it in repr/str/f-strings."""
import logging

from compliance_desk import Desk

from exchange.compliance import DocumentType, Identity, SignUp, SubmitIdentity

SECRETS = ("Gulshat", "Orazova", "X7Q991", "1988-11-23", "gulshat@example.com")


def assert_masked(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert not leaked, f"identity data leaked: {leaked} in {text!r}"


def submitted() -> SubmitIdentity:
    return SubmitIdentity(
        customer_id="c1",
        full_name="Gulshat Orazova",
        document_type=DocumentType.PASSPORT,
        document_number="X7Q991",
        country="TM",
        date_of_birth="1988-11-23",
    )


def test_identity_repr_masks_every_field():
    identity = Identity(full_name="Gulshat Orazova", document_type=DocumentType.PASSPORT,
                        document_number="X7Q991", country="TM", date_of_birth="1988-11-23")
    for text in (repr(identity), str(identity), f"{identity}", f"{identity!r}", repr([identity])):
        assert_masked(text)
        assert "TM" not in text
    assert "masked" in repr(identity)


def test_commands_and_customer_records_mask_identity_and_email():
    desk = Desk()
    sign_up = SignUp(customer_id="c1", email="gulshat@example.com")
    desk.ok(sign_up)
    desk.ok(submitted())
    customer = desk.compliance.customer("c1")
    assert customer.identity.full_name == "Gulshat Orazova"  # Staff still read it through the API.
    for text in (repr(sign_up), repr(submitted()), repr(customer), str(customer), f"{customer}"):
        assert_masked(text)


def test_logging_a_customer_writes_no_identity_data(caplog):
    desk = Desk()
    desk.ok(SignUp(customer_id="c1", email="gulshat@example.com"))
    desk.ok(submitted())
    with caplog.at_level(logging.INFO):
        logging.getLogger("karakum.test").info("customer %s submitted %r", desk.compliance.customer("c1"), submitted())
    assert caplog.text
    assert_masked(caplog.text)


def test_pretty_printers_get_masked_fields_too():
    desk = Desk()
    desk.ok(SignUp(customer_id="c1", email="gulshat@example.com"))
    desk.ok(submitted())
    customer = desk.compliance.customer("c1")
    for record in (customer, customer.identity, submitted(), SignUp(customer_id="c1", email="gulshat@example.com")):
        assert_masked(repr(list(record.__rich_repr__())))
