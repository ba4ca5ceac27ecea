"""The permission matrix: auditors read only, traders only their own data."""
from exchange.access import ROLE_PERMISSIONS, STAFF_ROLES, WRITE_PERMISSIONS, Access, Permission, Role, allowed

OWN_DATA = {Permission.TRADE, Permission.READ_OWN, Permission.WITHDRAW_OWN, Permission.MANAGE_OWN_KEYS}


def test_auditor_holds_no_write_permission_at_all():
    for permission in Permission:
        if permission in WRITE_PERMISSIONS:
            assert not allowed(Role.AUDITOR, permission), permission


def test_auditor_can_read_and_export():
    for permission in (Permission.READ_LEDGER, Permission.EXPORT, Permission.READ_AUDIT):
        assert allowed(Role.AUDITOR, permission)


def test_trader_holds_only_own_data_permissions():
    assert ROLE_PERMISSIONS[Role.TRADER] == OWN_DATA
    for permission in set(Permission) - OWN_DATA:
        assert not Access.allowed(Role.TRADER, permission), permission


def test_staff_cannot_trade_or_withdraw_for_customers():
    for role in STAFF_ROLES:
        assert not allowed(role, Permission.TRADE)
        assert not allowed(role, Permission.WITHDRAW_OWN)


def test_identity_data_is_for_compliance_only():
    holders = {role for role in Role if allowed(role, Permission.READ_IDENTITY)}
    assert holders == {Role.COMPLIANCE}


def test_kyc_decisions_and_withdrawal_approvals_sit_with_different_roles():
    assert {role for role in Role if allowed(role, Permission.MANAGE_KYC)} == {Role.COMPLIANCE}
    assert {role for role in Role if allowed(role, Permission.APPROVE_WITHDRAWALS)} == {Role.OPERATOR}


def test_every_permission_has_a_holder_and_every_role_is_in_the_matrix():
    assert set(ROLE_PERMISSIONS) == set(Role)
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)
