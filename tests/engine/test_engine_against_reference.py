"""Stateful: random command streams give the same events in the engine and the naive reference model.

After every step: the book is sound and never crossed, its depth and time
priority equal the model's, lots are conserved per order (submitted = filled +
open + cancelled/expired), every accepted order ends with exactly one
OrderDone, a rejected command yields one event, FOK is all-or-nothing and no
trade is a self-trade.
"""
from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engine.commands import (AmendOrder, CancelAll, CancelOrder, DefineInstrument, MarketState, OrderType,
                             PlaceOrder, SetMarketState, SetReferencePrice, Side, StpMode, TimeInForce)
from engine.engine import Engine
from engine.events import ExpireReason, OrderAccepted, OrderAmended, OrderDone, OrderRejected, Trade
from engine.instrument import Instrument
from reference_book import ReferenceBook

SMALL = Instrument(
    instrument_id=1, symbol="ETH/USDT", base="ETH", quote="USDT", tick_size="0.1", lot_size="0.01",
    base_units_per_lot=10**16, quote_units_per_tick_lot=10**5, min_quantity_lots=1, max_quantity_lots=40,
    min_notional_tick_lots=150, price_band_bps=2_000,
)
prices = st.one_of(st.integers(96, 104), st.integers(96, 104), st.integers(75, 125))
quantities = st.one_of(st.integers(1, 12), st.integers(0, 44))
accounts = st.integers(1, 3)
client_ids = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))


