"""Sign-up, identity submission and verification: the road to KYC `verified`.

Screening hits at submission are NOT refused to the customer: the identity is
stored and a case opened silently (AML law forbids tipping a suspect off); it is
the officer's VerifyCustomer that is refused with SCREENING_HIT until the case
is closed as CLEARED. One person, one customer: a document number held by another
pending, verified or suspended customer is refused (DUPLICATE_IDENTITY); one
seen on a rejected or closed customer is accepted with an informational case,
so the officer reviewing the returning person sees the history.
"""
import datetime
import re

from exchange.compliance.cases import SYSTEM_ACTOR, open_case, raise_screening_case
from exchange.compliance.codes import CaseKind, ComplianceCode, KycStatus
from exchange.compliance.commands import SignUp, SubmitIdentity, VerifyCustomer
from exchange.compliance.defaults import MINIMUM_AGE_YEARS
from exchange.compliance.guards import find_customer, staff_refusal, transition_refusal
from exchange.compliance.countries import is_country_code
from exchange.compliance.identity import Identity, age_years, identity_problem, normalise_document_number, parse_date
from exchange.compliance.limits import NS_PER_DAY
from exchange.compliance.records import ComplianceBook, Customer
from exchange.compliance.results import Accepted, ComplianceResult, Refusal, refuse
from exchange.compliance.screening import screen

CUSTOMER_ID_LENGTH_MAX = 64
EMAIL_LENGTH_MAX = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_EPOCH = datetime.date(1970, 1, 1)
# Statuses in which a customer's document number still belongs to them.
_HOLDS_IDENTITY = (KycStatus.PENDING, KycStatus.VERIFIED, KycStatus.SUSPENDED)


def handle_sign_up(book: ComplianceBook, command: SignUp, sequence: int, timestamp_ns: int) -> ComplianceResult:
    email = command.email.strip().lower()
    if not command.customer_id or len(command.customer_id) > CUSTOMER_ID_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_CUSTOMER_ID,
                      f"customer id must be 1 to {CUSTOMER_ID_LENGTH_MAX} characters")
    if command.customer_id in book.customers:
        return refuse(ComplianceCode.CUSTOMER_EXISTS, f"customer {command.customer_id!r} already exists")
    if len(email) > EMAIL_LENGTH_MAX or not _EMAIL.fullmatch(email):
        return refuse(ComplianceCode.INVALID_EMAIL, "email address is not valid")
    if email in book.customer_by_email:
        return refuse(ComplianceCode.EMAIL_TAKEN, "email address is already registered")
    book.customers[command.customer_id] = Customer(
        customer_id=command.customer_id,
        email=email,
        kyc_status=KycStatus.PENDING,
        tier=book.policy.default_tier,
        signed_up_at_ns=timestamp_ns,
    )
    book.customer_by_email[email] = command.customer_id
    return Accepted(customer_id=command.customer_id, kyc_status=KycStatus.PENDING)


def handle_submit_identity(book: ComplianceBook, command: SubmitIdentity, sequence: int,
                           timestamp_ns: int) -> ComplianceResult:
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    if customer.kyc_status is not KycStatus.PENDING:
        return transition_refusal(customer, "submit identity")
    identity_or_refusal = _valid_identity(command, timestamp_ns)
    if isinstance(identity_or_refusal, Refusal):
        return identity_or_refusal
    identity = identity_or_refusal
    refusal = _duplicate_refusal(book, customer, identity)
    if refusal:
        return refusal
    if identity != customer.identity:
        customer.cleared_hit_keys = []  # Clearances were about the previous identity.
    customer.identity = identity
    holders = book.customers_by_document.setdefault(identity.document_number, [])
    if customer.customer_id not in holders:
        _flag_returning_identity(book, customer, holders, timestamp_ns)
        holders.append(customer.customer_id)
    hits = screen(book, identity, customer.cleared_hit_keys)
    if hits:
        raise_screening_case(book, customer, CaseKind.SCREENING_ONBOARDING, hits, timestamp_ns)
    # No case ids in the answer: it goes back to the customer, who must not learn of a hit.
    return Accepted(customer_id=customer.customer_id, kyc_status=customer.kyc_status)


def handle_verify_customer(book: ComplianceBook, command: VerifyCustomer, sequence: int,
                           timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    if customer.kyc_status is not KycStatus.PENDING:
        return transition_refusal(customer, "verify")
    if customer.identity is None:
        return refuse(ComplianceCode.IDENTITY_REQUIRED, "the customer has not submitted identity data")
    hits = screen(book, customer.identity, customer.cleared_hit_keys)
    if hits:
        case_ids = raise_screening_case(book, customer, CaseKind.SCREENING_ONBOARDING, hits, timestamp_ns)
        message = f"screening matched {len(hits)} time(s); see cases {list(case_ids)}"
        return refuse(ComplianceCode.SCREENING_HIT, message, case_ids=case_ids)
    customer.kyc_status = KycStatus.VERIFIED
    customer.verified_at_ns = timestamp_ns
    customer.status_reason = command.reason
    return Accepted(customer_id=customer.customer_id, kyc_status=customer.kyc_status)


def _duplicate_refusal(book: ComplianceBook, customer: Customer, identity: Identity) -> Refusal | None:
    for other_id in book.customers_by_document.get(identity.document_number, []):
        other = book.customers[other_id]
        if other_id == customer.customer_id or other.kyc_status not in _HOLDS_IDENTITY:
            continue
        if other.identity is not None and other.identity.document_number == identity.document_number:
            return refuse(ComplianceCode.DUPLICATE_IDENTITY, "this document already belongs to another customer")
    return None


def _flag_returning_identity(book: ComplianceBook, customer: Customer, holders: list[str], timestamp_ns: int) -> None:
    """A document seen on a rejected or closed customer is allowed, but the officer should know."""
    earlier = [book.customers[holder] for holder in holders]
    if not earlier:
        return
    history = "; ".join(f"{other.customer_id} ({other.kyc_status.value}: {other.status_reason})" for other in earlier)
    summary = f"document previously used by customer(s) {history}"
    open_case(book, customer, CaseKind.RETURNING_IDENTITY, summary, SYSTEM_ACTOR, timestamp_ns, [], False)


def _valid_identity(command: SubmitIdentity, timestamp_ns: int) -> Identity | Refusal:
    country = command.country.strip().upper()
    if not is_country_code(country):
        return refuse(ComplianceCode.INVALID_COUNTRY, "country of residence is not an ISO 3166-1 alpha-2 code")
    problem = identity_problem(command.full_name, command.document_number, country, command.date_of_birth)
    if problem:
        return refuse(ComplianceCode.INVALID_IDENTITY, problem)
    born = parse_date(command.date_of_birth)
    today = _EPOCH + datetime.timedelta(days=timestamp_ns // NS_PER_DAY)
    if born > today:
        return refuse(ComplianceCode.INVALID_IDENTITY, "date of birth is in the future")
    if age_years(born, today) < MINIMUM_AGE_YEARS:
        return refuse(ComplianceCode.UNDERAGE, f"customers must be at least {MINIMUM_AGE_YEARS} years old")
    return Identity(
        full_name=command.full_name.strip(),
        document_type=command.document_type,
        document_number=normalise_document_number(command.document_number),
        country=country,
        date_of_birth=command.date_of_birth,
    )

