"""Auditor reads of the stored ledger, for the CLI and the API's auditor routes alike."""
from typing import TextIO

from exchange.store.base import Store
from ledger.export import ExportWriter
from ledger.trial_balance import TrialBalance


async def trial_balance_at(store: Store, until_sequence: int | None = None) -> TrialBalance:
    """Sum every stored posting with sequence <= until_sequence (all when None). O(entries)."""
    trial_balance = TrialBalance()
    async for entry in store.read_entries(until_sequence=until_sequence):
        trial_balance.add(entry)
    return trial_balance


async def export_ledger(
    store: Store, stream: TextIO, export_format: str, until_sequence: int | None = None, progress=None
) -> ExportWriter:
    """Write the hash-chained export (csv or jsonl) to `stream`; the writer's head_hash is the one to publish."""
    writer = ExportWriter(stream, export_format)
    async for entry in store.read_entries(until_sequence=until_sequence):
        writer.write_entry(entry)
        if progress is not None:
            progress.advance()
    return writer
