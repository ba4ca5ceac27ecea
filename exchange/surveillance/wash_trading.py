"""Wash trading: trades between accounts of one person, and round trips inside one pair.

- Shared identity: a trade whose buyer and seller share a document number, the
  same name and date of birth, or a whitelisted withdrawal address (the same
  owner behind two customers). One such trade is a hit.
- Round trips: A buys q lots from B and B buys the same q lots of the same
  market back from A within `wash_round_trip_within_ns`, at a price within
  `wash_round_trip_price_bps` of the first leg (so neither took market risk); `wash_round_trips_min`
  such round trips inside `wash_window_ns`: volume without a change of owner.
  Two busy market makers trade both ways all day; an exact quantity reversal
  within minutes is what sets a round trip apart from that.
"""
from collections import deque

from exchange.surveillance.hits import Hit, Rule
from exchange.surveillance.reference import buyer_and_seller, deviation_bps
from exchange.surveillance.windows import ITEMS_PER_KEY_MAX, Windows, prune

REPORTED_PAIRS_MAX = 100_000
OPEN_LEG_KEYS_MAX = 100_000
KEY_KINDS = {"doc": "document number", "person": "name and date of birth", "address": "withdrawal address"}


class WashTrading:
    def __init__(self, settings, directory) -> None:
        self._settings = settings
        self._directory = directory
        self._pairs = Windows()  # (low account, high account) -> trades of the pair, oldest first
        # (pair, buyer, instrument, quantity) -> that buyer's unmatched legs, oldest first: a reversal is
        # found without scanning the pair's whole history.
        self._open_legs: dict[tuple, deque] = {}
        # pair -> window index already reported: a busy pair is not rescanned on every later trade.
        self._reported: dict[tuple[int, int], tuple[int, int]] = {}

    def on_trade(self, trade) -> list[Hit]:
        buyer, seller = buyer_and_seller(trade)
        if buyer == seller:
            return []  # Self-trade prevention stops these; nothing to tell apart.
        hits = []
        shared = self._shared_identity(buyer, seller)
        if shared:
            hits.append(self._shared_hit(trade, buyer, seller, shared))
        round_trips = self._round_trips(trade, buyer, seller)
        if round_trips is not None:
            hits.append(round_trips)
        return hits

    def _shared_identity(self, buyer: int, seller: int) -> list[str]:
        keys = set(self._directory.identity_keys(buyer)) & set(self._directory.identity_keys(seller))
        return sorted({KEY_KINDS[key.split(":", 1)[0]] for key in keys})

    def _shared_hit(self, trade, buyer: int, seller: int, shared: list[str]) -> Hit:
        window_ns = self._settings.thresholds.wash_window_ns
        return Hit(rule=Rule.WASH_SHARED_IDENTITY, account_ids=(buyer, seller),
                   window_index=trade.timestamp_ns // window_ns, timestamp_ns=trade.timestamp_ns,
                   detail=f"buyer {buyer} and seller {seller} share identity data ({', '.join(shared)})",
                   trade_ids=(trade.trade_id,))

    def _take_open_leg(self, key, trade, since_ns: int):
        """The newest unmatched leg that this trade reverses (its buyer is now the seller), if any. O(1) usual."""
        legs = self._open_legs.get(key)
        if not legs:
            return None
        prune(legs, since_ns)
        limit_bps = self._settings.thresholds.wash_round_trip_price_bps
        for index in range(len(legs) - 1, -1, -1):
            if deviation_bps(trade.price_ticks, legs[index][6]) <= limit_bps:
                earlier = legs[index]
                del legs[index]
                return earlier
        return None

    def _remember_open_leg(self, key, item: list, now_ns: int) -> None:
        legs = self._open_legs.get(key)
        if legs is None:
            if len(self._open_legs) >= OPEN_LEG_KEYS_MAX:
                since_ns = now_ns - self._settings.thresholds.wash_round_trip_within_ns
                for stale in [k for k, v in self._open_legs.items() if not v or v[-1][0] < since_ns]:
                    del self._open_legs[stale]
            legs = self._open_legs[key] = deque(maxlen=ITEMS_PER_KEY_MAX)
        legs.append(item)

    def _round_trips(self, trade, buyer: int, seller: int) -> Hit | None:
        thresholds = self._settings.thresholds
        pair = (min(buyer, seller), max(buyer, seller))
        now_ns = trade.timestamp_ns
        # [timestamp_ns, trade_id, buyer, instrument_id, quantity_lots, matched trade id or 0, price_ticks]
        item = [now_ns, trade.trade_id, buyer, trade.instrument_id, trade.quantity_lots, 0, trade.price_ticks]
        items = self._pairs.add(pair, item, thresholds.wash_window_ns)
        earlier = self._take_open_leg((pair, seller, trade.instrument_id, trade.quantity_lots), trade,
                                      now_ns - thresholds.wash_round_trip_within_ns)
        if earlier is None:
            self._remember_open_leg((pair, buyer, trade.instrument_id, trade.quantity_lots), item, now_ns)
            return None
        earlier[5], item[5] = trade.trade_id, earlier[1]
        window_index = now_ns // thresholds.wash_window_ns
        reported = (thresholds.wash_window_ns, window_index)  # a threshold change starts afresh
        if self._reported.get(pair) == reported:
            return None  # Hits are one case per pair and window: the rest would be duplicates.
        matched = [entry for entry in items if entry[5] != 0]
        trips = len(matched) // 2
        if trips < thresholds.wash_round_trips_min:
            return None
        if len(self._reported) >= REPORTED_PAIRS_MAX:
            self._reported.clear()  # Bounded memory; forgetting only costs a recount.
        self._reported[pair] = reported
        return Hit(rule=Rule.WASH_ROUND_TRIPS, account_ids=pair,
                   window_index=window_index, timestamp_ns=now_ns,
                   detail=(f"{trips} round trips (same quantity bought back within "
                           f"{thresholds.wash_round_trip_within_ns // 1_000_000_000} s) between accounts "
                           f"{pair[0]} and {pair[1]} within the window"),
                   trade_ids=tuple(entry[1] for entry in matched))
