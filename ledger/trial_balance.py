"""Trial balance at any sequence: sum the stored postings, no replay of the rules needed.

Adding every entry with sequence <= N, in order, gives each account's balance
(credits minus debits) as of command N; each asset's column sums to zero.
`check()` then applies the same invariants as the live ledger.
"""
from typing import Iterable

from ledger.entries import JournalEntry
from ledger.invariants import check_balances, customer_totals


class TrialBalance:
    def __init__(self) -> None:
        self._balances: dict[str, dict[str, int]] = {}
        self.entries = 0
        self.last_sequence = 0

    def add(self, entry: JournalEntry) -> None:
        for posting in entry.postings:
            book = self._balances.setdefault(posting.asset, {})
            book[posting.debit_account] = book.get(posting.debit_account, 0) - posting.amount_units
            book[posting.credit_account] = book.get(posting.credit_account, 0) + posting.amount_units
        self.entries += 1
        self.last_sequence = max(self.last_sequence, entry.sequence)

    def add_all(self, entries: Iterable[JournalEntry]) -> "TrialBalance":
        for entry in entries:
            self.add(entry)
        return self

    def balances(self) -> dict[str, dict[str, int]]:
        """Asset -> account -> credits minus debits, non-zero only, sorted; as `Ledger.trial_balance()`."""
        balances = {}
        for asset, book in sorted(self._balances.items()):
            nonzero = {account: units for account, units in sorted(book.items()) if units}
            if nonzero:
                balances[asset] = nonzero
        return balances

    def customer_totals(self, asset: str) -> dict[str, int]:
        return customer_totals(self._balances.get(asset, {}))

    def check(self) -> None:
        """Raise LedgerInvariantError unless the summed balances satisfy the ledger's invariants."""
        check_balances(self._balances)
