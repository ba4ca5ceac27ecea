"""Journal entries of a CLOSED set of kinds, and one builder function per kind.

A `Posting` moves `amount_units` of one asset from `debit_account` to
`credit_account`; an entry's postings are applied all-or-nothing. Every posting
is balanced by construction (what leaves one account enters another), so each
asset sums to zero over all accounts after any sequence of entries.

There is deliberately no transfer kind: the only entry that moves value between
two customers is `trade_settlement`, and the ledger checks its postings against
the buyer and seller named in the entry (see `ledger/rules.py`).

Account names (see `ledger/accounts.py`): `user:<customer_id>:available`,
`user:<customer_id>:held`, `pending:withdrawals:<customer_id>`, `exchange:fees`,
`exchange:equity`, `custody:hot`, `custody:cold`.
"""
import enum

import msgspec

from ledger.accounts import (
    CUSTODY_COLD,
    CUSTODY_HOT,
    EXCHANGE_FEES,
    available_account,
    held_account,
    withdrawing_account,
)


class EntryKind(enum.StrEnum):
    """The closed set of entry kinds; the strings are stored and exported, never renamed."""

    DEPOSIT = "deposit"
    WITHDRAWAL_REQUEST = "withdrawal_request"
    WITHDRAWAL_COMPLETE = "withdrawal_complete"
    WITHDRAWAL_REJECT = "withdrawal_reject"
    HOLD = "hold"
    RELEASE = "release"
    TRADE_SETTLEMENT = "trade_settlement"
    FEE = "fee"
    CUSTODY_REBALANCE = "custody_rebalance"
    CORRECTION = "correction"


class Posting(msgspec.Struct, frozen=True, gc=False):
    """Move `amount_units` (> 0, smallest unit of `asset`) from one account to another."""

    debit_account: str
    credit_account: str
    asset: str
    amount_units: int


class JournalEntry(msgspec.Struct, frozen=True, gc=False):
    """One all-or-nothing set of postings with a unique id derived from its cause.

    gc=False: entries hold only strings, ints and tuples, never a cycle, so the garbage
    collector need not walk the millions the ledger keeps for idempotency. Not kw_only: holds,
    releases and settlements are built positionally, once or more per order (keywords cost ~1 us).
    """

    entry_id: str  # Derived from the cause ("s42:hold", "t7"): a retry reuses it, so it is not re-posted.
    kind: EntryKind
    cause: str  # What caused it: a command sequence, trade id, withdrawal id, ticket.
    sequence: int  # The sequencer's number of the command that produced the entry.
    postings: tuple[Posting, ...]
    reason: str | None = None  # Corrections only: why, in words, for the auditor.
    approvers: tuple[str, ...] = ()  # Corrections only: two distinct operators (four eyes).
    parties: tuple[str, ...] = ()  # Trade settlements only: (buyer_id, seller_id) as the engine reported them.


def deposit(entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str) -> JournalEntry:
    """Credit a confirmed on-chain deposit: the hot wallet grows, and so does what we owe the customer."""
    posting = Posting(CUSTODY_HOT, available_account(customer_id), asset, amount_units)
    return JournalEntry(entry_id=entry_id, kind=EntryKind.DEPOSIT, cause=cause, sequence=sequence, postings=(posting,))


def withdrawal_request(
    entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str
) -> JournalEntry:
    """Set aside funds of an accepted withdrawal request until it is sent or rejected."""
    posting = Posting(available_account(customer_id), withdrawing_account(customer_id), asset, amount_units)
    return JournalEntry(
        entry_id=entry_id, kind=EntryKind.WITHDRAWAL_REQUEST, cause=cause, sequence=sequence, postings=(posting,)
    )


def withdrawal_complete(
    entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str
) -> JournalEntry:
    """The withdrawal left the hot wallet: the liability and the custody asset shrink together."""
    posting = Posting(withdrawing_account(customer_id), CUSTODY_HOT, asset, amount_units)
    return JournalEntry(
        entry_id=entry_id, kind=EntryKind.WITHDRAWAL_COMPLETE, cause=cause, sequence=sequence, postings=(posting,)
    )


