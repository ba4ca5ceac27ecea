"""Orders with funds: hold before matching, settle every fill, release what is left.

Per order the venue keeps a reservation: the funds held for it in the ledger
(quote for a buy at its limit price, base for a sell). A fill consumes the
reservation by exactly what it settles; a buy that fills below its limit
gets the price improvement released at once (its rest needs only limit x open
lots); when the engine says the order is done, whatever is left is released. So at every command boundary, for each customer and asset,
`held == sum of the reservations of that customer's open orders` (checked by
`check()`).

Market buys hold quote at the top of the price band, the furthest a market
order may trade. A stop-market buy is turned into a stop-limit IOC at the
band's top when placed, so a later trigger can never spend more than was
held (documented in docs/exchange.md).

Fees follow Binance: the buyer pays in the base it receives, the seller in
the quote it receives, at the maker or taker rate of its role, rounded down
to the smallest unit.
"""
import hashlib
from collections import deque

from engine.commands import OrderType, PlaceOrder, Side, TimeInForce
from engine.events import (OrderAccepted, OrderAmended, OrderCancelled, OrderDone, OrderExpired, OrderRejected,
                           OrderTriggered, Trade)
from engine.reject import RejectCode
from ledger import entries
from exchange.results import Accepted, OrderExists, OrderResult, VenueCode
from exchange.store.base import OrderRecord, TradeRecord

BPS = 10_000
# Hot paths read an enum member's text as `member._value_` (a plain attribute, part of the enum API):
# `member.value` is a property that costs ~10x more, several times per order.
# A retry with the same client order id within this window returns the original order.
CLIENT_ORDER_ID_MEMORY_NS = 24 * 3_600 * 1_000_000_000


class OpenOrder:
    """The venue's view of one open order: its record fields and its reservation."""

    __slots__ = ("order_id", "account_id", "instrument_id", "client_order_id", "side", "order_type",
                 "time_in_force", "price_ticks", "stop_price_ticks", "quantity_lots", "filled_lots",
                 "status", "created_sequence", "created_ns", "asset", "reserved_units", "post_only",
                 "stp_mode")

    def record(self, sequence: int, timestamp_ns: int) -> OrderRecord:
        return OrderRecord(  # Positional, in OrderRecord's field order.
            self.order_id, self.account_id, self.instrument_id, self.client_order_id, self.side, self.order_type,
            self.time_in_force, self.price_ticks, self.stop_price_ticks, self.quantity_lots, self.filled_lots,
            self.status, self.created_sequence, sequence, self.created_ns, timestamp_ns, self.post_only,
            self.stp_mode)


def engine_order(command, sequence: int, band_high_ticks: int) -> PlaceOrder:
    """The engine command for a customer's order; a stop-market buy gets its band-top limit."""
    order_type, time_in_force, price_ticks = command.order_type, command.time_in_force, command.price_ticks
    if order_type is OrderType.STOP_MARKET and command.side is Side.BUY:
        order_type, time_in_force, price_ticks = OrderType.STOP_LIMIT, TimeInForce.IOC, band_high_ticks
    return PlaceOrder(
        order_id=sequence, account_id=command.account_id, instrument_id=command.instrument_id,
        client_order_id=command.client_order_id, side=command.side, order_type=order_type,
        time_in_force=time_in_force, price_ticks=price_ticks, stop_price_ticks=command.stop_price_ticks,
        quantity_lots=command.quantity_lots, post_only=command.post_only, stp_mode=command.stp_mode)


def reservation(instrument, side: Side, price_ticks: int | None, quantity_lots: int, band_high_ticks: int):
    """(asset, units) an order must hold: quote at its limit (or the band top) for a buy, base for a sell."""
    if side is Side.SELL:
        return instrument.base, quantity_lots * instrument.base_units_per_lot
    price = band_high_ticks if price_ticks is None else price_ticks
    return instrument.quote, price * quantity_lots * instrument.quote_units_per_tick_lot


