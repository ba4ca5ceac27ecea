"""Shared by the auditor commands: the --db option and running one async read against a store."""
import argparse
import asyncio
import os

from exchange.store import Store, open_store


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=os.environ.get("KARAKUM_DB_URL"), required=os.environ.get("KARAKUM_DB_URL") is None,
        help="store URL: sqlite:///abs/path.db or postgresql://... (default: $KARAKUM_DB_URL)",
    )


def with_store(db_url: str, read):
    """Open the store, `await read(store)`, close it; returns what `read` returned."""
    async def main():
        store: Store = await open_store(db_url)
        try:
            return await read(store)
        finally:
            await store.close()

    return asyncio.run(main())