def withdrawal_reject(
    entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str
) -> JournalEntry:
    """Return the funds of a refused withdrawal to the same customer's available balance."""
    posting = Posting(withdrawing_account(customer_id), available_account(customer_id), asset, amount_units)
    return JournalEntry(
        entry_id=entry_id, kind=EntryKind.WITHDRAWAL_REJECT, cause=cause, sequence=sequence, postings=(posting,)
    )


def hold(entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str) -> JournalEntry:
    """Reserve funds for an order: available -> held of the same customer."""
    posting = Posting(available_account(customer_id), held_account(customer_id), asset, amount_units)
    return JournalEntry(entry_id, EntryKind.HOLD, cause, sequence, (posting,))


def release(entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str) -> JournalEntry:
    """Give back what an order no longer needs: held -> available of the same customer."""
    posting = Posting(held_account(customer_id), available_account(customer_id), asset, amount_units)
    return JournalEntry(entry_id, EntryKind.RELEASE, cause, sequence, (posting,))


def trade_settlement(
    entry_id: str,
    sequence: int,
    trade_id,
    buyer_id,
    seller_id,
    base: str,
    base_units: int,
    quote: str,
    quote_units: int,
    buyer_fee_units: int,
    seller_fee_units: int,
) -> JournalEntry:
    """Settle one fill from both parties' held funds; fees are taken from what each receives.

    The buyer pays its fee in `base`, the seller in `quote` (Binance's rule); a zero fee
    adds no posting. The cause is the trade id.
    """
    postings = [
        Posting(held_account(buyer_id), available_account(seller_id), quote, quote_units),
        Posting(held_account(seller_id), available_account(buyer_id), base, base_units),
    ]
    if buyer_fee_units:
        postings.append(Posting(available_account(buyer_id), EXCHANGE_FEES, base, buyer_fee_units))
    if seller_fee_units:
        postings.append(Posting(available_account(seller_id), EXCHANGE_FEES, quote, seller_fee_units))
    return JournalEntry(entry_id, EntryKind.TRADE_SETTLEMENT, str(trade_id), sequence, tuple(postings), None, (),
                        (str(buyer_id), str(seller_id)))


def fee(entry_id: str, sequence: int, customer_id, asset: str, amount_units: int, cause: str) -> JournalEntry:
    """Charge a customer a fee outside a trade (e.g. a withdrawal fee) into exchange:fees."""
    posting = Posting(available_account(customer_id), EXCHANGE_FEES, asset, amount_units)
    return JournalEntry(entry_id=entry_id, kind=EntryKind.FEE, cause=cause, sequence=sequence, postings=(posting,))


def custody_rebalance(
    entry_id: str, sequence: int, asset: str, amount_units: int, to_cold: bool, cause: str
) -> JournalEntry:
    """Record a confirmed move between hot and cold wallets (`to_cold` False: cold -> hot)."""
    source, destination = (CUSTODY_HOT, CUSTODY_COLD) if to_cold else (CUSTODY_COLD, CUSTODY_HOT)
    # Custody accounts are assets: the wallet that receives is debited.
    posting = Posting(destination, source, asset, amount_units)
    return JournalEntry(
        entry_id=entry_id, kind=EntryKind.CUSTODY_REBALANCE, cause=cause, sequence=sequence, postings=(posting,)
    )


def correction(
    entry_id: str,
    sequence: int,
    postings: tuple[Posting, ...],
    reason: str,
    approvers: tuple[str, ...],
    cause: str,
) -> JournalEntry:
    """An operator's correcting entry: needs a reason and two distinct approvers, touches at most one customer."""
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.CORRECTION,
        cause=cause,
        sequence=sequence,
        postings=tuple(postings),
        reason=reason,
        approvers=tuple(approvers),
    )
