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
from exchange.surveillance.hits import Hit, Rule
from exchange.surveillance.reference import buyer_and_seller, deviation_bps
from exchange.surveillance.windows import Windows

REPORTED_PAIRS_MAX = 100_000
KEY_KINDS = {"doc": "document number", "person": "name and date of birth", "address": "withdrawal address"}


class WashTrading:
    def __init__(self, settings, directory) -> None:
        self._settings = settings
        self._directory = directory
        self._pairs = Windows()  # (low account, high account) -> trades of the pair, oldest first
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

    def _round_trips(self, trade, buyer: int, seller: int) -> Hit | None:
        thresholds = self._settings.thresholds
        pair = (min(buyer, seller), max(buyer, seller))
        now_ns = trade.timestamp_ns
        # [timestamp_ns, trade_id, buyer, instrument_id, quantity_lots, matched trade id or 0, price_ticks]
        item = [now_ns, trade.trade_id, buyer, trade.instrument_id, trade.quantity_lots, 0, trade.price_ticks]
        items = self._pairs.add(pair, item, thresholds.wash_window_ns)
        since_ns = now_ns - thresholds.wash_round_trip_within_ns
        for earlier in reversed(items):
            if earlier[0] < since_ns:
                break
            if (earlier[5] == 0 and earlier[2] == seller and earlier[3] == trade.instrument_id
                    and earlier[4] == trade.quantity_lots and earlier is not item
                    and deviation_bps(trade.price_ticks, earlier[6]) <= thresholds.wash_round_trip_price_bps):
                earlier[5], item[5] = trade.trade_id, earlier[1]
                break
        if item[5] == 0:
            return None
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
