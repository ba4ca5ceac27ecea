"""Double-entry ledger of a closed set of entry kinds: no entry can express a payment between customers."""
from ledger.entries import EntryKind, JournalEntry, Posting
from ledger.ledger import Ledger
from ledger.reject import Applied, LedgerInvariantError, LedgerRejectCode, LedgerRejected

__all__ = [
    "Applied",
    "EntryKind",
    "JournalEntry",
    "Ledger",
    "LedgerInvariantError",
    "LedgerRejectCode",
    "LedgerRejected",
    "Posting",
]
