"""Reference price per market: the median of recent trades that do not involve the accounts judged.

Leaving out the judged pair's own trades stops a pair that trades mostly with
itself from dragging the reference toward its own prices. Up to
`reference_trades_max` such trades are used, however few there are; with none,
the operator's listing reference (from the `list_market` audit record); and
only if that was never seen, the engine's band midpoint (which follows the
last trade, the pair's own included: the weakest fallback).
Cost: O(reference_trades_max log reference_trades_max) per look-up.
"""
from collections import deque

import msgspec

HISTORY_FACTOR = 4  # Keep this many times the median's length, so excluding a pair still leaves enough.


class References:
    def __init__(self, settings, directory) -> None:
        self._settings = settings
        self._directory = directory
        self._recent: dict[int, deque] = {}  # instrument -> (price_ticks, buyer, seller)
        self._listed: dict[int, int] = {}  # instrument -> the operator's reference at listing

    def reference_ticks(self, instrument_id: int, exclude: tuple[int, ...] = ()) -> int | None:
        """Median price of recent trades without the excluded accounts; the band midpoint otherwise."""
        thresholds = self._settings.thresholds
        prices = []
        for price_ticks, buyer, seller in reversed(self._recent.get(instrument_id, ())):
            if buyer in exclude or seller in exclude:
                continue
            prices.append(price_ticks)
            if len(prices) == thresholds.reference_trades_max:
                break
        if not prices:
            listed = self._listed.get(instrument_id)
            return listed if listed is not None else self._directory.reference_price_ticks(instrument_id)
        prices.sort()
        return prices[len(prices) // 2]

    def set_listing(self, instrument_id: int, reference_ticks: int) -> None:
        self._listed[instrument_id] = reference_ticks

    def add(self, instrument_id: int, price_ticks: int, buyer: int, seller: int) -> None:
        recent = self._recent.get(instrument_id)
        size = self._settings.thresholds.reference_trades_max * HISTORY_FACTOR
        if recent is None or recent.maxlen != size:
            recent = self._recent[instrument_id] = deque(recent or (), maxlen=size)
        recent.append((price_ticks, buyer, seller))


def deviation_bps(price_ticks: int, reference_ticks: int) -> int:
    """|price - reference| in basis points of the reference, rounded down."""
    return abs(price_ticks - reference_ticks) * 10_000 // reference_ticks


def buyer_and_seller(trade) -> tuple[int, int]:
    if trade.taker_side == "BUY":
        return trade.taker_account_id, trade.maker_account_id
    return trade.maker_account_id, trade.taker_account_id


def listing_of(audit_record) -> tuple[int, int] | None:
    """(instrument_id, reference_price_ticks) of an accepted listing, from its audit record."""
    if audit_record.action != "list_market":
        return None
    payload = msgspec.json.decode(audit_record.payload)
    if payload.get("result") != "ok":
        return None
    return payload["instrument"]["instrument_id"], payload["reference_price_ticks"]
