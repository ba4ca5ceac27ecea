"""`karakum proof-of-reserves --db URL --asset A --epoch E --secret-file F --out-dir D`.

Builds the Merkle sum tree over every customer's balance of the asset (available
+ held + pending withdrawal) as of --at-sequence (default: all), writes
D/root-<asset>-<epoch>.json to publish and D/proofs/<customer>.json to hand to each
customer privately (it carries their nonce). The secret file keeps nonces stable
and unguessable; lose it and old proofs can no longer be re-issued.
"""
import argparse
import re
import sys
from pathlib import Path

import msgspec

from api.commands.ledger_source import add_db_argument, with_store
from exchange.store.ledger_reads import trial_balance_at
from ledger.reserves import ReservesTree

_SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9_-]+")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "proof-of-reserves", help="publish a Merkle sum tree root and per-customer inclusion proofs",
        description="Build the proof-of-reserves tree of one asset from the store.")
    add_db_argument(parser)
    parser.add_argument("--asset", required=True)
    parser.add_argument("--epoch", required=True, help="label of this attestation, e.g. 2026-11-25")
    parser.add_argument("--secret-file", required=True, type=Path, help="operator secret for customer nonces")
    parser.add_argument("--out-dir", required=True, type=Path)
    parser.add_argument("--at-sequence", type=int, default=None, help="last command sequence to include")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        secret = arguments.secret_file.read_bytes()
    except OSError as error:
        print(f"proof-of-reserves: cannot read the secret: {error.strerror}", file=sys.stderr)
        return 2
    if len(secret) < 16:
        print("proof-of-reserves: the secret must be at least 16 bytes", file=sys.stderr)
        return 2
    trial_balance = with_store(arguments.db, lambda store: trial_balance_at(store, arguments.at_sequence))
    customers = trial_balance.customer_totals(arguments.asset)
    unsafe = [customer_id for customer_id in customers if not _SAFE_FILE_NAME.fullmatch(customer_id)]
    if unsafe:
        print(f"proof-of-reserves: customer ids unusable as file names: {unsafe[:5]}", file=sys.stderr)
        return 1
    tree = ReservesTree(arguments.asset, arguments.epoch, customers, secret)
    proofs_dir = arguments.out_dir / "proofs"
    proofs_dir.mkdir(parents=True, exist_ok=True)
    root_path = arguments.out_dir / f"root-{arguments.asset}-{arguments.epoch}.json"
    root_path.write_bytes(msgspec.json.format(msgspec.json.encode(tree.root)))
    for customer_id in tree.customers():
        proof = msgspec.json.format(msgspec.json.encode(tree.proof(customer_id)))
        (proofs_dir / f"{customer_id}.json").write_bytes(proof)
    custody = -sum(trial_balance.balances().get(arguments.asset, {}).get(a, 0) for a in ("custody:hot", "custody:cold"))
    print(f"root {tree.root.root_hash} total {tree.root.total_units} over {tree.root.leaf_count} customers; "
          f"custody per ledger {custody}; wrote {root_path}")
    return 0
