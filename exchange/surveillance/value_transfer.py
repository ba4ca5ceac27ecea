"""Trade-based value transfer: a payment dressed up as a trade.

- Off-market trade: one trade at least `off_market_single_bps` from the
  reference (median of recent trades by other accounts).
- Off-market pair: at least `off_market_pair_trades_min` trades within the
  window, each `off_market_pair_bps` or more off the reference, with value
  flowing the same way inside one pair (the buyer overpays the same seller,
  or the seller undersells to the same buyer).
- Fan-in: at least `fan_in_sellers_min` accounts each sell to one buyer at
  least `fan_in_seller_trades_min` times, and that buyer takes at least
  `fan_in_share_percent` of each one's sells: many payers, one collector.
  Exclusivity is the test, not size: a market maker buys from everyone, but
  its sellers also sell to everybody else; a payer only sells to the collector.
"""
from exchange.surveillance.hits import Hit, Rule
from exchange.surveillance.reference import References, buyer_and_seller, deviation_bps
from exchange.surveillance.windows import Windows


class ValueTransfer:
    def __init__(self, settings, directory, references: References) -> None:
        self._settings = settings
        self._references = references
        self._flows = Windows()  # (payer, payee) -> (timestamp_ns, trade_id, deviation_bps)
        self._sells = Windows()  # seller -> (timestamp_ns, trade_id, buyer)
        self._sellers_of = {}  # buyer -> set of sellers seen in its window (pruned with _sells)

    def on_trade(self, trade) -> list[Hit]:
        """Judge one trade; call before the trade is added to the references."""
        buyer, seller = buyer_and_seller(trade)
        if buyer == seller:
            return []
        hits = []
        reference = self._references.reference_ticks(trade.instrument_id, (buyer, seller))
        if reference:
            hits.extend(self._off_market(trade, buyer, seller, reference))
        fan_in = self._fan_in(trade, buyer, seller)
        if fan_in is not None:
            hits.append(fan_in)
        return hits

    def _off_market(self, trade, buyer: int, seller: int, reference: int) -> list[Hit]:
        thresholds = self._settings.thresholds
        deviation = deviation_bps(trade.price_ticks, reference)
        window_ns = thresholds.value_transfer_window_ns
        hits = []
        if deviation >= thresholds.off_market_single_bps:
            hits.append(Hit(rule=Rule.OFF_MARKET_TRADE, account_ids=(buyer, seller),
                            window_index=trade.timestamp_ns // window_ns, timestamp_ns=trade.timestamp_ns,
                            detail=(f"trade at {trade.price_ticks} ticks, {deviation} bps from the reference "
                                    f"{reference} ticks"), trade_ids=(trade.trade_id,)))
        if deviation < thresholds.off_market_pair_bps:
            return hits
        # Above the reference the buyer overpays (value to the seller); below it the seller gives value away.
        payer, payee = (buyer, seller) if trade.price_ticks > reference else (seller, buyer)
        items = self._flows.add((payer, payee), (trade.timestamp_ns, trade.trade_id, deviation), window_ns)
        if len(items) >= thresholds.off_market_pair_trades_min:
            hits.append(Hit(rule=Rule.OFF_MARKET_PAIR, account_ids=(payer, payee),
                            window_index=trade.timestamp_ns // window_ns, timestamp_ns=trade.timestamp_ns,
                            detail=(f"{len(items)} off-market trades moving value from account {payer} to "
                                    f"account {payee}, up to {max(item[2] for item in items)} bps from the "
                                    "reference"),
                            trade_ids=tuple(item[1] for item in items)))
        return hits

    def _fan_in(self, trade, buyer: int, seller: int) -> Hit | None:
        thresholds = self._settings.thresholds
        window_ns = thresholds.value_transfer_window_ns
        sells = self._sells.add(seller, (trade.timestamp_ns, trade.trade_id, buyer), window_ns)
        sellers = self._sellers_of.setdefault(buyer, set())
        sellers.add(seller)
        # Only this seller's standing changed for the better, so only its qualifying can make a new hit.
        if len(sellers) < thresholds.fan_in_sellers_min or not _qualifies(sells, buyer, thresholds):
            return None
        since_ns = trade.timestamp_ns - window_ns
        qualifying, trade_ids = [], []
        for candidate in list(sellers):
            sells = self._sells.get(candidate, since_ns)
            into_buyer = [item[1] for item in sells if item[2] == buyer]
            if not into_buyer:
                sellers.discard(candidate)
            elif _qualifies(sells, buyer, thresholds):
                qualifying.append(candidate)
                trade_ids.extend(into_buyer)
        if len(qualifying) < thresholds.fan_in_sellers_min:
            return None
        return Hit(rule=Rule.FAN_IN, account_ids=(buyer,), related_account_ids=tuple(sorted(qualifying)),
                   window_index=trade.timestamp_ns // window_ns, timestamp_ns=trade.timestamp_ns,
                   detail=(f"{len(qualifying)} accounts sold (almost) only to account {buyer}, "
                           f"{len(trade_ids)} trades within the window"),
                   trade_ids=tuple(sorted(trade_ids)))


def _qualifies(sells, buyer: int, thresholds) -> bool:
    """A seller sold to `buyer` often enough, and mostly to it, within the window."""
    into_buyer = sum(1 for item in sells if item[2] == buyer)
    return (into_buyer >= thresholds.fan_in_seller_trades_min
            and into_buyer * 100 >= thresholds.fan_in_share_percent * len(sells))
