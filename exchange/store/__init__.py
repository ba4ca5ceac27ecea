"""The Store port and its adapters; `await open_store(url)` picks one by the URL's scheme.

- `sqlite:///abs/path.db` -> SqliteStore (the path is everything after `sqlite://`)
- `postgresql://user@host:port/db[?search_path=schema]` -> PostgresStore (asyncpg)
- either with `separate_writer=True` -> SeparateWriter: the same store for reads, writes by a child process
"""
from exchange.store.base import (
    CLOSED_ORDER_STATUSES,
    AuditRecord,
    Batch,
    JournalRecord,
    OrderRecord,
    SnapshotRecord,
    Store,
    StoreConflictError,
    StoreError,
    TradeRecord,
)

__all__ = [
    "CLOSED_ORDER_STATUSES",
    "AuditRecord",
    "Batch",
    "JournalRecord",
    "OrderRecord",
    "SnapshotRecord",
    "Store",
    "StoreConflictError",
    "StoreError",
    "TradeRecord",
    "open_store",
]


async def open_store(url: str, separate_writer: bool = False) -> Store:
    """Open (creating and migrating if needed) the store the URL names.

    `separate_writer=True` (the running exchange): batches and snapshots are written by a child
    process (exchange/store/writer.py), so commits do not compete with the venue for the GIL."""
    if separate_writer:
        from exchange.store.writer import SeparateWriter

        reads = await open_store(url)
        try:
            return await SeparateWriter.open(url, reads)
        except BaseException:
            await reads.close()
            raise
    if url.startswith("sqlite://"):
        from exchange.store.sqlite import SqliteStore

        path = url.removeprefix("sqlite://")
        if not path:
            raise ValueError("sqlite URL needs a path: sqlite:///abs/path.db")
        return await SqliteStore.open(path)
    if url.startswith(("postgresql://", "postgres://")):
        from exchange.store.postgres import PostgresStore

        return await PostgresStore.open(url)
    raise ValueError(f"unsupported store URL {url!r}: use sqlite:///path.db or postgresql://...")
