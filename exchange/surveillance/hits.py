"""What a rule reports (`Hit`) and how it becomes a compliance case summary, and back.

A hit names the rule, the accounts a case is opened on, the counterparties, and
the evidence ids (trades, orders, transfers). Its `key` (rule, the accounts
cases open on, window index) is written into the case summary, so after a restart
the detector reads the open and closed cases back and never opens the same
case twice (the compliance cases themselves are the memory).
Summaries never carry identity data: they say which kind of data matched,
never the value.
"""
import enum
import re

import msgspec

from exchange.compliance.guards import TEXT_LENGTH_MAX

SURVEILLANCE_ACTOR = "surveillance"
EVIDENCE_IDS_MAX = 25  # Per kind in a summary; the rest is counted ("and 12 more").
_KEY = re.compile(r"\[key=([^\]]+)\]")


class Rule(enum.StrEnum):
    """Stable rule names: they appear in case summaries and reports."""

    WASH_SHARED_IDENTITY = "wash_trading_shared_identity"
    WASH_ROUND_TRIPS = "wash_trading_round_trips"
    OFF_MARKET_TRADE = "value_transfer_off_market_trade"
    OFF_MARKET_PAIR = "value_transfer_off_market_pair"
    FAN_IN = "value_transfer_fan_in"
    SPOOFING = "spoofing_layering"
    STRUCTURING = "structuring"


HIGH_SEVERITY = frozenset({Rule.WASH_SHARED_IDENTITY, Rule.OFF_MARKET_PAIR, Rule.FAN_IN, Rule.STRUCTURING})


class Hit(msgspec.Struct, frozen=True, kw_only=True):
    rule: Rule
    account_ids: tuple[int, ...]  # A case opens on each of these.
    related_account_ids: tuple[int, ...] = ()  # Counterparties, named in the summary.
    window_index: int  # timestamp_ns // the rule's window: one case per rule, accounts and window.
    timestamp_ns: int
    detail: str  # The numbers that crossed the thresholds, in words.
    trade_ids: tuple[int, ...] = ()
    order_ids: tuple[int, ...] = ()
    transfer_ids: tuple[str, ...] = ()  # "d:<chain tx id>" deposits, "w<id>" withdrawal requests.

    @property
    def key(self) -> str:
        # Counterparties stay out: a fan-in that gains a seller is the same case, not a new one.
        accounts = "-".join(str(a) for a in sorted(self.account_ids))
        return f"{self.rule.value}/{accounts}/{self.window_index}"


def _ids(label: str, ids: tuple) -> str:
    if not ids:
        return ""
    shown = ",".join(str(i) for i in ids[:EVIDENCE_IDS_MAX])
    more = f" and {len(ids) - EVIDENCE_IDS_MAX} more" if len(ids) > EVIDENCE_IDS_MAX else ""
    return f"; {label} [{shown}{more}]"


def case_summary(hit: Hit, account_id: int) -> str:
    """The case text for one account: rule, evidence ids, the key that dedupes it."""
    others = [a for a in (*hit.account_ids, *hit.related_account_ids) if a != account_id]
    parts = [f"surveillance {hit.rule.value}: account {account_id}"]
    if others:
        parts.append(f" with accounts {','.join(str(a) for a in others[:EVIDENCE_IDS_MAX])}")
    parts.append(f"; {hit.detail}")
    parts.append(_ids("trades", hit.trade_ids) + _ids("orders", hit.order_ids) + _ids("transfers", hit.transfer_ids))
    if hit.rule in HIGH_SEVERITY:
        parts.append("; suggested: restrict withdrawals (needs four-eyes approval)")
    suffix = f" [key={hit.key}]"
    text = "".join(parts)
    return text[: TEXT_LENGTH_MAX - len(suffix)] + suffix


def case_key(summary: str) -> str | None:
    """The hit key written by `case_summary`, or None for a case surveillance did not open."""
    found = _KEY.search(summary)
    return found.group(1) if found else None
