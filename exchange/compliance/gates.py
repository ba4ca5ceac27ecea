"""Read-only gates the sequencer calls BEFORE touching funds.

Each returns a Refusal or None and changes nothing; the matching command
(RecordDeposit, RequestWithdrawal) runs the same gate again when applied, so
a caller that skips the gate still cannot get past the rule.
Precedence: who the customer is, then the payment ban, then review, whitelist,
cooling-off, and last the limits (whose refusal carries the allowance left).
"""
from exchange.compliance.addresses import address_refusal, payment_refusal, whitelisted
from exchange.compliance.cases import blocking_case_ids
from exchange.compliance.codes import ComplianceCode, KycStatus
from exchange.compliance.guards import active_refusal, asset_refusal, find_customer
from exchange.compliance.limits import check_deposit, check_withdrawal, rolled
from exchange.compliance.records import ComplianceBook, LimitUsage
from exchange.compliance.results import Refusal, refuse

_EMPTY_USAGE = LimitUsage()


def can_trade(book: ComplianceBook, customer_id: str) -> Refusal | None:
    customer = find_customer(book, customer_id)
    if isinstance(customer, Refusal):
        return customer
    return active_refusal(customer)


def deposit_gate(book: ComplianceBook, customer_id: str, value_tmt_units: int, timestamp_ns: int) -> Refusal | None:
    """Suspended customers may still receive deposits: the funds arrive frozen, not lost."""
    customer = find_customer(book, customer_id)
    if isinstance(customer, Refusal):
        return customer
    if customer.kyc_status is KycStatus.CLOSED:
        return refuse(ComplianceCode.CUSTOMER_CLOSED, "the customer account is closed")
    if customer.kyc_status is not KycStatus.VERIFIED and customer.kyc_status is not KycStatus.SUSPENDED:
        return refuse(ComplianceCode.KYC_REQUIRED, "identity verification required before deposits")
    if value_tmt_units <= 0:
        return refuse(ComplianceCode.INVALID_AMOUNT, "deposit value must be positive")
    usage = rolled(book.usage.get(customer_id, _EMPTY_USAGE), timestamp_ns)
    return check_deposit(usage, book.tier_limits[customer.tier], value_tmt_units)


def withdrawal_gate(book: ComplianceBook, customer_id: str, asset: str, address: str, value_tmt_units: int,
                    timestamp_ns: int) -> Refusal | None:
    customer = find_customer(book, customer_id)
    if isinstance(customer, Refusal):
        return customer
    refusal = (
        active_refusal(customer)
        or asset_refusal(asset)
        or address_refusal(address)
        or payment_refusal(book, address)
    )
    if refusal:
        return refusal
    if value_tmt_units <= 0:
        return refuse(ComplianceCode.INVALID_AMOUNT, "withdrawal value must be positive")
    if blocking_case_ids(book, customer):
        return refuse(ComplianceCode.COMPLIANCE_REVIEW, "the account is under compliance review")
    entry = whitelisted(customer, asset, address)
    if entry is None:
        return refuse(ComplianceCode.ADDRESS_NOT_WHITELISTED, f"the address is not on the {asset} whitelist")
    if timestamp_ns < entry.usable_from_ns:
        return refuse(ComplianceCode.ADDRESS_COOLING_OFF, "the address is new and still in its cooling-off period",
                      usable_from_ns=entry.usable_from_ns)
    usage = rolled(book.usage.get(customer_id, _EMPTY_USAGE), timestamp_ns)
    return check_withdrawal(usage, book.tier_limits[customer.tier], value_tmt_units)
