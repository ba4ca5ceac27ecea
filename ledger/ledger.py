"""The in-memory double-entry ledger: apply entries, query balances, check invariants.

Pure and deterministic: no I/O, no clock. Balances are credits minus debits per
(asset, account), so every asset sums to zero; customer and fee accounts never
go below zero, custody accounts never above zero (see `ledger/accounts.py`).

Invariants (`check()`, also valid under `python -O`): per-asset sum zero, no
floored account across its floor, customer liabilities (available + held +
pending withdrawals) <= custody assets (hot + cold wallets). Pending
withdrawals still count as custody until `withdrawal_complete` records the
coins leaving the hot wallet.

Idempotency: an entry id applied before returns `Applied` again without posting
(or `ENTRY_ID_REUSED` if the content differs). Rejected entries change nothing
and are not remembered, so a corrected retry with the same id can still apply.
The applied-id table grows with every entry (it is in snapshots too), so a
caller whose ids can never repeat turns it off with `remember_entries=False`:
the venue numbers every entry by its journal sequence or trade id, and the
store's unique key on entry ids refuses a duplicate anyway, so a long-running
exchange keeps neither memory nor snapshot size growing with its history.
"""
import hashlib
from collections.abc import Callable, Container
from typing import Any

import msgspec

from ledger.accounts import (EXCHANGE_EQUITY, EXCHANGE_FEES, AccountInfo, available_account, held_account,
                             parse_account)
from ledger.entries import EntryKind, JournalEntry
from ledger.invariants import check_balances, customer_totals
from ledger.reject import Applied, LedgerInvariantError, LedgerRejectCode, LedgerRejected
from ledger.rules import KNOWN_KINDS, SINGLE_POSTING_SHAPES, check_kind_rules, check_single_posting

DECIMALS_MAX = 36
_NO_BALANCES: dict[str, int] = {}  # Read-only stand-in for an unknown asset (no new dict per look-up).


class _Snapshot(msgspec.Struct, frozen=True):
    version: int
    asset_decimals: dict[str, int]
    balances: dict[str, dict[str, int]]  # asset -> account -> credits minus debits (non-zero only)
    applied: dict[str, str]  # entry id -> fingerprint of the entry
    applied_count: int = 0  # Entries applied (the table above is empty when entries are not remembered).


def entry_fingerprint(entry: JournalEntry) -> str:
    """A short digest of an entry's full content, to tell a retry from a reused id."""
    return hashlib.blake2b(msgspec.msgpack.encode(entry), digest_size=16).hexdigest()


def _insufficient(account: str, asset: str) -> LedgerRejected:
    return LedgerRejected(LedgerRejectCode.INSUFFICIENT_FUNDS, f"{account} lacks {asset}")


