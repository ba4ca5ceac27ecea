"""`karakum trial-balance --db URL [--at-sequence N] [--json]`: every account per asset as of command N.

Balances are credits minus debits: positive is owed (customers, fees, equity),
negative is held (custody wallets); each asset's column sums to zero. Exit code 1
if the summed balances break a ledger invariant.
"""
import argparse
import json
import sys

from api.commands.ledger_source import add_db_argument, with_store
from exchange.store.ledger_reads import trial_balance_at
from ledger.reject import LedgerInvariantError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trial-balance", help="trial balance per asset at any sequence number, from the store",
        description="Sum every stored posting up to a sequence into per-account balances.")
    add_db_argument(parser)
    parser.add_argument("--at-sequence", type=int, default=None, help="last command sequence to include")
    parser.add_argument("--json", action="store_true", help="print JSON (amounts as decimal strings)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    trial_balance = with_store(arguments.db, lambda store: trial_balance_at(store, arguments.at_sequence))
    balances = trial_balance.balances()
    if arguments.json:
        print(json.dumps({
            "at_sequence": arguments.at_sequence if arguments.at_sequence is not None else trial_balance.last_sequence,
            "balances": {asset: {a: str(units) for a, units in book.items()} for asset, book in balances.items()},
        }, indent=2))
    else:
        _print_table(balances)
    try:
        trial_balance.check()
    except LedgerInvariantError as error:
        print(f"INVARIANT BROKEN: {error}", file=sys.stderr)
        return 1
    return 0


def _print_table(balances: dict[str, dict[str, int]]) -> None:
    for asset, book in balances.items():
        width = max(len(account) for account in book)
        print(f"{asset}")
        for account, units in book.items():
            print(f"  {account:<{width}}  {units:>30}")
        print(f"  {'total':<{width}}  {sum(book.values()):>30}")
