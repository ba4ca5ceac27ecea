"""Chart of accounts: names, roles and which side each account may never cross.

Balances are kept as credits minus debits, so every asset sums to zero:

| account                            | role          | normal side | floor                |
|------------------------------------|---------------|-------------|----------------------|
| `user:<customer_id>:available`     | AVAILABLE     | credit      | never below zero     |
| `user:<customer_id>:held`          | HELD          | credit      | never below zero     |
| `pending:withdrawals:<customer_id>`| WITHDRAWING   | credit      | never below zero     |
| `exchange:fees`                    | FEES          | credit      | never below zero     |
| `exchange:equity`                  | EQUITY        | credit      | none (losses show)   |
| `custody:hot`, `custody:cold`      | HOT, COLD     | debit       | never above zero     |

The first three are customer liabilities. Pending withdrawals are kept per
customer: a pooled account would let a request for one customer be "rejected"
back to another, which is a payment. Customer ids must not contain ":".
"""
import enum
import functools
from typing import NamedTuple

EXCHANGE_FEES = "exchange:fees"
EXCHANGE_EQUITY = "exchange:equity"
CUSTODY_HOT = "custody:hot"
CUSTODY_COLD = "custody:cold"


class AccountRole(enum.StrEnum):
    AVAILABLE = "available"
    HELD = "held"
    WITHDRAWING = "withdrawing"
    FEES = "fees"
    EQUITY = "equity"
    HOT = "hot"
    COLD = "cold"


class AccountInfo(NamedTuple):
    role: AccountRole
    customer_id: str | None  # Set for the three customer liability accounts only.
    floor_sign: int  # +1: balance >= 0; -1: balance <= 0 (custody); 0: unconstrained.
    # (available, held) account names of the customer whose balance this is (what streams show); None elsewhere.
    balance_names: tuple[str, str] | None = None


CUSTOMER_ROLES = frozenset({AccountRole.AVAILABLE, AccountRole.HELD, AccountRole.WITHDRAWING})

_FIXED_ACCOUNTS = {
    EXCHANGE_FEES: AccountInfo(AccountRole.FEES, None, 1),
    EXCHANGE_EQUITY: AccountInfo(AccountRole.EQUITY, None, 0),
    CUSTODY_HOT: AccountInfo(AccountRole.HOT, None, -1),
    CUSTODY_COLD: AccountInfo(AccountRole.COLD, None, -1),
}


# Customer account names are made once per customer id (functools.cache): a hold, a release or a
# settlement names two to six of them, and a name reused keeps its hash, so the ledger's lookups skip
# hashing the text again. One entry per customer id named: the customers', and any id a staff read asks about.
@functools.cache
def available_account(customer_id) -> str:
    return f"user:{customer_id}:available"


@functools.cache
def held_account(customer_id) -> str:
    return f"user:{customer_id}:held"


def withdrawing_account(customer_id) -> str:
    return f"pending:withdrawals:{customer_id}"


def parse_account(name: str) -> AccountInfo | None:
    """The account's role, customer and floor, or None when the name is not in the chart."""
    fixed = _FIXED_ACCOUNTS.get(name)
    if fixed is not None:
        return fixed
    parts = name.split(":")
    if len(parts) != 3 or not parts[1].strip() or parts[1] != parts[1].strip():
        return None
    if parts[0] == "user" and parts[2] == "available":
        return AccountInfo(AccountRole.AVAILABLE, parts[1], 1, _balance_names(parts[1]))
    if parts[0] == "user" and parts[2] == "held":
        return AccountInfo(AccountRole.HELD, parts[1], 1, _balance_names(parts[1]))
    if parts[0] == "pending" and parts[1] == "withdrawals":
        return _parse_withdrawing(parts[2])
    return None


@functools.cache
def _balance_names(customer_id: str) -> tuple[str, str]:
    """One tuple per customer, shared by its available and held accounts: the ledger tells by identity
    that a posting between the two (a hold, a release) changed one balance, not two."""
    return available_account(customer_id), held_account(customer_id)


def _parse_withdrawing(customer_id: str) -> AccountInfo | None:
    if not customer_id.strip() or customer_id != customer_id.strip():
        return None
    return AccountInfo(AccountRole.WITHDRAWING, customer_id, 1)
