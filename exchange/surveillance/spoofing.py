"""Spoofing / layering: large orders near the touch, cancelled before any fill, again and again.

An order counts when its row says CANCELLED with nothing filled, it lived at
most `spoof_cancel_within_ns`, it was at least `spoof_size_multiple` times the
mean size of the market's last `spoof_size_history` orders, and its price was
within `spoof_touch_bps` of the reference price (median of recent trades, or
the band midpoint) when it was cancelled. `spoof_cancels_min` such orders of one
account within `spoof_window_ns` are a hit.

Known gap: "near the touch" is measured against the reference price, not the
best bid / offer at placement (the committed stream carries trades and order
rows, not the book at each instant); in a wide-spread market this is looser.
"""
from collections import deque

from exchange.surveillance.hits import Hit, Rule
from exchange.surveillance.reference import References, deviation_bps
from exchange.surveillance.windows import Windows

_CANCELLED = "CANCELLED"


class Spoofing:
    def __init__(self, settings, references: References) -> None:
        self._settings = settings
        self._references = references
        self._sizes: dict[int, deque] = {}  # instrument -> quantity_lots of recent orders
        self._size_sums: dict[int, int] = {}
        self._cancels = Windows()  # account -> (timestamp_ns, order_id, quantity_lots)

    def on_placed(self, order) -> None:
        """Count a new order's size in its market's mean (a row whose first sequence is its last)."""
        thresholds = self._settings.thresholds
        sizes = self._sizes.get(order.instrument_id)
        if sizes is None or sizes.maxlen != thresholds.spoof_size_history:
            sizes = self._sizes[order.instrument_id] = deque(sizes or (), maxlen=thresholds.spoof_size_history)
            self._size_sums[order.instrument_id] = sum(sizes)
        if len(sizes) == sizes.maxlen:
            self._size_sums[order.instrument_id] -= sizes[0]
        sizes.append(order.quantity_lots)
        self._size_sums[order.instrument_id] += order.quantity_lots

    def on_order(self, order) -> Hit | None:
        if order.created_sequence == order.updated_sequence:
            self.on_placed(order)
            return None
        if order.status != _CANCELLED or order.filled_lots != 0 or order.price_ticks is None:
            return None
        if not self._suspicious(order):
            return None
        return self._repeated(order)

    def _suspicious(self, order) -> bool:
        thresholds = self._settings.thresholds
        if order.updated_ns - order.created_ns > thresholds.spoof_cancel_within_ns:
            return False
        sizes = self._sizes.get(order.instrument_id)
        if not sizes:
            return False
        # quantity >= multiple x mean, in integers: quantity x count >= multiple x sum.
        if order.quantity_lots * len(sizes) < thresholds.spoof_size_multiple * self._size_sums[order.instrument_id]:
            return False
        reference = self._references.reference_ticks(order.instrument_id, (order.account_id,))
        return bool(reference) and deviation_bps(order.price_ticks, reference) <= thresholds.spoof_touch_bps

    def _repeated(self, order) -> Hit | None:
        thresholds = self._settings.thresholds
        items = self._cancels.add(order.account_id, (order.updated_ns, order.order_id, order.quantity_lots),
                                  thresholds.spoof_window_ns)
        if len(items) < thresholds.spoof_cancels_min:
            return None
        return Hit(rule=Rule.SPOOFING, account_ids=(order.account_id,),
                   window_index=order.updated_ns // thresholds.spoof_window_ns, timestamp_ns=order.updated_ns,
                   detail=(f"{len(items)} large orders (up to {max(item[2] for item in items)} lots) near the touch "
                           "cancelled unfilled within the window"),
                   order_ids=tuple(item[1] for item in items))
