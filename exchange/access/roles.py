"""Roles and the role -> permission matrix: least privilege, one table to review.

The auditor role holds no permission in `WRITE_PERMISSIONS`; a trader holds only permissions
over their own data. Permission values are stable names (routes and policies refer to them).
"""
import enum


class Role(enum.StrEnum):
    TRADER = "trader"
    OPERATOR = "operator"
    COMPLIANCE = "compliance"
    AUDITOR = "auditor"


class Permission(enum.StrEnum):
    # Stable names: routes and stored policies refer to them. Append only.
    TRADE = "trade"  # Place, cancel, amend own orders.
    READ_OWN = "read_own"  # Own orders, fills, balances, deposit addresses.
    WITHDRAW_OWN = "withdraw_own"  # Own withdrawals and own address whitelist.
    MANAGE_OWN_KEYS = "manage_own_keys"
    READ_CUSTOMERS = "read_customers"  # Status, tier, limits: no identity data.
    READ_IDENTITY = "read_identity"  # Name, document, birth date: compliance only (the law).
    MANAGE_KYC = "manage_kyc"  # Verify or reject.
    MANAGE_ACCOUNTS = "manage_accounts"  # Suspend or close.
    MANAGE_RESTRICTED_LISTS = "manage_restricted_lists"
    MANAGE_CASES = "manage_cases"
    MANAGE_LIMITS = "manage_limits"  # Tier deposit / withdrawal limits (capital controls).
    MANAGE_MARKETS = "manage_markets"  # List, delist, halt, resume, fees.
    REPORT_DEPOSITS = "report_deposits"  # The custody side reporting an incoming deposit.
    APPROVE_WITHDRAWALS = "approve_withdrawals"
    MANAGE_STAFF = "manage_staff"
    MANAGE_KEYS = "manage_keys"  # Issue and revoke anyone's keys.
    READ_MARKET_ACTIVITY = "read_market_activity"  # Every account's orders and trades.
    READ_LEDGER = "read_ledger"
    EXPORT = "export"  # Ledger export, trial balance, proof of reserves, regulator reports.
    READ_AUDIT = "read_audit"
    CORRECT_LEDGER = "correct_ledger"  # Propose, approve or reject a correction of a customer's balance.


WRITE_PERMISSIONS = frozenset({
    Permission.TRADE, Permission.WITHDRAW_OWN, Permission.MANAGE_OWN_KEYS,
    Permission.MANAGE_KYC, Permission.MANAGE_ACCOUNTS, Permission.MANAGE_RESTRICTED_LISTS,
    Permission.MANAGE_CASES, Permission.MANAGE_LIMITS, Permission.MANAGE_MARKETS,
    Permission.REPORT_DEPOSITS, Permission.APPROVE_WITHDRAWALS, Permission.MANAGE_STAFF,
    Permission.MANAGE_KEYS, Permission.CORRECT_LEDGER,
})

_P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TRADER: frozenset({_P.TRADE, _P.READ_OWN, _P.WITHDRAW_OWN, _P.MANAGE_OWN_KEYS}),
    Role.OPERATOR: frozenset({
        _P.READ_CUSTOMERS, _P.MANAGE_ACCOUNTS, _P.MANAGE_MARKETS, _P.REPORT_DEPOSITS,
        _P.APPROVE_WITHDRAWALS, _P.MANAGE_STAFF, _P.MANAGE_KEYS, _P.READ_MARKET_ACTIVITY,
        _P.READ_LEDGER, _P.CORRECT_LEDGER,
    }),
    Role.COMPLIANCE: frozenset({
        _P.READ_CUSTOMERS, _P.READ_IDENTITY, _P.MANAGE_KYC, _P.MANAGE_RESTRICTED_LISTS,
        _P.MANAGE_CASES, _P.MANAGE_LIMITS, _P.READ_MARKET_ACTIVITY, _P.READ_LEDGER,
        _P.EXPORT, _P.READ_AUDIT,
    }),
    Role.AUDITOR: frozenset({
        _P.READ_CUSTOMERS, _P.READ_MARKET_ACTIVITY, _P.READ_LEDGER, _P.EXPORT, _P.READ_AUDIT,
    }),
}
STAFF_ROLES = frozenset({Role.OPERATOR, Role.COMPLIANCE, Role.AUDITOR})


def allowed(role: Role, permission: Permission) -> bool:
    """True when `role` holds `permission`. O(1)."""
    return permission in ROLE_PERMISSIONS[role]
