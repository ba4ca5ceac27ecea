"""The detector's read-only view of the venue: identity match keys, band midpoint, valuation, limits.

Read from the live venue on the event loop, between batches: it may be a few
commands ahead of the committed stream. That only matters for facts that
change rarely (identity, whitelist, tier, asset rate), and a lookup never
changes anything.
"""
from exchange.surveillance.observations import DEPOSIT


class VenueDirectory:
    def __init__(self, venue_of) -> None:
        self._venue_of = venue_of  # Called each time: the runtime swaps in a rebuilt venue after a failed commit.

    def identity_keys(self, account_id: int) -> tuple[str, ...]:
        return self._venue_of().compliance.match_keys(str(account_id))

    def reference_price_ticks(self, instrument_id: int) -> int | None:
        engine = self._venue_of().engine
        if engine.instrument(instrument_id) is None:
            return None
        low, high = engine.price_band(instrument_id)
        return (low + high) // 2

    def value_tmt_units(self, asset: str, amount_units: int) -> int:
        return self._venue_of().listing.value_tmt_units(asset, amount_units)

    def daily_limit_tmt_units(self, account_id: int, kind: str) -> int | None:
        compliance = self._venue_of().compliance
        tier = compliance.tier_of(str(account_id))
        limits = None if tier is None else compliance.tier_limits(tier)
        if limits is None:
            return None
        return limits.daily_deposit_tmt_units if kind == DEPOSIT else limits.daily_withdrawal_tmt_units
