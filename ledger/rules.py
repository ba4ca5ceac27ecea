"""Which postings each entry kind may contain: the rules that make a payment inexpressible.

Every kind except two has exactly one posting between two fixed roles, and when
both sides are customer accounts they belong to the same customer. A trade
settlement must follow its named buyer and seller leg by leg; a correction
(four eyes, with a reason) may touch at most one customer. So value moves
between two customers only as the two legs of a trade.
"""
from ledger.accounts import AccountInfo, AccountRole
from ledger.entries import EntryKind, JournalEntry
from ledger.reject import LedgerRejectCode, LedgerRejected

_R = AccountRole
SINGLE_POSTING_SHAPES: dict[EntryKind, frozenset[tuple[AccountRole, AccountRole]]] = {
    EntryKind.DEPOSIT: frozenset({(_R.HOT, _R.AVAILABLE)}),
    EntryKind.WITHDRAWAL_REQUEST: frozenset({(_R.AVAILABLE, _R.WITHDRAWING)}),
    EntryKind.WITHDRAWAL_COMPLETE: frozenset({(_R.WITHDRAWING, _R.HOT)}),
    EntryKind.WITHDRAWAL_REJECT: frozenset({(_R.WITHDRAWING, _R.AVAILABLE)}),
    EntryKind.HOLD: frozenset({(_R.AVAILABLE, _R.HELD)}),
    EntryKind.RELEASE: frozenset({(_R.HELD, _R.AVAILABLE)}),
    EntryKind.FEE: frozenset({(_R.AVAILABLE, _R.FEES)}),
    EntryKind.CUSTODY_REBALANCE: frozenset({(_R.HOT, _R.COLD), (_R.COLD, _R.HOT)}),
}
KNOWN_KINDS = frozenset(EntryKind)

Sides = list[tuple[AccountInfo, AccountInfo]]  # (debit, credit) account info of each posting, in order.


def _reject(code: LedgerRejectCode, message: str) -> LedgerRejected:
    return LedgerRejected(code, message)


def check_kind_rules(entry: JournalEntry, sides: Sides) -> LedgerRejected | None:
    """None when the postings are allowed for the entry's kind. O(postings)."""
    if entry.kind in SINGLE_POSTING_SHAPES:
        if len(sides) != 1:
            return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, f"{entry.kind} has exactly one posting")
        return check_single_posting(entry.kind, *sides[0])
    if entry.kind == EntryKind.TRADE_SETTLEMENT:
        return check_settlement(entry, sides)
    return check_correction(entry, sides)


def check_single_posting(kind: EntryKind, debit: AccountInfo, credit: AccountInfo) -> LedgerRejected | None:
    """The one posting of a single-posting kind: its fixed roles, and never between two customers."""
    if (debit.role, credit.role) not in SINGLE_POSTING_SHAPES[kind]:
        return _reject(
            LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, f"{kind} cannot move {debit.role.value} -> {credit.role.value}"
        )
    if debit.customer_id is not None and credit.customer_id is not None and debit.customer_id != credit.customer_id:
        return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, f"{kind} stays within one customer")
    return None


def check_settlement(entry: JournalEntry, sides: Sides) -> LedgerRejected | None:
    """Quote: buyer held -> seller; base: seller held -> buyer; then at most one fee per party."""
    if len(entry.parties) != 2 or not all(entry.parties):
        return _reject(LedgerRejectCode.NOT_TRADE_PARTIES, "a settlement names its buyer and seller")
    if not 2 <= len(sides) <= 4:
        return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, "a settlement has two legs and up to two fees")
    buyer, seller = entry.parties
    (quote_debit, quote_credit), (base_debit, base_credit) = sides[0], sides[1]
    if not (
        quote_debit.role is _R.HELD
        and quote_credit.role is _R.AVAILABLE
        and base_debit.role is _R.HELD
        and base_credit.role is _R.AVAILABLE
    ):
        return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, "settlement legs move held -> available")
    if not (
        quote_debit.customer_id == buyer
        and quote_credit.customer_id == seller
        and base_debit.customer_id == seller
        and base_credit.customer_id == buyer
    ):
        return _reject(LedgerRejectCode.NOT_TRADE_PARTIES, "settlement legs are not between the buyer and seller")
    if entry.postings[0].asset == entry.postings[1].asset:
        return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, "a settlement exchanges two different assets")
    if len(sides) == 2:
        return None
    return _check_settlement_fees(entry, sides, buyer, seller)


def _check_settlement_fees(entry: JournalEntry, sides: Sides, buyer: str, seller: str) -> LedgerRejected | None:
    # A fee is paid in the asset its payer received, out of it: the buyer in base, the seller in quote.
    quote_leg, base_leg = entry.postings[0], entry.postings[1]
    buyer_paid = seller_paid = False
    for index in range(2, len(sides)):
        debit, credit = sides[index]
        posting = entry.postings[index]
        if debit.role is not _R.AVAILABLE or credit.role is not _R.FEES:
            return _reject(LedgerRejectCode.POSTINGS_DO_NOT_MATCH_KIND, f"settlement posting {index} is not a fee")
        if not buyer_paid and debit.customer_id == buyer and posting.asset == base_leg.asset:
            buyer_paid, received = True, base_leg
        elif not seller_paid and debit.customer_id == seller and posting.asset == quote_leg.asset:
            seller_paid, received = True, quote_leg
        else:
            return _reject(
                LedgerRejectCode.NOT_TRADE_PARTIES, f"settlement fee {index} is not a party's fee on its proceeds"
            )
        if posting.amount_units > received.amount_units:
            return _reject(LedgerRejectCode.FEE_EXCEEDS_PROCEEDS, f"settlement fee {index} exceeds the proceeds")
    return None


def check_correction(entry: JournalEntry, sides: Sides) -> LedgerRejected | None:
    """Four eyes and a reason; at most one customer touched, so a correction is never a transfer."""
    if entry.reason is None or not entry.reason.strip():
        return _reject(LedgerRejectCode.CORRECTION_NEEDS_REASON, "a correction states its reason")
    approvers = {approver.strip() for approver in entry.approvers if approver and approver.strip()}
    if len(approvers) < 2:
        return _reject(LedgerRejectCode.CORRECTION_NEEDS_TWO_APPROVERS, "a correction needs two distinct approvers")
    customers = {info.customer_id for side in sides for info in side if info.customer_id is not None}
    if len(customers) > 1:
        return _reject(LedgerRejectCode.CORRECTION_BETWEEN_CUSTOMERS, "a correction touches at most one customer")
    return None
