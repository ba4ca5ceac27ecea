"""Stable wire vocabularies of the compliance domain.

Every enum here is a wire contract (journal, API, audit exports): append only,
never rename a value. `ComplianceCode` values are the `code` strings clients see.
"""
import enum


class ComplianceCode(enum.StrEnum):
    """Why a compliance command or check was refused."""

    # Malformed input.
    INVALID_ACTOR = "INVALID_ACTOR"
    INVALID_CUSTOMER_ID = "INVALID_CUSTOMER_ID"
    REASON_REQUIRED = "REASON_REQUIRED"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_IDENTITY = "INVALID_IDENTITY"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_ASSET = "INVALID_ASSET"
    INVALID_ADDRESS = "INVALID_ADDRESS"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_LIMITS = "INVALID_LIMITS"
    INVALID_POLICY = "INVALID_POLICY"
    INVALID_LIST = "INVALID_LIST"
    INVALID_CHAIN_TX = "INVALID_CHAIN_TX"
    # Customers and KYC.
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    CUSTOMER_EXISTS = "CUSTOMER_EXISTS"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    KYC_REQUIRED = "KYC_REQUIRED"
    KYC_TRANSITION_NOT_ALLOWED = "KYC_TRANSITION_NOT_ALLOWED"
    IDENTITY_REQUIRED = "IDENTITY_REQUIRED"
    UNDERAGE = "UNDERAGE"
    DUPLICATE_IDENTITY = "DUPLICATE_IDENTITY"
    SCREENING_HIT = "SCREENING_HIT"
    CUSTOMER_SUSPENDED = "CUSTOMER_SUSPENDED"
    CUSTOMER_CLOSED = "CUSTOMER_CLOSED"
    TIER_NOT_FOUND = "TIER_NOT_FOUND"
    # Capital controls and the payment ban.
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    ADDRESS_NOT_WHITELISTED = "ADDRESS_NOT_WHITELISTED"
    ADDRESS_COOLING_OFF = "ADDRESS_COOLING_OFF"
    ADDRESS_ALREADY_WHITELISTED = "ADDRESS_ALREADY_WHITELISTED"
    WHITELIST_FULL = "WHITELIST_FULL"
    PAYMENT_PROHIBITED = "PAYMENT_PROHIBITED"
    COMPLIANCE_REVIEW = "COMPLIANCE_REVIEW"
    DEPOSIT_ALREADY_RECORDED = "DEPOSIT_ALREADY_RECORDED"
    # Withdrawal approvals.
    WITHDRAWAL_NOT_FOUND = "WITHDRAWAL_NOT_FOUND"
    WITHDRAWAL_NOT_PENDING = "WITHDRAWAL_NOT_PENDING"
    WITHDRAWAL_NOT_APPROVED = "WITHDRAWAL_NOT_APPROVED"
    SAME_APPROVER = "SAME_APPROVER"
    CHAIN_TX_ALREADY_USED = "CHAIN_TX_ALREADY_USED"
    # Compliance cases.
    CASE_NOT_FOUND = "CASE_NOT_FOUND"
    CASE_CLOSED = "CASE_CLOSED"
    # Screening rules (appended: values are never reordered or renamed).
    INVALID_SCREENING_RULES = "INVALID_SCREENING_RULES"


class KycStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class DocumentType(enum.StrEnum):
    PASSPORT = "passport"
    IDENTITY_CARD = "identity_card"
    RESIDENCE_PERMIT = "residence_permit"
    DRIVING_LICENCE = "driving_licence"


class WithdrawalStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"


class CaseKind(enum.StrEnum):
    SCREENING_ONBOARDING = "screening_onboarding"
    SCREENING_LIST_UPDATE = "screening_list_update"
    MANUAL = "manual"
    RETURNING_IDENTITY = "returning_identity"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"


class CaseResolution(enum.StrEnum):
    """How an officer closed a case; CLEARED also whitelists its screening hits."""

    CLEARED = "cleared"
    CONFIRMED = "confirmed"
    NO_ACTION = "no_action"


class HitSource(enum.StrEnum):
    RESTRICTED_PARTY = "restricted_party"
    RESTRICTED_JURISDICTION = "restricted_jurisdiction"
