"""Outcomes of `Ledger.apply`: Applied, or LedgerRejected with a stable code; and the invariant error."""
import enum

import msgspec


class LedgerRejectCode(enum.IntEnum):
    # Append only, never renumber: a wire contract. 2xxx is funds / ledger (house style).
    INSUFFICIENT_FUNDS = 2001  # A floored account (customer, fees, custody) would cross zero.
    UNBALANCED_ENTRY = 2002  # No postings, an amount that is not a positive integer, or debit == credit.
    UNKNOWN_KIND = 2003
    UNKNOWN_ASSET = 2004
    UNKNOWN_ACCOUNT = 2005
    NOT_TRADE_PARTIES = 2006  # A settlement posting does not follow the named buyer and seller.
    CORRECTION_NEEDS_REASON = 2007
    CORRECTION_NEEDS_TWO_APPROVERS = 2008
    POSTINGS_DO_NOT_MATCH_KIND = 2009  # E.g. a "hold" between two customers: the kind fixes the accounts.
    CORRECTION_BETWEEN_CUSTOMERS = 2010  # A correction may not move value from one customer to another.
    CUSTODY_SHORTFALL = 2011  # A correction would leave customer liabilities above custody assets.
    ENTRY_ID_REUSED = 2012  # The entry id was applied before with different content.
    FEE_EXCEEDS_PROCEEDS = 2013  # A settlement fee larger than what that party receives.


class Applied(msgspec.Struct, frozen=True, gc=False):
    """The entry is posted (or was already: re-applying the same entry returns this again)."""

    entry_id: str


class LedgerRejected(msgspec.Struct, frozen=True, gc=False):
    """The entry changed nothing."""

    code: LedgerRejectCode
    message: str


class LedgerInvariantError(Exception):
    """A ledger invariant does not hold: our bug. Halt, never log-and-continue."""
