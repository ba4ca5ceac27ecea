"""Fixtures: a real Access state with staff and keys, a real server key, a real directory."""
import pytest

from api.auth import Authenticator, KeyDirectory, RateLimit, RateLimiter, encrypt_secret, parse_server_key
from exchange.access import (
    SYSTEM_ACTOR, Access, CreateStaff, IssueApiKey, OwnerKind, Role, customer_actor,
)

from access_keys import AUDITOR_SECRET, NOW_MS, OPERATOR_SECRET, OTHER_SECRET, SERVER_KEY_HEX, TRADER_SECRET


@pytest.fixture
def server_key():
    return parse_server_key(SERVER_KEY_HEX)


@pytest.fixture
def access(server_key):
    access = Access()
    sequence = iter(range(1, 1000))

    def run(command):
        result = access.apply(command, next(sequence), 1_000 * next(sequence))
        assert type(result).__name__ != "AccessRejected", result

    run(CreateStaff(staff_id="op-1", name="Oper Ator", role=Role.OPERATOR, actor=SYSTEM_ACTOR))
    run(CreateStaff(staff_id="aud-1", name="Audi Tor", role=Role.AUDITOR, actor="op-1"))
    for key_id, kind, owner, role, secret, actor in (
        ("k-trader", OwnerKind.CUSTOMER, "101", Role.TRADER, TRADER_SECRET, customer_actor("101")),
        ("k-other", OwnerKind.CUSTOMER, "202", Role.TRADER, OTHER_SECRET, "op-1"),
        ("k-op", OwnerKind.STAFF, "op-1", Role.OPERATOR, OPERATOR_SECRET, SYSTEM_ACTOR),
        ("k-aud", OwnerKind.STAFF, "aud-1", Role.AUDITOR, AUDITOR_SECRET, "op-1"),
    ):
        run(IssueApiKey(key_id=key_id, owner_kind=kind, owner_id=owner, role=role,
                        secret_ciphertext=encrypt_secret(server_key, secret), label="test",
                        actor=actor))
    return access


@pytest.fixture
def directory(access, server_key):
    return KeyDirectory(lambda: access, server_key)


@pytest.fixture
def authenticator(directory):
    generous = {role: RateLimit(burst_requests=1000, requests_per_minute=60_000) for role in Role}
    return Authenticator(directory.lookup, limiter=RateLimiter(generous), clock_ms=lambda: NOW_MS)
