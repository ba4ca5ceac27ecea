"""The balance invariants, shared by the live ledger and the trial balance rebuilt from a store."""
from ledger.accounts import CUSTOMER_ROLES, AccountRole, parse_account
from ledger.reject import LedgerInvariantError

_CUSTODY_ROLES = frozenset({AccountRole.HOT, AccountRole.COLD})


def check_balances(balances: dict[str, dict[str, int]]) -> None:
    """Raise LedgerInvariantError unless, per asset: accounts sum to zero, every floored account
    is on its side of zero, and customer liabilities do not exceed custody. O(accounts)."""
    for asset, book in balances.items():
        total = liabilities_units = custody_units = 0
        for account, balance in book.items():
            info = parse_account(account)
            if info is None:
                raise LedgerInvariantError(f"{asset}: account {account!r} is not in the chart")
            if info.floor_sign * balance < 0:
                raise LedgerInvariantError(f"{asset}: {account} crossed its floor ({balance})")
            total += balance
            if info.role in CUSTOMER_ROLES:
                liabilities_units += balance
            elif info.role in _CUSTODY_ROLES:
                custody_units -= balance
        if total != 0:
            raise LedgerInvariantError(f"{asset}: accounts sum to {total}, not zero")
        if liabilities_units > custody_units:
            raise LedgerInvariantError(f"{asset}: liabilities {liabilities_units} exceed custody {custody_units}")


def customer_totals(book: dict[str, int]) -> dict[str, int]:
    """One asset's balances -> customer id -> available + held + pending withdrawal, non-zero, sorted."""
    totals: dict[str, int] = {}
    for account, balance in book.items():
        info = parse_account(account)
        if balance and info is not None and info.role in CUSTOMER_ROLES:
            totals[info.customer_id] = totals.get(info.customer_id, 0) + balance
    return {customer_id: total for customer_id, total in sorted(totals.items()) if total}
