"""Shared early-return checks: each returns a Refusal, or None when the rule holds."""
import re

from exchange.compliance.codes import ComplianceCode, KycStatus
from exchange.compliance.records import ComplianceBook, Customer
from exchange.compliance.results import Refusal, refuse

ACTOR_LENGTH_MAX = 100
TEXT_LENGTH_MAX = 2_000
_ASSET = re.compile(r"[A-Z0-9]{1,16}")


def actor_refusal(actor: str) -> Refusal | None:
    if not actor.strip() or len(actor) > ACTOR_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_ACTOR, f"actor must be a staff id of 1 to {ACTOR_LENGTH_MAX} characters")
    return None


def text_refusal(text: str, what: str = "reason") -> Refusal | None:
    """Officers must explain decisions: an empty or oversized reason is refused."""
    if not text.strip() or len(text) > TEXT_LENGTH_MAX:
        return refuse(ComplianceCode.REASON_REQUIRED, f"{what} must be 1 to {TEXT_LENGTH_MAX} characters")
    return None


def staff_refusal(actor: str, reason: str) -> Refusal | None:
    return actor_refusal(actor) or text_refusal(reason)


def asset_refusal(asset: str) -> Refusal | None:
    if not _ASSET.fullmatch(asset):
        return refuse(ComplianceCode.INVALID_ASSET, "asset must be 1 to 16 upper-case letters or digits")
    return None


def find_customer(book: ComplianceBook, customer_id: str) -> Customer | Refusal:
    customer = book.customers.get(customer_id)
    if customer is None:
        return refuse(ComplianceCode.CUSTOMER_NOT_FOUND, f"no customer {customer_id!r}")
    return customer


def active_refusal(customer: Customer) -> Refusal | None:
    """Trading, deposit addresses and withdrawals need a verified, not suspended, open customer."""
    if customer.kyc_status is KycStatus.VERIFIED:
        return None
    if customer.kyc_status is KycStatus.SUSPENDED:
        return refuse(ComplianceCode.CUSTOMER_SUSPENDED, "the customer is suspended")
    if customer.kyc_status is KycStatus.CLOSED:
        return refuse(ComplianceCode.CUSTOMER_CLOSED, "the customer account is closed")
    return refuse(ComplianceCode.KYC_REQUIRED, f"identity verification required (KYC is {customer.kyc_status.value})")


def transition_refusal(customer: Customer, action: str) -> Refusal:
    return refuse(ComplianceCode.KYC_TRANSITION_NOT_ALLOWED,
                  f"cannot {action} a customer whose KYC is {customer.kyc_status.value}")
