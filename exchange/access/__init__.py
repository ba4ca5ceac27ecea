"""Who may do what: staff, API keys, roles and permissions (pure, journal-driven).

`from exchange.access import Access, Role, Permission, ...` is the public surface; the
modules split it by job: roles.py (the matrix), commands.py (commands, results, records),
registry.py (the `Access` state).
"""
from exchange.access.commands import (
    SYSTEM_ACTOR, AccessCommand, AccessRejectCode, AccessRejected, AccessResult, ApiKey,
    ApiKeyIssued, ApiKeyRevoked, CreateStaff, IssueApiKey, OwnerKind, RevokeApiKey, Staff,
    StaffCreated, customer_actor,
)
from exchange.access.registry import Access
from exchange.access.roles import (
    ROLE_PERMISSIONS, STAFF_ROLES, WRITE_PERMISSIONS, Permission, Role, allowed,
)

__all__ = [
    "SYSTEM_ACTOR", "ROLE_PERMISSIONS", "STAFF_ROLES", "WRITE_PERMISSIONS", "Access",
    "AccessCommand", "AccessRejectCode", "AccessRejected", "AccessResult", "ApiKey",
    "ApiKeyIssued", "ApiKeyRevoked", "CreateStaff", "IssueApiKey", "OwnerKind", "Permission",
    "RevokeApiKey", "Role", "Staff", "StaffCreated", "allowed", "customer_actor",
]