class EngineAgainstReference(RuleBasedStateMachine):
    @initialize()
    def list_instrument(self):
        self.engine = Engine()
        self.reference = ReferenceBook(SMALL, 100)
        self.sequence = 1
        self.engine.apply(DefineInstrument(instrument=SMALL, reference_price_ticks=100), 1, 1)
        self.submitted = Counter()  # order id -> lots submitted (amends up add)
        self.settled = Counter()  # order id -> lots filled or taken away (cancel, expiry, amend down)
        self.done = Counter()

    def run(self, command) -> list:
        self.sequence += 1
        events = self.engine.apply(command, self.sequence, 10 * self.sequence)
        expected = self.reference.apply(command, self.sequence, 10 * self.sequence)
        assert events == expected
        self.account_for(events)
        return events

    def account_for(self, events: list) -> None:
        if any(isinstance(event, OrderRejected) for event in events):
            assert len(events) == 1
        for event in events:
            if isinstance(event, OrderAccepted):
                self.submitted[event.order_id] += event.quantity_lots
            elif isinstance(event, Trade):
                assert event.maker_account_id != event.taker_account_id
                self.settled[event.maker_order_id] += event.quantity_lots
                self.settled[event.taker_order_id] += event.quantity_lots
            elif isinstance(event, OrderAmended):
                change = event.new_quantity_lots - event.old_quantity_lots
                self.submitted[event.order_id] += max(change, 0)
                self.settled[event.order_id] += max(-change, 0)
            elif isinstance(event, OrderDone):
                self.done[event.order_id] += 1
                self.settled[event.order_id] += event.remaining_lots
                assert self.engine.order(event.order_id) is None

    @rule(side=st.sampled_from(Side), price_ticks=prices, quantity_lots=quantities,
          account_id=accounts, time_in_force=st.sampled_from(TimeInForce), post_only=st.booleans(),
          stp_mode=st.sampled_from(StpMode), client_order_id=client_ids)
    def place_limit(self, side, price_ticks, quantity_lots, account_id, time_in_force, post_only, stp_mode,
                    client_order_id):
        before = self.engine.depth(1, 100)
        events = self.run(PlaceOrder(
            order_id=self.sequence + 1, account_id=account_id, instrument_id=1, client_order_id=client_order_id,
            side=side, order_type=OrderType.LIMIT, time_in_force=time_in_force, price_ticks=price_ticks,
            quantity_lots=quantity_lots, post_only=post_only and time_in_force is TimeInForce.GTC,
            stp_mode=stp_mode))
        if time_in_force is TimeInForce.FOK and len(events) > 1:
            killed = any(getattr(event, "reason", None) is ExpireReason.FOK_NOT_FILLABLE for event in events)
            taker_lots = sum(e.quantity_lots for e in events if isinstance(e, Trade)
                             and e.taker_order_id == self.sequence)
            assert (killed and len(events) == 3 and self.engine.depth(1, 100).bids == before.bids
                    and self.engine.depth(1, 100).asks == before.asks) or taker_lots == quantity_lots

    @rule(side=st.sampled_from(Side), quantity_lots=st.integers(1, 14), account_id=accounts,
          time_in_force=st.sampled_from([TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTC]),
          stp_mode=st.sampled_from(StpMode))
    def place_market(self, side, quantity_lots, account_id, time_in_force, stp_mode):
        self.run(PlaceOrder(order_id=self.sequence + 1, account_id=account_id, instrument_id=1, side=side,
                            order_type=OrderType.MARKET, time_in_force=time_in_force,
                            quantity_lots=quantity_lots, stp_mode=stp_mode))

    @rule(side=st.sampled_from(Side), stop_price_ticks=st.integers(97, 103), price_ticks=st.one_of(st.none(), prices),
          quantity_lots=st.integers(1, 14), account_id=accounts, time_in_force=st.sampled_from(TimeInForce),
          client_order_id=client_ids)
    def place_stop(self, side, stop_price_ticks, price_ticks, quantity_lots, account_id, time_in_force,
                   client_order_id):
        order_type = OrderType.STOP_MARKET if price_ticks is None else OrderType.STOP_LIMIT
        if order_type is OrderType.STOP_MARKET and time_in_force is TimeInForce.GTC:
            time_in_force = TimeInForce.IOC
        self.run(PlaceOrder(order_id=self.sequence + 1, account_id=account_id, instrument_id=1,
                            client_order_id=client_order_id, side=side, order_type=order_type,
                            time_in_force=time_in_force, price_ticks=price_ticks,
                            stop_price_ticks=stop_price_ticks, quantity_lots=quantity_lots))

    def pick_open_order(self, data) -> tuple[int, int]:
        """Mostly an open order with its own account; sometimes any id and account."""
        open_ids = sorted(self.engine.index.orders)
        if open_ids and data.draw(st.integers(0, 4)):
            order_id = data.draw(st.sampled_from(open_ids))
            return order_id, self.engine.order(order_id).account_id
        return data.draw(st.integers(1, self.sequence + 1)), data.draw(accounts)

    @rule(data=st.data())
    def cancel_by_id(self, data):
        order_id, account_id = self.pick_open_order(data)
        self.run(CancelOrder(account_id=account_id, instrument_id=1, order_id=order_id))

    @rule(data=st.data())
    def cancel_by_client_id(self, data):
        named = sorted(self.engine.index.by_client_id)
        if named and data.draw(st.integers(0, 4)):
            account_id, client_order_id = data.draw(st.sampled_from(named))
        else:
            account_id, client_order_id = data.draw(accounts), data.draw(st.sampled_from(["a", "b", "c"]))
        self.run(CancelOrder(account_id=account_id, instrument_id=1, client_order_id=client_order_id))

    @rule(account_id=st.one_of(st.none(), accounts), operator_acts=st.integers(0, 3))
    def cancel_all(self, account_id, operator_acts):
        if operator_acts == 0:
            self.run(CancelAll(account_id=account_id, instrument_id=1))

    @rule(data=st.data(), new_price_ticks=st.one_of(st.none(), prices),
          new_quantity_lots=st.one_of(st.none(), quantities))
    def amend(self, data, new_price_ticks, new_quantity_lots):
        order_id, account_id = self.pick_open_order(data)
        self.run(AmendOrder(account_id=account_id, instrument_id=1, order_id=order_id,
                            new_price_ticks=new_price_ticks, new_quantity_lots=new_quantity_lots))

    @rule(market_state=st.sampled_from([MarketState.OPEN, MarketState.HALTED, MarketState.CANCEL_ONLY,
                                        MarketState.POST_ONLY]), operator_acts=st.integers(0, 3))
    def set_market_state(self, market_state, operator_acts):
        # Operators act rarely; while the market is not OPEN, reopening is likely.
        if operator_acts == 0 or self.engine.market_state(1) is not MarketState.OPEN:
            self.run(SetMarketState(instrument_id=1, market_state=market_state if operator_acts == 0
                                    else MarketState.OPEN))

    @rule(price_ticks=st.integers(90, 110), operator_acts=st.integers(0, 3))
    def set_reference_price(self, price_ticks, operator_acts):
        if operator_acts == 0:
            self.run(SetReferencePrice(instrument_id=1, price_ticks=price_ticks))

    @rule(side=st.sampled_from(Side), price_ticks=st.integers(97, 103), quantity_lots=st.integers(2, 12),
          account_id=accounts)
    def place_plain_limit(self, side, price_ticks, quantity_lots, account_id):
        self.run(PlaceOrder(order_id=self.sequence + 1, account_id=account_id, instrument_id=1, side=side,
                            order_type=OrderType.LIMIT, price_ticks=price_ticks, quantity_lots=quantity_lots))

    @invariant()
    def book_is_sound_and_equal_to_the_model(self):
        self.engine.check()
        depth = self.engine.depth(1, 1_000)
        assert (depth.bids, depth.asks) == self.reference.depth()
        book = self.engine.books[1]
        assert (book.band_low_ticks, book.band_high_ticks) == self.reference.band()

    @invariant()
    def time_priority_equals_the_model(self):
        def priority(order):
            side_first = 0 if order.command.side is Side.BUY else 1
            price_key = -order.price_ticks if side_first == 0 else order.price_ticks
            return (side_first, price_key, order.arrival)

        expected = [order.command.order_id for order in sorted(self.reference.resting(), key=priority)]
        assert [order.order_id for order in self.engine.books[1].resting_orders()] == expected

    @invariant()
    def open_orders_per_account_equal_the_model(self):
        for account_id in (1, 2, 3):
            expected = sorted(order.command.order_id for order in self.reference.orders
                              if order.command.account_id == account_id)
            assert [view.order_id for view in self.engine.open_orders(account_id)] == expected

    @invariant()
    def lots_are_conserved_and_done_once(self):
        for order_id, submitted in self.submitted.items():
            view = self.engine.order(order_id)
            open_lots = 0 if view is None else view.remaining_lots
            assert submitted == self.settled[order_id] + open_lots
            assert self.done[order_id] == (0 if view is not None else 1)


EngineAgainstReference.TestCase.settings = settings(
    max_examples=150, stateful_step_count=50, deadline=None)
test_engine_against_reference = EngineAgainstReference.TestCase
