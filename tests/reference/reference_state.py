"""The reference book's state: every open order in one list (resting or waiting stops), and the views the rules read."""
from dataclasses import dataclass

from engine.commands import MarketState, PlaceOrder, Side
from engine.events import OrderRejected
from engine.instrument import Instrument

BUY, SELL = Side.BUY, Side.SELL


@dataclass
class Order:
    command: PlaceOrder
    arrival: int
    price_ticks: int | None
    remaining_lots: int
    filled_lots: int = 0
    waiting: bool = False
    protection_ticks: int | None = None


class BookState:
    def __init__(self, instrument: Instrument, reference_price_ticks: int):
        self.instrument = instrument
        self.reference = reference_price_ticks
        self.last_trade: int | None = None
        self.market_state = MarketState.OPEN
        self.orders: list[Order] = []  # Every open order, resting or waiting.
        self.arrivals = 0
        self.trade_id = 0
        self.sequence = self.timestamp = 0

    def band(self) -> tuple[int, int]:
        reach = self.reference * self.instrument.price_band_bps // 10_000
        return max(self.reference - reach, 1), self.reference + reach

    def resting(self) -> list[Order]:
        return [order for order in self.orders if not order.waiting]

    def depth(self) -> tuple[list, list]:
        def side_depth(side, best_first):
            prices = sorted({o.price_ticks for o in self.resting() if o.command.side is side}, reverse=best_first)
            return [(p, sum(o.remaining_lots for o in self.resting() if o.command.side is side
                            and o.price_ticks == p)) for p in prices]
        return side_depth(BUY, True), side_depth(SELL, False)

    def reject(self, code, kind, order_id=None, account_id=None, client_order_id=None) -> list:
        return [OrderRejected(self.sequence, self.timestamp, code, kind, order_id, account_id,
                              self.instrument.instrument_id, client_order_id)]
