"""Access commands, their results, and the stored Staff and ApiKey records.

Secrets never appear here in the clear: `secret_ciphertext` is encrypted by the API layer,
and the records that carry it mask it in `repr` so it cannot leak into logs.
"""
import enum

import msgspec

from exchange.access.roles import Role

SYSTEM_ACTOR = "system"


def customer_actor(customer_id: str) -> str:
    """The actor string of a customer acting on their own keys."""
    return f"customer:{customer_id}"


class OwnerKind(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


class AccessRejectCode(enum.IntEnum):
    # Append only, never renumber: a wire contract. 7xxx = access (staff and API keys).
    ID_MUST_NOT_BE_EMPTY = 7001
    ID_RESERVED = 7002
    ACTOR_NOT_ALLOWED = 7003
    STAFF_EXISTS_WITH_DIFFERENT_FIELDS = 7101
    ROLE_NOT_A_STAFF_ROLE = 7102
    KEY_EXISTS_WITH_DIFFERENT_FIELDS = 7201
    STAFF_NOT_FOUND = 7202
    ROLE_DOES_NOT_MATCH_OWNER = 7203
    SECRET_CIPHERTEXT_MISSING = 7204
    KEY_NOT_FOUND = 7301
    KEY_ALREADY_REVOKED = 7302
    REASON_REQUIRED = 7303


class CreateStaff(msgspec.Struct, frozen=True, kw_only=True, tag="create_staff"):
    """Register a staff member with exactly one role."""

    staff_id: str
    name: str
    role: Role
    actor: str


class IssueApiKey(msgspec.Struct, frozen=True, kw_only=True, tag="issue_api_key"):
    """Give a customer or a staff member a new API key."""

    key_id: str  # Public: sent in X-KK-APIKEY / X-MBX-APIKEY.
    owner_kind: OwnerKind
    owner_id: str  # A customer id (in decimal when numeric) or a staff_id.
    role: Role
    secret_ciphertext: str  # Encrypted by the API layer: the journal never sees the secret.
    label: str
    actor: str = SYSTEM_ACTOR

    def __repr__(self) -> str:
        return (f"IssueApiKey(key_id={self.key_id!r}, owner_kind={self.owner_kind.value!r}, "
                f"owner_id={self.owner_id!r}, role={self.role.value!r}, secret_ciphertext=***, "
                f"label={self.label!r}, actor={self.actor!r})")


class RevokeApiKey(msgspec.Struct, frozen=True, kw_only=True, tag="revoke_api_key"):
    """Disable a key for good; it stays on record for the audit trail."""

    key_id: str
    actor: str
    reason: str


AccessCommand = CreateStaff | IssueApiKey | RevokeApiKey


class Staff(msgspec.Struct, frozen=True, kw_only=True):
    staff_id: str
    name: str
    role: Role
    created_sequence: int
    created_timestamp_ns: int


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    owner_kind: OwnerKind
    owner_id: str
    role: Role
    secret_ciphertext: str
    label: str
    issued_sequence: int
    issued_timestamp_ns: int
    revoked_sequence: int | None = None  # None while the key is usable.
    revoked_timestamp_ns: int | None = None
    revoked_by: str = ""
    revoke_reason: str = ""

    @property
    def active(self) -> bool:
        return self.revoked_sequence is None

    def __repr__(self) -> str:
        return (f"ApiKey(key_id={self.key_id!r}, owner_kind={self.owner_kind.value!r}, "
                f"owner_id={self.owner_id!r}, role={self.role.value!r}, secret_ciphertext=***, "
                f"label={self.label!r}, active={self.active})")


class StaffCreated(msgspec.Struct, frozen=True, kw_only=True, tag="staff_created"):
    sequence: int
    staff_id: str
    role: Role


class ApiKeyIssued(msgspec.Struct, frozen=True, kw_only=True, tag="api_key_issued"):
    sequence: int
    key_id: str
    owner_kind: OwnerKind
    owner_id: str
    role: Role


class ApiKeyRevoked(msgspec.Struct, frozen=True, kw_only=True, tag="api_key_revoked"):
    sequence: int
    key_id: str


class AccessRejected(msgspec.Struct, frozen=True, kw_only=True, tag="access_rejected"):
    sequence: int
    code: AccessRejectCode


AccessResult = StaffCreated | ApiKeyIssued | ApiKeyRevoked | AccessRejected
