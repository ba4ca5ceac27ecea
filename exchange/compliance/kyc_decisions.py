"""Officer decisions that move a customer between KYC states after onboarding.

pending -> rejected; verified -> suspended -> verified (reinstate); any but
closed -> closed, which frees the e-mail address for a new sign-up. Reinstating
does not re-screen: open screening cases keep blocking withdrawals until an
officer closes them.
"""
from exchange.compliance.codes import KycStatus
from exchange.compliance.commands import CloseCustomer, RejectCustomer, ReinstateCustomer, SuspendCustomer
from exchange.compliance.guards import find_customer, staff_refusal, transition_refusal
from exchange.compliance.records import ComplianceBook
from exchange.compliance.results import Accepted, ComplianceResult, Refusal

Decision = RejectCustomer | SuspendCustomer | ReinstateCustomer | CloseCustomer

# Command type -> (statuses it may start from, the status it leads to, verb for messages).
_TRANSITIONS = {
    RejectCustomer: ((KycStatus.PENDING,), KycStatus.REJECTED, "reject"),
    SuspendCustomer: ((KycStatus.VERIFIED,), KycStatus.SUSPENDED, "suspend"),
    ReinstateCustomer: ((KycStatus.SUSPENDED,), KycStatus.VERIFIED, "reinstate"),
    CloseCustomer: (
        (KycStatus.PENDING, KycStatus.VERIFIED, KycStatus.REJECTED, KycStatus.SUSPENDED),
        KycStatus.CLOSED,
        "close",
    ),
}


def handle_kyc_decision(book: ComplianceBook, command: Decision, sequence: int, timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    sources, target, verb = _TRANSITIONS[type(command)]
    if customer.kyc_status not in sources:
        return transition_refusal(customer, verb)
    customer.kyc_status = target
    customer.status_reason = command.reason
    if target is KycStatus.CLOSED:
        del book.customer_by_email[customer.email]  # The person may sign up again with it.
    return Accepted(customer_id=customer.customer_id, kyc_status=target)
