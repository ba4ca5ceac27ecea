"""From a journaled `ApiKey` (secret encrypted) to a `Credential` the verifier can use.

`KeyDirectory.lookup` reads the live `Access` state on every call, so a revocation takes
effect on the next request; only the decrypted Credential is cached, per stored record.
"""
from collections.abc import Callable

import msgspec

from api.auth.crypto import ServerKey, decrypt_secret
from exchange.access import Access, ApiKey, OwnerKind, Role


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    key_id: str
    owner_kind: OwnerKind
    owner_id: str
    role: Role
    secret: bytes  # The HMAC key, in the clear: never log it (repr masks it).
    active: bool

    def __repr__(self) -> str:
        return (f"Credential(key_id={self.key_id!r}, owner_kind={self.owner_kind.value!r}, "
                f"owner_id={self.owner_id!r}, role={self.role.value!r}, secret=***, "
                f"active={self.active})")


KeyLookup = Callable[[str], Credential | None]


class KeyDirectory:
    """`lookup(key_id) -> Credential | None` over the sequencer's `Access` state."""

    def __init__(self, access: Callable[[], Access], server_key: ServerKey,
                 cached_keys_max: int = 100_000) -> None:
        self._access = access  # A getter: the sequencer may swap its Access on recovery.
        self._server_key = server_key
        self._cached_keys_max = cached_keys_max
        # ApiKey records are immutable and replaced on revocation, so the record's identity
        # says whether the cached Credential (with its decrypted secret) is still current.
        self._cache: dict[str, tuple[ApiKey, Credential]] = {}

    def __repr__(self) -> str:
        return f"KeyDirectory(cached_keys={len(self._cache)})"

    def lookup(self, key_id: str) -> Credential | None:
        key = self._access().key(key_id)
        if key is None:
            return None
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] is key:
            return cached[1]
        secret = decrypt_secret(self._server_key, key.secret_ciphertext).encode("utf-8")
        credential = Credential(key_id=key.key_id, owner_kind=key.owner_kind,
                                owner_id=key.owner_id, role=key.role, secret=secret,
                                active=key.active)
        if len(self._cache) >= self._cached_keys_max:
            self._cache.clear()
        self._cache[key_id] = (key, credential)
        return credential

    # A KeyDirectory is itself a KeyLookup: `Authenticator(directory)` works as well as
    # `Authenticator(directory.lookup)`.
    __call__ = lookup
