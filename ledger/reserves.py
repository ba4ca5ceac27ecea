"""Proof of reserves: a Merkle sum tree per asset over what the exchange owes each customer.

Leaf:  hash = sha256(compact JSON ["leaf", customer_id, nonce, "balance_units"]), sum = balance_units
Node:  hash = sha256(compact JSON ["node", left_hash, "left_sum", right_hash, "right_sum"]), sum = left + right
Empty: hash = sha256(compact JSON ["empty"]), sum = 0 (pads an odd level)

Sums are decimal strings inside the JSON so any language reproduces the bytes.
A node commits to BOTH child sums, not only their total, so a prover cannot
shift value between siblings; every sum must be >= 0, so a negative sibling
cannot hide a customer's balance. The nonce is secret per customer, asset and
epoch (HMAC of the operator's key): the published tree reveals neither who the
customers are nor, beyond the total, what they hold. Leaves are ordered by leaf
hash, so position says nothing about the customer either.

The root and total are published (PublishedRoot); each customer gets an
InclusionProof and verifies it offline with `verify_inclusion`.
"""
import hashlib
import hmac
import json
import re

import msgspec

PATH_STEPS_MAX = 64
_UNITS_TEXT = re.compile(r"[0-9]+")
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


class ProofError(Exception):
    """The proof does not show the balance included in the published root."""


class PublishedRoot(msgspec.Struct, frozen=True, kw_only=True):
    asset: str
    epoch: str  # What the snapshot is of, e.g. "2026-11-25" or "sequence-81234".
    root_hash: str
    total_units: str  # Sum of all customer balances, as a decimal string.
    leaf_count: int


class ProofStep(msgspec.Struct, frozen=True, kw_only=True):
    side: str  # Where the sibling sits: "left" or "right" of the node being proven.
    hash: str
    sum_units: str


class InclusionProof(msgspec.Struct, frozen=True, kw_only=True):
    root: PublishedRoot
    customer_id: str
    nonce: str
    balance_units: str
    path: list[ProofStep]


def _sha256_json(values: list) -> str:
    return hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


def leaf_hash(customer_id: str, nonce: str, balance_units: int) -> str:
    return _sha256_json(["leaf", customer_id, nonce, str(balance_units)])


def node_hash(left_hash: str, left_units: int, right_hash: str, right_units: int) -> str:
    return _sha256_json(["node", left_hash, str(left_units), right_hash, str(right_units)])


EMPTY_HASH = _sha256_json(["empty"])


def customer_nonce(secret: bytes, asset: str, customer_id: str, epoch: str) -> str:
    """The per-customer salt: only the operator (who holds `secret`) and the customer (who is told) know it."""
    return hmac.new(secret, f"{asset}\n{customer_id}\n{epoch}".encode(), hashlib.sha256).hexdigest()


class ReservesTree:
    """Build once per asset and epoch from customer id -> balance (>= 0); then hand out proofs. O(n log n)."""

    def __init__(self, asset: str, epoch: str, balances: dict[str, int], secret: bytes) -> None:
        if any(type(units) is not int or units < 0 for units in balances.values()):
            raise ValueError("customer balances are non-negative integers")
        self.asset, self.epoch = asset, epoch
        self._nonces = {str(c): customer_nonce(secret, asset, str(c), epoch) for c in balances}
        leaves = sorted(
            (leaf_hash(str(c), self._nonces[str(c)], units), units, str(c)) for c, units in balances.items()
        )
        self._balances = {customer_id: units for _, units, customer_id in leaves}
        self._position = {customer_id: index for index, (_, _, customer_id) in enumerate(leaves)}
        self._levels = [[(hash_, units) for hash_, units, _ in leaves] or [(EMPTY_HASH, 0)]]
        while len(self._levels[-1]) > 1:
            level = self._levels[-1]
            if len(level) % 2:
                level.append((EMPTY_HASH, 0))
            self._levels.append([
                (node_hash(level[i][0], level[i][1], level[i + 1][0], level[i + 1][1]), level[i][1] + level[i + 1][1])
                for i in range(0, len(level), 2)
            ])
        root_hash, total_units = self._levels[-1][0]
        self.root = PublishedRoot(
            asset=asset, epoch=epoch, root_hash=root_hash, total_units=str(total_units), leaf_count=len(leaves)
        )

    def customers(self) -> list[str]:
        return sorted(self._balances)

    def proof(self, customer_id) -> InclusionProof:
        """The path from the customer's leaf to the root. O(log n)."""
        customer_id = str(customer_id)
        index = self._position[customer_id]
        path = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            sibling_hash, sibling_units = level[sibling]
            path.append(ProofStep(side="left" if sibling < index else "right", hash=sibling_hash,
                                  sum_units=str(sibling_units)))
            index //= 2
        return InclusionProof(root=self.root, customer_id=customer_id, nonce=self._nonces[customer_id],
                              balance_units=str(self._balances[customer_id]), path=path)


def _units(text: str, what: str) -> int:
    if type(text) is not str or not _UNITS_TEXT.fullmatch(text):
        raise ProofError(f"{what} must be a non-negative decimal integer, got {text!r}")
    return int(text)


def verify_inclusion(proof: InclusionProof, published: PublishedRoot | None = None) -> None:
    """Raise ProofError unless the customer's leaf hashes up to the root and total it names.

    Pass the independently published root to also check that the proof's root is that one.
    """
    if published is not None and published != proof.root:
        raise ProofError("the proof's root is not the published root")
    if len(proof.path) > PATH_STEPS_MAX:
        raise ProofError("the path is longer than any tree we publish")
    current_units = _units(proof.balance_units, "balance_units")
    current_hash = leaf_hash(proof.customer_id, proof.nonce, current_units)
    for number, step in enumerate(proof.path, start=1):
        sibling_units = _units(step.sum_units, f"sum_units of step {number}")
        if not _HEX_HASH.fullmatch(step.hash):
            raise ProofError(f"step {number} hash is not a sha256 hex digest")
        if step.side == "left":
            current_hash = node_hash(step.hash, sibling_units, current_hash, current_units)
        elif step.side == "right":
            current_hash = node_hash(current_hash, current_units, step.hash, sibling_units)
        else:
            raise ProofError(f"step {number} side must be left or right")
        current_units += sibling_units
    if current_hash != proof.root.root_hash:
        raise ProofError("the path does not hash to the root: a balance, sum, hash or nonce was altered")
    if str(current_units) != proof.root.total_units:
        raise ProofError("the path's sums do not add up to the published total")
