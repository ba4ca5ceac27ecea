"""Staff and API keys: pure state changed by journaled commands (`Access`).

Invariants:
- Deterministic: no I/O, no clock, no randomness. The sequencer passes `sequence` and
  `timestamp_ns`; replaying the journal rebuilds the same keys and the same `state_hash()`.
- The journal never holds a plaintext secret: `IssueApiKey.secret_ciphertext` is already
  encrypted by the API layer (api/auth/secrets.py) with the server key.
- Least privilege: a customer key is always `trader`; a staff key carries exactly the
  staff member's role; the auditor role holds no write permission at all.
- Keys are never deleted, only revoked, so the audit trail can always name the key used.

Actors: `SYSTEM_ACTOR` is the server's own command line on the host (bootstrap, `--demo`);
the API layer must set `actor` from the authenticated key, never from the request body.
A customer acts as `customer_actor(customer_id)`; a staff member as their `staff_id`.
"""
import hashlib

import msgspec

from exchange.access.commands import (
    SYSTEM_ACTOR, AccessCommand, AccessRejectCode, AccessRejected, AccessResult, ApiKey,
    ApiKeyIssued, ApiKeyRevoked, CreateStaff, IssueApiKey, OwnerKind, RevokeApiKey, Staff,
    StaffCreated, customer_actor,
)
from exchange.access.roles import STAFF_ROLES, Permission, Role, allowed


class _Snapshot(msgspec.Struct, frozen=True):
    staff: list[Staff]
    keys: list[ApiKey]


