"""Access commands: who may create staff and issue or revoke keys; replay gives the same state."""
import msgspec
import pytest

from exchange.access import (
    SYSTEM_ACTOR, Access, AccessCommand, AccessRejectCode, AccessRejected, ApiKeyIssued,
    ApiKeyRevoked, CreateStaff, IssueApiKey, OwnerKind, RevokeApiKey, Role, StaffCreated,
    customer_actor,
)


def issue(key_id="k1", owner_kind=OwnerKind.CUSTOMER, owner_id="7", role=Role.TRADER,
          actor=SYSTEM_ACTOR, ciphertext="v1:opaque"):
    return IssueApiKey(key_id=key_id, owner_kind=owner_kind, owner_id=owner_id, role=role,
                       secret_ciphertext=ciphertext, label="bot", actor=actor)


def code_of(result):
    assert isinstance(result, AccessRejected), result
    return result.code


def test_system_creates_the_first_operator_who_creates_others():
    access = Access()
    first = access.apply(CreateStaff(staff_id="op", name="A", role=Role.OPERATOR, actor=SYSTEM_ACTOR), 1, 10)
    second = access.apply(CreateStaff(staff_id="cmp", name="B", role=Role.COMPLIANCE, actor="op"), 2, 20)
    assert first == StaffCreated(sequence=1, staff_id="op", role=Role.OPERATOR)
    assert second == StaffCreated(sequence=2, staff_id="cmp", role=Role.COMPLIANCE)
    assert access.staff("cmp").created_timestamp_ns == 20


