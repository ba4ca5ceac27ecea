"""Builders shared by the engine tests: one instrument, terse order commands."""
from engine.commands import OrderType, PlaceOrder, SetReferencePrice, Side, TimeInForce
from engine.engine import Engine
from engine.instrument import Instrument

BTC_USDT = Instrument(
    instrument_id=1, symbol="BTC/USDT", base="BTC", quote="USDT", tick_size="0.01", lot_size="0.0001",
    base_units_per_lot=10_000, quote_units_per_tick_lot=1, min_quantity_lots=1,
    max_quantity_lots=1_000_000, min_notional_tick_lots=100, price_band_bps=1_000,
)
REFERENCE_PRICE_TICKS = 10_000


class Blotter:
    """An engine plus a sequence counter, so scenario tests read like a blotter."""

    def __init__(self, engine: Engine | None = None):
        self.engine = engine or Engine()
        self.sequence = 0

    def apply(self, command) -> list:
        self.sequence += 1
        self.hash_before = self.engine.state_hash()
        events = self.engine.apply(command, self.sequence, 1_000 * self.sequence)
        self.engine.check()
        return events

    def order(self, side: Side, price_ticks: int | None, quantity_lots: int, account_id: int = 1,
              order_type: OrderType = OrderType.LIMIT, time_in_force: TimeInForce = TimeInForce.GTC,
              instrument_id: int = 1, **fields) -> list:
        """Place an order whose id is the next sequence number, as the sequencer does."""
        command = PlaceOrder(order_id=self.sequence + 1, account_id=account_id, instrument_id=instrument_id, side=side,
                             order_type=order_type, time_in_force=time_in_force, price_ticks=price_ticks,
                             quantity_lots=quantity_lots, **fields)
        return self.apply(command)

    def apply_reference(self, price_ticks: int) -> list:
        return self.apply(SetReferencePrice(instrument_id=1, price_ticks=price_ticks))

    def buy(self, price_ticks, quantity_lots, **fields) -> list:
        return self.order(Side.BUY, price_ticks, quantity_lots, **fields)

    def sell(self, price_ticks, quantity_lots, **fields) -> list:
        return self.order(Side.SELL, price_ticks, quantity_lots, **fields)


def kinds(events) -> list[str]:
    """Event tags in order, e.g. ["order_accepted", "trade", "order_done"]."""
    return [type(event).__struct_config__.tag for event in events]