class Access:
    """Staff and API keys. `apply` never raises for bad input: it returns `AccessRejected`."""

    def __init__(self) -> None:
        self._staff: dict[str, Staff] = {}
        self._keys: dict[str, ApiKey] = {}

    def apply(self, command: AccessCommand, sequence: int, timestamp_ns: int) -> AccessResult:
        if isinstance(command, CreateStaff):
            return self._create_staff(command, sequence, timestamp_ns)
        if isinstance(command, IssueApiKey):
            return self._issue_key(command, sequence, timestamp_ns)
        return self._revoke_key(command, sequence, timestamp_ns)

    def key(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def keys_of(self, owner_kind: OwnerKind, owner_id: str) -> list[ApiKey]:
        """Every key (active or revoked) of one owner, in key_id order. O(keys)."""
        return [key for key_id, key in sorted(self._keys.items())
                if key.owner_kind == owner_kind and key.owner_id == owner_id]

    def staff(self, staff_id: str) -> Staff | None:
        return self._staff.get(staff_id)

    def staff_members(self) -> list[Staff]:
        return [self._staff[staff_id] for staff_id in sorted(self._staff)]

    @staticmethod
    def allowed(role: Role, permission: Permission) -> bool:
        return allowed(role, permission)

    def state_hash(self) -> str:
        """Hex sha256 over the canonical snapshot. O(staff + keys)."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    def snapshot(self) -> bytes:
        """Canonical bytes: sorted by id, so equal states give equal bytes."""
        return msgspec.msgpack.encode(_Snapshot(
            staff=[self._staff[staff_id] for staff_id in sorted(self._staff)],
            keys=[self._keys[key_id] for key_id in sorted(self._keys)],
        ))

    @classmethod
    def restore(cls, data: bytes) -> "Access":
        decoded = msgspec.msgpack.decode(data, type=_Snapshot)
        access = cls()
        access._staff = {staff.staff_id: staff for staff in decoded.staff}
        access._keys = {key.key_id: key for key in decoded.keys}
        return access

    def _actor_holds(self, actor: str, permission: Permission) -> bool:
        if actor == SYSTEM_ACTOR:
            return True
        member = self._staff.get(actor)
        return member is not None and allowed(member.role, permission)

    def _create_staff(self, command: CreateStaff, sequence: int, timestamp_ns: int) -> AccessResult:
        if not command.staff_id:
            return AccessRejected(sequence=sequence, code=AccessRejectCode.ID_MUST_NOT_BE_EMPTY)
        if _is_reserved(command.staff_id):
            return AccessRejected(sequence=sequence, code=AccessRejectCode.ID_RESERVED)
        if not self._actor_holds(command.actor, Permission.MANAGE_STAFF):
            return AccessRejected(sequence=sequence, code=AccessRejectCode.ACTOR_NOT_ALLOWED)
        if command.role not in STAFF_ROLES:
            return AccessRejected(sequence=sequence, code=AccessRejectCode.ROLE_NOT_A_STAFF_ROLE)
        existing = self._staff.get(command.staff_id)
        if existing is not None and (existing.name, existing.role) != (command.name, command.role):
            return AccessRejected(
                sequence=sequence, code=AccessRejectCode.STAFF_EXISTS_WITH_DIFFERENT_FIELDS)
        if existing is None:
            self._staff[command.staff_id] = Staff(
                staff_id=command.staff_id, name=command.name, role=command.role,
                created_sequence=sequence, created_timestamp_ns=timestamp_ns)
        return StaffCreated(sequence=sequence, staff_id=command.staff_id, role=command.role)

    def _issue_key(self, command: IssueApiKey, sequence: int, timestamp_ns: int) -> AccessResult:
        code = self._issue_refusal(command)
        if code is not None:
            return AccessRejected(sequence=sequence, code=code)
        existing = self._keys.get(command.key_id)
        if existing is not None and not _same_issue(existing, command):
            return AccessRejected(
                sequence=sequence, code=AccessRejectCode.KEY_EXISTS_WITH_DIFFERENT_FIELDS)
        if existing is None:
            self._keys[command.key_id] = ApiKey(
                key_id=command.key_id, owner_kind=command.owner_kind, owner_id=command.owner_id,
                role=command.role, secret_ciphertext=command.secret_ciphertext,
                label=command.label, issued_sequence=sequence, issued_timestamp_ns=timestamp_ns)
        return ApiKeyIssued(sequence=sequence, key_id=command.key_id,
                            owner_kind=command.owner_kind, owner_id=command.owner_id,
                            role=command.role)

    def _issue_refusal(self, command: IssueApiKey) -> AccessRejectCode | None:
        if not command.key_id or not command.owner_id:
            return AccessRejectCode.ID_MUST_NOT_BE_EMPTY
        if not command.secret_ciphertext:
            return AccessRejectCode.SECRET_CIPHERTEXT_MISSING
        if not self._may_manage_keys_of(command.actor, command.owner_kind, command.owner_id,
                                       revoking=False):
            return AccessRejectCode.ACTOR_NOT_ALLOWED
        if command.owner_kind == OwnerKind.CUSTOMER:
            return None if command.role == Role.TRADER else AccessRejectCode.ROLE_DOES_NOT_MATCH_OWNER
        member = self._staff.get(command.owner_id)
        if member is None:
            return AccessRejectCode.STAFF_NOT_FOUND
        if member.role != command.role:
            return AccessRejectCode.ROLE_DOES_NOT_MATCH_OWNER
        return None

    def _may_manage_keys_of(self, actor: str, owner_kind: OwnerKind, owner_id: str,
                            revoking: bool) -> bool:
        # A customer runs their own keys. Anyone may revoke their own key: revoking a leaked
        # key must never wait for staff. Staff keys are otherwise issued only by MANAGE_KEYS,
        # so an auditor changes nothing, not even their own credentials.
        if owner_kind == OwnerKind.CUSTOMER and actor == customer_actor(owner_id):
            return True
        if revoking and owner_kind == OwnerKind.STAFF and actor == owner_id:
            return True
        return self._actor_holds(actor, Permission.MANAGE_KEYS)

    def _revoke_key(self, command: RevokeApiKey, sequence: int, timestamp_ns: int) -> AccessResult:
        existing = self._keys.get(command.key_id)
        if existing is None:
            return AccessRejected(sequence=sequence, code=AccessRejectCode.KEY_NOT_FOUND)
        if not self._may_manage_keys_of(command.actor, existing.owner_kind, existing.owner_id,
                                       revoking=True):
            return AccessRejected(sequence=sequence, code=AccessRejectCode.ACTOR_NOT_ALLOWED)
        if not command.reason:
            return AccessRejected(sequence=sequence, code=AccessRejectCode.REASON_REQUIRED)
        if not existing.active:
            return AccessRejected(sequence=sequence, code=AccessRejectCode.KEY_ALREADY_REVOKED)
        self._keys[command.key_id] = msgspec.structs.replace(
            existing, revoked_sequence=sequence, revoked_timestamp_ns=timestamp_ns,
            revoked_by=command.actor, revoke_reason=command.reason)
        return ApiKeyRevoked(sequence=sequence, key_id=command.key_id)


def _is_reserved(staff_id: str) -> bool:
    # A staff id equal to the system actor or shaped like a customer actor would let one
    # principal pass for another in `actor` checks and in the audit log.
    return staff_id == SYSTEM_ACTOR or staff_id.startswith("customer:")


def _same_issue(existing: ApiKey, command: IssueApiKey) -> bool:
    return (existing.owner_kind, existing.owner_id, existing.role, existing.secret_ciphertext,
            existing.label) == (command.owner_kind, command.owner_id, command.role,
                                command.secret_ciphertext, command.label)