def test_staff_without_manage_staff_or_strangers_cannot_create_staff(access):
    by_auditor = CreateStaff(staff_id="x", name="X", role=Role.OPERATOR, actor="aud-1")
    by_stranger = CreateStaff(staff_id="y", name="Y", role=Role.OPERATOR, actor="nobody")
    by_customer = CreateStaff(staff_id="z", name="Z", role=Role.OPERATOR, actor=customer_actor("101"))
    for command in (by_auditor, by_stranger, by_customer):
        assert code_of(access.apply(command, 50, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED
    assert access.staff("x") is None


def test_staff_ids_that_could_impersonate_another_actor_are_refused(access):
    for staff_id in (SYSTEM_ACTOR, customer_actor("101")):
        command = CreateStaff(staff_id=staff_id, name="N", role=Role.OPERATOR, actor="op-1")
        assert code_of(access.apply(command, 50, 0)) == AccessRejectCode.ID_RESERVED


def test_trader_is_not_a_staff_role(access):
    command = CreateStaff(staff_id="t", name="T", role=Role.TRADER, actor="op-1")
    assert code_of(access.apply(command, 50, 0)) == AccessRejectCode.ROLE_NOT_A_STAFF_ROLE


def test_recreating_staff_is_idempotent_but_a_different_role_is_refused(access):
    same = CreateStaff(staff_id="aud-1", name="Audi Tor", role=Role.AUDITOR, actor="op-1")
    promoted = CreateStaff(staff_id="aud-1", name="Audi Tor", role=Role.OPERATOR, actor="op-1")
    before = access.state_hash()
    assert isinstance(access.apply(same, 50, 0), StaffCreated)
    assert code_of(access.apply(promoted, 51, 0)) == AccessRejectCode.STAFF_EXISTS_WITH_DIFFERENT_FIELDS
    assert access.state_hash() == before


def test_customer_keys_are_always_trader_keys(access):
    for role in (Role.OPERATOR, Role.COMPLIANCE, Role.AUDITOR):
        result = access.apply(issue(role=role), 50, 0)
        assert code_of(result) == AccessRejectCode.ROLE_DOES_NOT_MATCH_OWNER


def test_staff_keys_carry_exactly_the_staff_role(access):
    escalate = issue(owner_kind=OwnerKind.STAFF, owner_id="aud-1", role=Role.OPERATOR)
    unknown = issue(owner_kind=OwnerKind.STAFF, owner_id="ghost", role=Role.OPERATOR)
    assert code_of(access.apply(escalate, 50, 0)) == AccessRejectCode.ROLE_DOES_NOT_MATCH_OWNER
    assert code_of(access.apply(unknown, 51, 0)) == AccessRejectCode.STAFF_NOT_FOUND


def test_a_customer_issues_own_keys_but_not_someone_elses(access):
    own = issue(owner_id="101", actor=customer_actor("101"))
    other = issue(key_id="k2", owner_id="202", actor=customer_actor("101"))
    assert isinstance(access.apply(own, 50, 0), ApiKeyIssued)
    assert code_of(access.apply(other, 51, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED


def test_an_auditor_cannot_issue_any_key_not_even_their_own(access):
    own = issue(owner_kind=OwnerKind.STAFF, owner_id="aud-1", role=Role.AUDITOR, actor="aud-1")
    customer = issue(actor="aud-1")
    assert code_of(access.apply(own, 50, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED
    assert code_of(access.apply(customer, 51, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED


def test_a_key_without_ciphertext_or_ids_is_refused(access):
    assert code_of(access.apply(issue(ciphertext=""), 50, 0)) == AccessRejectCode.SECRET_CIPHERTEXT_MISSING
    assert code_of(access.apply(issue(key_id=""), 51, 0)) == AccessRejectCode.ID_MUST_NOT_BE_EMPTY


def test_reissuing_a_key_id_with_another_secret_is_refused(access):
    assert isinstance(access.apply(issue(), 50, 0), ApiKeyIssued)
    assert isinstance(access.apply(issue(), 51, 0), ApiKeyIssued)
    swapped = access.apply(issue(ciphertext="v1:attacker"), 52, 0)
    assert code_of(swapped) == AccessRejectCode.KEY_EXISTS_WITH_DIFFERENT_FIELDS
    assert access.key("k1").secret_ciphertext == "v1:opaque"
    assert access.key("k1").issued_sequence == 50


def test_revocation_records_who_when_why_and_cannot_repeat(access):
    result = access.apply(RevokeApiKey(key_id="k-other", actor="op-1", reason="leaked"), 60, 600)
    again = access.apply(RevokeApiKey(key_id="k-other", actor="op-1", reason="leaked"), 61, 610)
    key = access.key("k-other")
    assert result == ApiKeyRevoked(sequence=60, key_id="k-other")
    assert code_of(again) == AccessRejectCode.KEY_ALREADY_REVOKED
    assert (key.active, key.revoked_sequence, key.revoked_timestamp_ns) == (False, 60, 600)
    assert (key.revoked_by, key.revoke_reason) == ("op-1", "leaked")


def test_who_may_revoke(access):
    revoke = lambda key_id, actor: RevokeApiKey(key_id=key_id, actor=actor, reason="r")  # noqa: E731
    assert code_of(access.apply(revoke("k-other", customer_actor("101")), 60, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED
    assert code_of(access.apply(revoke("k-op", "aud-1"), 61, 0)) == AccessRejectCode.ACTOR_NOT_ALLOWED
    assert code_of(access.apply(revoke("nope", "op-1"), 62, 0)) == AccessRejectCode.KEY_NOT_FOUND
    assert code_of(access.apply(RevokeApiKey(key_id="k-aud", actor="aud-1", reason=""), 63, 0)) == AccessRejectCode.REASON_REQUIRED
    assert isinstance(access.apply(revoke("k-aud", "aud-1"), 64, 0), ApiKeyRevoked)
    assert isinstance(access.apply(revoke("k-trader", customer_actor("101")), 65, 0), ApiKeyRevoked)


def test_keys_of_lists_an_owners_keys_including_revoked(access):
    access.apply(issue(key_id="k-trader-2", owner_id="101", actor=customer_actor("101")), 50, 0)
    access.apply(RevokeApiKey(key_id="k-trader", actor="op-1", reason="rotate"), 51, 0)
    keys = access.keys_of(OwnerKind.CUSTOMER, "101")
    assert [(key.key_id, key.active) for key in keys] == [("k-trader", False), ("k-trader-2", True)]


def journal():
    return [
        (CreateStaff(staff_id="op", name="A", role=Role.OPERATOR, actor=SYSTEM_ACTOR), 1, 100),
        (CreateStaff(staff_id="cmp", name="B", role=Role.COMPLIANCE, actor="op"), 2, 200),
        (issue(key_id="a", owner_id="1"), 3, 300),
        (issue(key_id="b", owner_kind=OwnerKind.STAFF, owner_id="cmp", role=Role.COMPLIANCE, actor="op"), 4, 400),
        (issue(key_id="c", owner_id="1", role=Role.AUDITOR), 5, 500),
        (RevokeApiKey(key_id="a", actor="op", reason="rotate"), 6, 600),
    ]


def test_replaying_the_journal_gives_the_same_results_and_state_hash():
    first, second = Access(), Access()
    results_first = [first.apply(command, sequence, ts) for command, sequence, ts in journal()]
    results_second = [second.apply(command, sequence, ts) for command, sequence, ts in journal()]
    assert results_first == results_second
    assert first.state_hash() == second.state_hash()
    assert first.state_hash() != Access().state_hash()


def test_commands_round_trip_through_the_journal_encoding():
    encoded = [msgspec.msgpack.encode(command) for command, _, _ in journal()]
    decoded = [msgspec.msgpack.decode(data, type=AccessCommand) for data in encoded]
    assert decoded == [command for command, _, _ in journal()]


def test_snapshot_restore_keeps_state_and_behaviour():
    access = Access()
    for command, sequence, ts in journal()[:4]:
        access.apply(command, sequence, ts)
    restored = Access.restore(access.snapshot())
    assert restored.state_hash() == access.state_hash()
    command, sequence, ts = journal()[5]
    assert restored.apply(command, sequence, ts) == access.apply(command, sequence, ts)
    assert restored.state_hash() == access.state_hash()


@pytest.mark.parametrize("cut", range(1, 7))
def test_state_hash_changes_with_every_accepted_command(cut):
    before, after = Access(), Access()
    for command, sequence, ts in journal()[:cut - 1]:
        before.apply(command, sequence, ts)
        after.apply(command, sequence, ts)
    command, sequence, ts = journal()[cut - 1]
    result = after.apply(command, sequence, ts)
    if isinstance(result, AccessRejected):
        assert after.state_hash() == before.state_hash()
    else:
        assert after.state_hash() != before.state_hash()
