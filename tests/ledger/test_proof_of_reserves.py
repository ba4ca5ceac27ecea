"""Proof of reserves: every customer's proof verifies offline; any tampering is rejected."""
import hypothesis.strategies as st
import msgspec
import pytest
from hypothesis import given, settings

from ledger.reserves import ProofError, ProofStep, ReservesTree, verify_inclusion

SECRET = b"operator-secret-0123456789"
BALANCES = {"1": 500, "2": 0, "3": 7_000_000, "4": 12, "5": 10**25}


def tree() -> ReservesTree:
    return ReservesTree("BTC", "2026-11-25", BALANCES, SECRET)


def test_every_customer_is_included_and_the_total_is_the_sum():
    reserves = tree()
    assert reserves.root.total_units == str(sum(BALANCES.values()))
    assert reserves.root.leaf_count == len(BALANCES)
    for customer_id, units in BALANCES.items():
        proof = reserves.proof(customer_id)
        assert proof.balance_units == str(units)
        verify_inclusion(proof, reserves.root)


def test_the_published_root_reveals_no_customer_id():
    encoded = msgspec.json.encode(tree().root).decode()
    assert all(f'"{customer_id}"' not in encoded for customer_id in BALANCES)


def replace_step(proof, index, **changes):
    path = list(proof.path)
    path[index] = msgspec.structs.replace(path[index], **changes)
    return msgspec.structs.replace(proof, path=path)


def flip_hex(text: str) -> str:
    return ("1" if text[0] == "0" else "0") + text[1:]


TAMPERS = {
    "balance up": lambda p: msgspec.structs.replace(p, balance_units=str(int(p.balance_units) + 1)),
    "balance down": lambda p: msgspec.structs.replace(p, balance_units="0"),
    "negative balance": lambda p: msgspec.structs.replace(p, balance_units="-5"),
    "other customer": lambda p: msgspec.structs.replace(p, customer_id="4"),
    "nonce": lambda p: msgspec.structs.replace(p, nonce=flip_hex(p.nonce)),
    "sibling sum": lambda p: replace_step(p, 0, sum_units=str(int(p.path[0].sum_units) + 1)),
    "sibling sum shifted between levels": lambda p: replace_step(
        replace_step(p, 0, sum_units=str(int(p.path[0].sum_units) + 3)), 1,
        sum_units=str(max(int(p.path[1].sum_units) - 3, 0))),
    "negative sibling sum": lambda p: replace_step(p, 1, sum_units="-1"),
    "sibling hash": lambda p: replace_step(p, 1, hash=flip_hex(p.path[1].hash)),
    "sibling side": lambda p: replace_step(p, 0, side="right" if p.path[0].side == "left" else "left"),
    "dropped step": lambda p: msgspec.structs.replace(p, path=p.path[:-1]),
    "total": lambda p: msgspec.structs.replace(p, root=msgspec.structs.replace(p.root, total_units="1")),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_tampered_proof_is_rejected(tamper):
    reserves = tree()
    proof = TAMPERS[tamper](reserves.proof("3"))
    with pytest.raises(ProofError):
        verify_inclusion(proof)


def test_a_proof_against_another_root_is_rejected():
    reserves = tree()
    other = ReservesTree("BTC", "2026-11-25", BALANCES | {"3": 6_000_000}, SECRET)
    with pytest.raises(ProofError, match="published root"):
        verify_inclusion(reserves.proof("1"), other.root)


def test_nonces_differ_per_epoch_so_trees_do_not_link_customers():
    first = ReservesTree("BTC", "2026-11-25", BALANCES, SECRET).proof("1")
    second = ReservesTree("BTC", "2026-11-26", BALANCES, SECRET).proof("1")
    assert first.nonce != second.nonce


@settings(max_examples=40, deadline=None)
@given(
    balances=st.dictionaries(st.integers(1, 10**6).map(str), st.integers(0, 10**30), min_size=1, max_size=40),
    data=st.data(),
)
def test_random_trees_prove_everyone_and_reject_an_inflated_sibling(balances, data):
    reserves = ReservesTree("ETH", "e", balances, SECRET)
    assert int(reserves.root.total_units) == sum(balances.values())
    customer_id = data.draw(st.sampled_from(sorted(balances)))
    proof = reserves.proof(customer_id)
    verify_inclusion(proof, reserves.root)
    if proof.path:
        index = data.draw(st.integers(0, len(proof.path) - 1))
        inflated = replace_step(proof, index, sum_units=str(int(proof.path[index].sum_units) + 1))
        with pytest.raises(ProofError):
            verify_inclusion(inflated)


def test_a_step_with_a_malformed_hash_is_rejected():
    proof = tree().proof("1")
    with pytest.raises(ProofError):
        verify_inclusion(replace_step(proof, 0, hash="zz"))
    assert isinstance(proof.path[0], ProofStep)
