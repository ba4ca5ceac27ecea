"""`karakum verify`: rebuild the venue from the journal alone and check it against the store.

Replays every journaled command from an empty venue, compares each ledger
entry it produces with the stored postings, compares the state hash with
every stored snapshot at its sequence, and checks the invariants (per-asset
sums zero, no negative customer balance, liabilities covered by custody,
held == open orders' reservations). Exit 0 and a JSON summary when all
hold; exit 1 naming the first difference otherwise.
"""
import asyncio
import json
import sys
from pathlib import Path

from api.progress import Progress


def register(subparsers) -> None:
    parser = subparsers.add_parser("verify", help="rebuild from the journal and check the store and invariants")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data-dir", type=Path, default=Path("./data"), help="SQLite under DATA_DIR/exchange.db")
    source.add_argument("--db", help="a database URL (sqlite:///... or postgresql://...)")
    parser.set_defaults(handler=run)


def run(arguments) -> int:
    from exchange.recovery import RecoveryError, verify
    from exchange.store import open_store
    from ledger.reject import LedgerInvariantError

    url = arguments.db or f"sqlite:///{arguments.data_dir.resolve() / 'exchange.db'}"

    async def check() -> int:
        store = await open_store(url)
        try:
            progress = Progress("replayed commands", total=await store.last_sequence())
            counts = await verify(store, progress)
            progress.finish()
        except (RecoveryError, LedgerInvariantError, RuntimeError) as error:
            print(f"karakum verify: FAILED: {error}", file=sys.stderr)
            return 1
        finally:
            await store.close()
        print(json.dumps({"ok": True, **counts}))
        return 0

    return asyncio.run(check())