class Trading:
    """Order placement, amendment and cancellation with their ledger effects."""

    def __init__(self, venue):
        self.venue = venue
        self.open: dict[int, OpenOrder] = {}
        # (account, client order id) -> (order id, command fingerprint, timestamp_ns), oldest first.
        self.client_orders: dict[tuple[int, str], tuple[int, str, int]] = {}
        self._client_order_times: deque = deque()

    def submit(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        fingerprint = None
        if command.client_order_id is not None:
            fingerprint = hashlib.blake2b(outcome.journal.command, digest_size=12).hexdigest()
            repeat = self._repeat(command, fingerprint, timestamp_ns)
            if repeat is not None:
                return repeat
        refusal = venue.compliance.check_can_trade(str(command.account_id))
        if refusal is not None:
            return venue.refused_by(refusal)
        instrument = venue.engine.instrument(command.instrument_id)
        if instrument is None:
            return venue.refused(VenueCode.INSTRUMENT_UNKNOWN, f"no instrument {command.instrument_id}")
        band_high = venue.engine.price_band(command.instrument_id)[1]
        place = engine_order(command, sequence, band_high)
        asset, units = reservation(instrument, place.side, place.price_ticks, place.quantity_lots, band_high)
        # An order the engine will refuse for its shape gets the engine's reason, not a funds refusal.
        sane = instrument.min_quantity_lots <= place.quantity_lots <= instrument.max_quantity_lots and \
            (place.price_ticks is None or 0 < place.price_ticks <= band_high)
        if sane and venue.ledger.available(command.account_id, asset) < units:
            return venue.refused(VenueCode.INSUFFICIENT_FUNDS, f"not enough {asset} available",
                                 required_units=units, asset=asset)
        events = venue.engine.apply(place, sequence, timestamp_ns)
        first = events[0]
        if type(first) is OrderRejected:
            outcome.events = events
            return venue.refused(first.code.name, f"order rejected: {first.code.name}")
        order = self._open(place, sequence, timestamp_ns, asset, units)
        # Show the customer's own order type (a stop-market buy runs as a protected stop-limit IOC).
        order.order_type, order.time_in_force = command.order_type._value_, command.time_in_force._value_
        if fingerprint is not None:
            self.remember_client_order(command.account_id, command.client_order_id, sequence, fingerprint,
                                       timestamp_ns)
        venue.post(entries.hold(venue.entry_id(sequence, outcome), sequence, command.account_id, asset, units, f"order {sequence}"),
                   outcome)
        self.apply_events(events, sequence, timestamp_ns, outcome)
        return self.result(order, outcome, sequence, timestamp_ns)

    def _repeat(self, command, fingerprint: str, timestamp_ns: int):
        """The original order of a retried command, a refusal for a reused id, or None for a new one."""
        times = self._client_order_times
        while times and times[0][0] < timestamp_ns - CLIENT_ORDER_ID_MEMORY_NS:
            _, key = times.popleft()
            self.client_orders.pop(key, None)
        prior = self.client_orders.get((command.account_id, command.client_order_id))
        if prior is None:
            return None
        if prior[1] == fingerprint:
            return OrderExists(order_id=prior[0])
        return self.venue.refused(RejectCode.CLIENT_ORDER_ID_IN_USE.name,
                                  f"client order id {command.client_order_id!r} was used for another order")

    def remember_client_order(self, account_id: int, client_order_id: str, order_id: int, fingerprint: str,
                              timestamp_ns: int) -> None:
        key = (account_id, client_order_id)
        self.client_orders[key] = (order_id, fingerprint, timestamp_ns)
        self._client_order_times.append((timestamp_ns, key))

    def _open(self, place: PlaceOrder, sequence: int, timestamp_ns: int, asset: str, units: int) -> OpenOrder:
        order = OpenOrder()
        order.order_id, order.account_id, order.instrument_id = place.order_id, place.account_id, place.instrument_id
        order.client_order_id, order.side, order.order_type = place.client_order_id, place.side._value_, \
            place.order_type._value_
        order.time_in_force, order.price_ticks = place.time_in_force._value_, place.price_ticks
        order.stop_price_ticks, order.quantity_lots, order.filled_lots = place.stop_price_ticks, \
            place.quantity_lots, 0
        order.status, order.created_sequence, order.created_ns = "NEW", sequence, timestamp_ns
        order.asset, order.reserved_units, order.post_only = asset, units, place.post_only
        order.stp_mode = place.stp_mode._value_
        self.open[order.order_id] = order
        return order

    def result(self, order: OpenOrder, outcome, sequence: int, timestamp_ns: int):
        order_id = order.order_id
        for record in reversed(outcome.orders):  # The order's last row written by this command.
            if record.order_id == order_id:
                break
        else:
            record = order.record(sequence, timestamp_ns)
        fills = [t for t in outcome.trades if t.taker_order_id == order_id or t.maker_order_id == order_id]
        return OrderResult(order=record, fills=fills)

    def amend(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        order = self.open.get(command.order_id)
        extra = 0
        if order is not None and order.account_id == command.account_id:
            instrument = venue.engine.instrument(order.instrument_id)
            price = command.new_price_ticks if command.new_price_ticks is not None else order.price_ticks
            open_lots = order.quantity_lots - order.filled_lots
            lots = command.new_quantity_lots if command.new_quantity_lots is not None else open_lots
            _, needed = reservation(instrument, Side(order.side), price, lots, 0)
            extra = needed - order.reserved_units
            if extra > 0 and venue.ledger.available(order.account_id, order.asset) < extra:
                return venue.refused(VenueCode.INSUFFICIENT_FUNDS, f"not enough {order.asset} available",
                                     required_units=extra, asset=order.asset)
        events = venue.engine.apply(command, sequence, timestamp_ns)
        if type(events[0]) is OrderRejected:
            return venue.refused(events[0].code.name, f"amend rejected: {events[0].code.name}")
        if extra > 0:
            venue.post(entries.hold(venue.entry_id(sequence, outcome), sequence, order.account_id, order.asset, extra,
                                    f"amend {order.order_id}"), outcome)
            order.reserved_units += extra
        elif extra < 0:
            self._release(order, -extra, sequence, outcome)
        self.apply_events(events, sequence, timestamp_ns, outcome)
        return self.result(order, outcome, sequence, timestamp_ns)

    def cancel(self, command, sequence: int, timestamp_ns: int, outcome):
        venue = self.venue
        events = venue.engine.apply(command, sequence, timestamp_ns)
        if events and type(events[0]) is OrderRejected:
            return venue.refused(events[0].code.name, f"cancel rejected: {events[0].code.name}")
        self.apply_events(events, sequence, timestamp_ns, outcome)
        return Accepted(data={"orders": list(outcome.orders)})

    def apply_events(self, events: list, sequence: int, timestamp_ns: int, outcome) -> None:
        """Settle trades, record status changes, release the funds of finished orders."""
        dirty: dict[int, OpenOrder] = {}
        open_orders = self.open
        for event in events:
            kind = type(event)
            if kind is Trade:
                self._settle(event, sequence, timestamp_ns, outcome, dirty)
            elif kind is OrderDone:
                order = open_orders.pop(event.order_id)
                order.status = _final_status(order, event)
                if order.reserved_units:
                    self._release(order, order.reserved_units, sequence, outcome)
                dirty[order.order_id] = order
            elif kind is OrderAccepted or kind is OrderCancelled or kind is OrderExpired or kind is OrderTriggered:
                dirty[event.order_id] = open_orders[event.order_id]
            elif kind is OrderAmended:
                order = open_orders[event.order_id]
                order.price_ticks = event.new_price_ticks
                order.quantity_lots = order.filled_lots + event.new_quantity_lots
                dirty[order.order_id] = order
        outcome.events = [*outcome.events, *events] if outcome.events else events
        levels = set()
        records = []
        for order in dirty.values():
            if order.order_id in open_orders and order.side == "BUY":
                self._release_price_improvement(order, sequence, outcome)
            records.append(order.record(sequence, timestamp_ns))
            if order.price_ticks is not None:
                levels.add((order.instrument_id, order.side, order.price_ticks))
        if records:
            outcome.orders = [*outcome.orders, *records] if outcome.orders else records
        if levels:
            changes = self._level_quantities(levels)
            outcome.levels = [*outcome.levels, *changes] if outcome.levels else changes

    def _level_quantities(self, levels) -> list[tuple[int, str, int, int]]:
        """Aggregated open lots now at each touched (instrument, side, price); 0 when the level is gone."""
        books = self.venue.engine.books
        changes = []
        for instrument_id, side, price in sorted(levels):
            book = books[instrument_id]
            level = book.bids.get(-price) if side == "BUY" else book.asks.get(price)
            changes.append((instrument_id, side, price, level.quantity_lots if level is not None else 0))
        return changes

    def _release_price_improvement(self, order: OpenOrder, sequence: int, outcome) -> None:
        """A buy that filled below its limit needs less held for its rest: give the difference back now."""
        instrument = self.venue.engine.instrument(order.instrument_id)
        needed = order.price_ticks * (order.quantity_lots - order.filled_lots) * instrument.quote_units_per_tick_lot
        if order.reserved_units > needed:
            self._release(order, order.reserved_units - needed, sequence, outcome)

    def _settle(self, trade: Trade, sequence: int, timestamp_ns: int, outcome, dirty: dict) -> None:
        venue = self.venue
        instrument = venue.engine.instrument(trade.instrument_id)
        maker = self.open[trade.maker_order_id]
        taker = self.open[trade.taker_order_id]
        base_units = trade.quantity_lots * instrument.base_units_per_lot
        quote_units = trade.price_ticks * trade.quantity_lots * instrument.quote_units_per_tick_lot
        maker_bps = venue.fees.rates(trade.instrument_id, venue.tier_of(maker.account_id))[0]
        taker_bps = venue.fees.rates(trade.instrument_id, venue.tier_of(taker.account_id))[1]
        if trade.taker_side is Side.BUY:
            buyer, seller, buyer_bps, seller_bps = taker, maker, taker_bps, maker_bps
        else:
            buyer, seller, buyer_bps, seller_bps = maker, taker, maker_bps, taker_bps
        buyer_fee = base_units * buyer_bps // BPS
        seller_fee = quote_units * seller_bps // BPS
        venue.post(entries.trade_settlement(
            f"t{trade.trade_id}", sequence, trade.trade_id, buyer.account_id, seller.account_id,
            instrument.base, base_units, instrument.quote, quote_units, buyer_fee, seller_fee), outcome)
        buyer.reserved_units -= quote_units
        seller.reserved_units -= base_units
        for order in (maker, taker):
            order.filled_lots += trade.quantity_lots
            order.status = "PARTIALLY_FILLED"
            dirty[order.order_id] = order
        maker_fee, taker_fee = (buyer_fee, seller_fee) if buyer is maker else (seller_fee, buyer_fee)
        record = TradeRecord(  # Positional, in TradeRecord's field order.
            trade.trade_id, sequence, timestamp_ns, trade.instrument_id, trade.price_ticks, trade.quantity_lots,
            trade.taker_side._value_, trade.maker_order_id, trade.taker_order_id, trade.maker_account_id,
            trade.taker_account_id, maker_fee, taker_fee)
        if outcome.trades:
            outcome.trades.append(record)
        else:
            outcome.trades = [record]

    def _release(self, order: OpenOrder, units: int, sequence: int, outcome) -> None:
        self.venue.post(entries.release(self.venue.entry_id(sequence, outcome), sequence, order.account_id, order.asset,
                                        units, f"order {order.order_id}"), outcome)
        order.reserved_units -= units

    def reserved(self) -> dict[tuple[int, str], int]:
        """(account, asset) -> units held for open orders: must equal the ledger's held balances."""
        totals: dict[tuple[int, str], int] = {}
        for order in self.open.values():
            key = (order.account_id, order.asset)
            totals[key] = totals.get(key, 0) + order.reserved_units
        return totals


def _final_status(order: OpenOrder, done: OrderDone) -> str:
    reason = done.reason._value_
    if reason == "FILLED":
        return "FILLED"
    return "CANCELLED" if reason == "CANCELLED" else "EXPIRED"
