"""`karakum verify-proof PROOF.json [--root ROOT.json]`: check a proof-of-reserves inclusion proof, offline.

PROOF.json carries the root it was issued against; pass the independently
published ROOT.json to check that it is that root. Exit codes: 0 included;
1 the proof is rejected (tampered, or another root); 2 a file cannot be read.
"""
import argparse
import sys

import msgspec

from ledger.reserves import InclusionProof, ProofError, PublishedRoot, verify_inclusion


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify-proof", help="verify a proof-of-reserves inclusion proof",
        description="Check that a customer's balance is included in a published Merkle sum tree root.")
    parser.add_argument("proof", help="the customer's proof file (JSON)")
    parser.add_argument("--root", default=None, help="the published root file (JSON) to compare against")
    parser.set_defaults(handler=run)


def _load(path: str, kind):
    with open(path, "rb") as stream:
        return msgspec.json.decode(stream.read(), type=kind)


def run(arguments: argparse.Namespace) -> int:
    try:
        proof = _load(arguments.proof, InclusionProof)
        published = None if arguments.root is None else _load(arguments.root, PublishedRoot)
    except OSError as error:
        print(f"verify-proof: cannot read: {error}", file=sys.stderr)
        return 2
    except msgspec.DecodeError as error:
        print(f"REJECTED: not a proof / root file: {error}")
        return 1
    try:
        verify_inclusion(proof, published)
    except ProofError as error:
        print(f"REJECTED: {error}")
        return 1
    root = proof.root
    print(f"OK customer {proof.customer_id} holds {proof.balance_units} {root.asset} units, included in root "
          f"{root.root_hash} (total {root.total_units} over {root.leaf_count} customers, epoch {root.epoch})")
    return 0