class Ledger:
    def __init__(self, remember_entries: bool = True) -> None:
        self._remember_entries = remember_entries
        self._applied_count = 0
        self._asset_decimals: dict[str, int] = {}
        self._balances: dict[str, dict[str, int]] = {}
        self._accounts: dict[str, AccountInfo] = {}  # Parsed account names, so apply() parses each once.
        self._applied: dict[str, JournalEntry | str] = {}  # Fingerprint (str) for entries restored from a snapshot.
        # (customer id, asset) -> (available, held) account names, for each balance changed since the last
        # take_touched_balances(); a dict: each once, in the order of the postings.
        self._touched: dict[tuple[str, str], tuple[str, str]] = {}
        # Off when no one reads the touched balances (take_touched_balances): the hot path then skips
        # noting them. Turn it on before the postings whose balances are wanted.
        self.track_balances = True

    def define_asset(self, code: str, decimals: int) -> None:
        """Allow entries in `code`, counted in units of 10**-decimals; repeating it identically is a no-op."""
        if not code or ":" in code or code != code.strip():
            raise ValueError(f"bad asset code {code!r}")
        if type(decimals) is not int or not 0 <= decimals <= DECIMALS_MAX:
            raise ValueError(f"decimals must be an int in 0..{DECIMALS_MAX}")
        known = self._asset_decimals.get(code)
        if known is not None and known != decimals:
            raise ValueError(f"asset {code} is already defined with {known} decimals")
        self._asset_decimals[code] = decimals
        self._balances.setdefault(code, {})

    def assets(self) -> dict[str, int]:
        """Asset code -> decimals."""
        return dict(self._asset_decimals)

    def apply(self, entry: JournalEntry) -> Applied | LedgerRejected:
        """Post all of the entry's postings or none. O(postings)."""
        if self._remember_entries:
            previous = self._applied.get(entry.entry_id)
            if previous is not None:
                return self._repeat(entry, previous)
        if entry.kind not in KNOWN_KINDS:
            return LedgerRejected(LedgerRejectCode.UNKNOWN_KIND, f"unknown entry kind {entry.kind!r}")
        if len(entry.postings) == 1 and entry.kind in SINGLE_POSTING_SHAPES:
            rejected = self._apply_single(entry.kind, entry.postings[0])  # Holds and releases: the hot path.
        else:
            rejected = self._apply_several(entry)
        if rejected is not None:
            return rejected
        self._applied_count += 1
        if self._remember_entries:
            self._applied[entry.entry_id] = entry
        return Applied(entry.entry_id)

    def _apply_single(self, kind: EntryKind, posting) -> LedgerRejected | None:
        """One posting: check, then write both balances; nothing to undo. O(1)."""
        amount_units = posting.amount_units
        if type(amount_units) is not int or amount_units <= 0:
            return LedgerRejected(LedgerRejectCode.UNBALANCED_ENTRY, "amounts are positive integers")
        debit_account, credit_account = posting.debit_account, posting.credit_account
        if debit_account == credit_account:
            return LedgerRejected(LedgerRejectCode.UNBALANCED_ENTRY, "a posting moves between two accounts")
        book = self._balances.get(posting.asset)
        if book is None:
            return LedgerRejected(LedgerRejectCode.UNKNOWN_ASSET, f"unknown asset {posting.asset!r}")
        debit = self._accounts.get(debit_account) or self._account(debit_account)
        credit = self._accounts.get(credit_account) or self._account(credit_account)
        if debit is None or credit is None:
            unknown = debit_account if debit is None else credit_account
            return LedgerRejected(LedgerRejectCode.UNKNOWN_ACCOUNT, f"unknown account {unknown!r}")
        rejected = check_single_posting(kind, debit, credit)
        if rejected is not None:
            return rejected
        debit_units = book.get(debit_account, 0) - amount_units
        if debit.floor_sign == 1 and debit_units < 0:
            return _insufficient(debit_account, posting.asset)
        credit_units = book.get(credit_account, 0) + amount_units
        if credit.floor_sign == -1 and credit_units > 0:
            return _insufficient(credit_account, posting.asset)
        book[debit_account] = debit_units
        book[credit_account] = credit_units
        if self.track_balances:  # Inline (the hot path): _touch().
            names = debit.balance_names
            if names is not None:
                self._touched[debit.customer_id, posting.asset] = names
            if credit.balance_names is not None and credit.balance_names is not names:  # Not a hold or release.
                self._touched[credit.customer_id, posting.asset] = credit.balance_names
        return None

    def _apply_several(self, entry: JournalEntry) -> LedgerRejected | None:
        sides = self._resolve(entry)
        if type(sides) is LedgerRejected:
            return sides
        rejected = check_kind_rules(entry, sides)
        if rejected is not None:
            return rejected
        return self._post(entry, sides)

    def _repeat(self, entry: JournalEntry, previous: JournalEntry | str) -> Applied | LedgerRejected:
        if type(previous) is str:
            same = previous == entry_fingerprint(entry)
        else:
            same = previous is entry or previous == entry
        if same:
            return Applied(entry.entry_id)
        return LedgerRejected(
            LedgerRejectCode.ENTRY_ID_REUSED, f"entry {entry.entry_id} was applied with other content"
        )

    def _account(self, name: str) -> AccountInfo | None:
        info = self._accounts.get(name)
        if info is None:
            info = parse_account(name)
            if info is not None:
                self._accounts[name] = info
        return info

    def _resolve(self, entry: JournalEntry) -> list[tuple[AccountInfo, AccountInfo]] | LedgerRejected:
        if not entry.postings:
            return LedgerRejected(LedgerRejectCode.UNBALANCED_ENTRY, "an entry has at least one posting")
        accounts, balances = self._accounts, self._balances
        sides = []
        for posting in entry.postings:
            amount_units = posting.amount_units
            if type(amount_units) is not int or amount_units <= 0:
                return LedgerRejected(LedgerRejectCode.UNBALANCED_ENTRY, "amounts are positive integers")
            if posting.debit_account == posting.credit_account:
                return LedgerRejected(LedgerRejectCode.UNBALANCED_ENTRY, "a posting moves between two accounts")
            if posting.asset not in balances:
                return LedgerRejected(LedgerRejectCode.UNKNOWN_ASSET, f"unknown asset {posting.asset!r}")
            debit = accounts.get(posting.debit_account) or self._account(posting.debit_account)
            credit = accounts.get(posting.credit_account) or self._account(posting.credit_account)
            if debit is None or credit is None:
                unknown = posting.debit_account if debit is None else posting.credit_account
                return LedgerRejected(LedgerRejectCode.UNKNOWN_ACCOUNT, f"unknown account {unknown!r}")
            sides.append((debit, credit))
        return sides

    def _post(self, entry: JournalEntry, sides) -> LedgerRejected | None:
        """Apply every posting, then check the floors on the final balances; undo all on a failure."""
        balances = self._balances
        for posting in entry.postings:
            book = balances[posting.asset]
            book[posting.debit_account] = book.get(posting.debit_account, 0) - posting.amount_units
            book[posting.credit_account] = book.get(posting.credit_account, 0) + posting.amount_units
        rejected = self._floor_crossed(entry, sides)
        if rejected is None and entry.kind == EntryKind.CORRECTION:
            rejected = self._custody_shortfall(entry)
        if rejected is not None:
            for posting in entry.postings:
                book = balances[posting.asset]
                book[posting.debit_account] += posting.amount_units
                book[posting.credit_account] -= posting.amount_units
            return rejected
        for posting, (debit, credit) in zip(entry.postings, sides):
            self._touch(debit, credit, posting.asset)
        return None

    def _touch(self, debit: AccountInfo, credit: AccountInfo, asset: str) -> None:
        """Note the customer balances a posting between these two accounts changed."""
        if not self.track_balances:
            return
        names = debit.balance_names
        if names is not None:
            self._touched[debit.customer_id, asset] = names
        if credit.balance_names is not None and credit.balance_names is not names:
            self._touched[credit.customer_id, asset] = credit.balance_names

    def _floor_crossed(self, entry: JournalEntry, sides) -> LedgerRejected | None:
        # Only a debit can take a credit-normal account below zero, only a credit a custody account above.
        balances = self._balances
        for posting, (debit, credit) in zip(entry.postings, sides):
            if debit.floor_sign == 1 and balances[posting.asset][posting.debit_account] < 0:
                return _insufficient(posting.debit_account, posting.asset)
            if credit.floor_sign == -1 and balances[posting.asset][posting.credit_account] > 0:
                return _insufficient(posting.credit_account, posting.asset)
        return None

    def _custody_shortfall(self, entry: JournalEntry) -> LedgerRejected | None:
        # All accounts sum to zero, so liabilities <= custody exactly when fees + equity >= 0.
        for asset in {posting.asset for posting in entry.postings}:
            book = self._balances[asset]
            if book.get(EXCHANGE_FEES, 0) + book.get(EXCHANGE_EQUITY, 0) < 0:
                return LedgerRejected(LedgerRejectCode.CUSTODY_SHORTFALL, f"{asset} liabilities would exceed custody")
        return None

    def take_touched_balances(self, customer_key: Callable[[str], Any] = str,
                              customers: Container[str] | None = None) -> list[tuple[Any, str, int, int]]:
        """(customer_key(customer id), asset, available, held) for each balance changed since the last call
        (while `track_balances`), sorted; only of `customers` when given. The key (e.g. `int`) is applied
        here, in the one pass over them: the hot path calls this once per command."""
        touched, self._touched = self._touched, {}
        balances = self._balances
        changed = [(customer_key(customer_id), asset, balances[asset].get(available, 0), balances[asset].get(held, 0))
                   for (customer_id, asset), (available, held) in touched.items()
                   if customers is None or customer_id in customers]
        changed.sort()
        return changed

    def available(self, customer_id, asset: str) -> int:
        return self._balances.get(asset, _NO_BALANCES).get(available_account(customer_id), 0)

    def held(self, customer_id, asset: str) -> int:
        return self._balances.get(asset, _NO_BALANCES).get(held_account(customer_id), 0)

    def withdrawing(self, customer_id, asset: str) -> int:
        """Funds of accepted withdrawal requests not yet sent or rejected."""
        return self._balances.get(asset, {}).get(f"pending:withdrawals:{customer_id}", 0)

    def balances(self, customer_id) -> dict[str, tuple[int, int]]:
        """Asset -> (available, held) for the assets where the customer has either. O(assets)."""
        result = {}
        for asset in sorted(self._balances):
            available, held = self.available(customer_id, asset), self.held(customer_id, asset)
            if available or held:
                result[asset] = (available, held)
        return result

    def account_balance(self, account: str, asset: str) -> int:
        """Credits minus debits: positive for what is owed (customers, fees), negative for custody wallets."""
        return self._balances.get(asset, {}).get(account, 0)

    def custody_units(self, asset: str) -> int:
        """What the hot and cold wallets hold, as a positive number."""
        book = self._balances.get(asset, {})
        return -(book.get("custody:hot", 0) + book.get("custody:cold", 0))

    def customer_totals(self, asset: str) -> dict[str, int]:
        """Customer id -> available + held + pending withdrawal, non-zero only. O(accounts)."""
        return customer_totals(self._balances.get(asset, {}))

    def trial_balance(self) -> dict[str, dict[str, int]]:
        """Asset -> account -> credits minus debits, non-zero only (an asset with none is left out);
        each asset's column sums to zero."""
        balances = {}
        for asset in sorted(self._balances):
            book = {account: units for account, units in sorted(self._balances[asset].items()) if units}
            if book:
                balances[asset] = book
        return balances

    def entries_applied(self) -> int:
        return self._applied_count

    def check(self) -> None:
        """Raise LedgerInvariantError unless every invariant holds. O(accounts)."""
        check_balances(self._balances)

    def state_hash(self) -> str:
        """Hex sha256 over assets, non-zero balances and the number of applied entries."""
        canonical = msgspec.msgpack.encode(
            [sorted(self._asset_decimals.items()), self.trial_balance(), self._applied_count]
        )
        return hashlib.sha256(canonical).hexdigest()

    def snapshot(self) -> bytes:
        """Everything needed to continue: assets, balances and the applied-id table. O(remembered entries).

        Also swaps each remembered entry for its fingerprint (what a restored ledger keeps), so
        the table shrinks and the next snapshot does not hash the same entries again."""
        applied = {
            entry_id: entry if type(entry) is str else entry_fingerprint(entry)
            for entry_id, entry in sorted(self._applied.items())
        }
        self._applied = dict(applied)
        asset_decimals = dict(sorted(self._asset_decimals.items()))
        return msgspec.msgpack.encode(_Snapshot(1, asset_decimals, self.trial_balance(), applied,
                                                self._applied_count))

    @classmethod
    def restore(cls, data: bytes, remember_entries: bool = True) -> "Ledger":
        """Rebuild a ledger from `snapshot()`; raises LedgerInvariantError if the data is inconsistent."""
        snapshot = msgspec.msgpack.decode(data, type=_Snapshot)
        if snapshot.version != 1:
            raise ValueError(f"unknown ledger snapshot version {snapshot.version}")
        ledger = cls(remember_entries)
        # Snapshots written before applied_count existed carry only the table.
        ledger._applied_count = max(snapshot.applied_count, len(snapshot.applied))
        for code, decimals in snapshot.asset_decimals.items():
            ledger.define_asset(code, decimals)
        for asset, accounts in snapshot.balances.items():  # Assets without balances are in asset_decimals only.
            if asset not in ledger._balances:
                raise LedgerInvariantError(f"snapshot has balances in undefined asset {asset}")
            ledger._balances[asset].update(accounts)
        if remember_entries:
            ledger._applied.update(snapshot.applied)
        ledger.check()
        return ledger
