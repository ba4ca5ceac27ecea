"""A deliberately simple model of the engine: one list of orders, linear scans, no cleverness.

It re-states the documented rules (engine/placement.py, matching.py, stops.py,
orders.py) in the most obvious way, so the stateful test can compare every
event of the real engine with it. Priority is an explicit `arrival` counter;
the best maker is found by scanning the whole list. Covers one instrument
and every command except AUCTION re-opening (tested by examples).

One concern per module, each class building on the one before:
reference_state.py (the order list and its views), reference_matching.py
(fills, expiries, stop triggers), reference_placing.py and
reference_cancel_amend.py (each command's reject ladder and effect); here the
command dispatch and the market-wide commands.
"""
from engine.commands import AmendOrder, CancelAll, CancelOrder, PlaceOrder, SetMarketState, SetReferencePrice
from engine.events import MarketStateChanged, ReferencePriceSet
from reference_cancel_amend import CancelAndAmend
from reference_placing import Placing


class ReferenceBook(Placing, CancelAndAmend):
    def apply(self, command, sequence: int, timestamp_ns: int) -> list:
        self.sequence, self.timestamp = sequence, timestamp_ns
        handler = {PlaceOrder: self.place, CancelOrder: self.cancel, CancelAll: self.cancel_all,
                   AmendOrder: self.amend, SetMarketState: self.set_state,
                   SetReferencePrice: self.set_reference}[type(command)]
        return handler(command)

    def set_state(self, c: SetMarketState) -> list:
        old, self.market_state = self.market_state, c.market_state
        return [MarketStateChanged(self.sequence, self.timestamp, c.instrument_id, old, c.market_state)]

    def set_reference(self, c: SetReferencePrice) -> list:
        self.reference = c.price_ticks
        return [ReferencePriceSet(self.sequence, self.timestamp, c.instrument_id, c.price_ticks)]
