"""The detector: committed outcomes in, rule hits out. Pure and deterministic.

Feed it every committed outcome in sequence order (`observe`), or the same
facts one by one when rebuilding from the store (`on_trade`, `on_order`,
`on_transfer`, `set_thresholds`). It never touches the venue's state: what it
needs beyond the facts (identity match keys, the band midpoint, TMT valuation,
tier limits) comes from a `directory` with four read-only methods:

    identity_keys(account_id) -> tuple[str, ...]
    reference_price_ticks(instrument_id) -> int | None
    value_tmt_units(asset, amount_units) -> int
    daily_limit_tmt_units(account_id, kind) -> int | None   # kind: "deposit" | "withdrawal"

Memory is bounded by the activity inside the rules' windows (see windows.py).
"""
from exchange.surveillance.hits import Hit
from exchange.surveillance.observations import thresholds_of, transfer_of
from exchange.surveillance.reference import References, buyer_and_seller, listing_of
from exchange.surveillance.spoofing import Spoofing
from exchange.surveillance.structuring import Structuring
from exchange.surveillance.thresholds import DEFAULT_THRESHOLDS, Thresholds
from exchange.surveillance.value_transfer import ValueTransfer
from exchange.surveillance.wash_trading import WashTrading


class Detector:
    def __init__(self, directory, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.thresholds = thresholds  # Read by every rule at each use, so a change applies at once.
        self.references = References(self, directory)
        self._wash = WashTrading(self, directory)
        self._value = ValueTransfer(self, directory, self.references)
        self._spoofing = Spoofing(self, self.references)
        self._structuring = Structuring(self, directory)
        self.facts_processed = 0

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    def on_audit(self, record) -> None:
        """Staff actions that matter here: threshold changes and listings (their reference price)."""
        thresholds = thresholds_of(record)
        if thresholds is not None:
            self.set_thresholds(thresholds)
        listing = listing_of(record)
        if listing is not None:
            self.references.set_listing(*listing)

    def observe(self, outcome) -> list[Hit]:
        """Every hit one committed outcome raises. O(trades + orders + entries of the command)."""
        hits: list[Hit] = []
        for record in outcome.audit:
            self.on_audit(record)
        for trade in outcome.trades:
            hits.extend(self.on_trade(trade))
        for order in outcome.orders:
            hit = self.on_order(order)
            if hit is not None:
                hits.append(hit)
        for entry in outcome.entries:
            transfer = transfer_of(entry, outcome.journal.timestamp_ns)
            if transfer is not None:
                hit = self.on_transfer(transfer)
                if hit is not None:
                    hits.append(hit)
        return hits

    def on_trade(self, trade) -> list[Hit]:
        self.facts_processed += 1
        hits = self._wash.on_trade(trade)
        hits.extend(self._value.on_trade(trade))  # Judged against the references before this trade joins them.
        buyer, seller = buyer_and_seller(trade)
        self.references.add(trade.instrument_id, trade.price_ticks, buyer, seller)
        return hits

    def on_order(self, order) -> Hit | None:
        self.facts_processed += 1
        return self._spoofing.on_order(order)

    def on_placed(self, order) -> None:
        """An order read back from the store: count its size as if its placement had been seen."""
        self._spoofing.on_placed(order)

    def on_transfer(self, transfer) -> Hit | None:
        self.facts_processed += 1
        return self._structuring.on_transfer(transfer)
