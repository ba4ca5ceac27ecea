"""Shared by the auditor commands: the --db option and reading entries out of a store."""
import argparse
import os
from typing import Callable

from exchange.store import open_store
from ledger.entries import JournalEntry


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=os.environ.get("KARAKUM_DB_URL"), required=os.environ.get("KARAKUM_DB_URL") is None,
        help="store URL: sqlite:///abs/path.db or postgresql://... (default: $KARAKUM_DB_URL)",
    )


async def for_each_entry(db_url: str, until_sequence: int | None, visit: Callable[[JournalEntry], None]) -> None:
    """Call `visit` on every stored entry with sequence <= until_sequence (all when None), in order."""
    store = await open_store(db_url)
    try:
        async for entry in store.read_entries(until_sequence=until_sequence):
            visit(entry)
    finally:
        await store.close()
