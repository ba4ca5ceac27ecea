"""Random order flow through the whole venue: funds are held, settled and released exactly.

After every command: the ledger invariants hold (sums zero, nothing negative),
every customer's held balance equals the reservations of their open orders,
and each customer's total (available + held) of each asset changes only by
trades (what the customer bought or sold, minus fees). Nothing is created or
lost: per asset, customers + fee account == what was deposited. Every
command's outcome reports each balance it changed (for the account streams),
with the values right after it.
"""
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from engine.commands import AmendOrder, CancelAll, CancelOrder, OrderType, Side, StpMode, TimeInForce
from ledger.accounts import EXCHANGE_FEES
from exchange import commands as c
from exchange.results import OrderResult
from tests.exchange.venue_setup import VenueDriver

DEPOSITS = {"USDT": 100_000_000_000, "BTC": 100_000_000}
REFERENCE = 10_000_000
PRICES = st.integers(REFERENCE - 30, REFERENCE + 30)


class VenueFunds(RuleBasedStateMachine):
    @initialize()
    def open_market(self):
        self.driver = VenueDriver()
        self.driver.market(reference_price_ticks=REFERENCE)
        self.accounts = [self.driver.customer(f"c{i}@x.tm", f"DOC{i:06d}") for i in range(3)]
        for account in self.accounts:
            for asset, amount in DEPOSITS.items():
                assert self.driver.fund(account, asset, amount, f"tx-{account}-{asset}").data["amount_units"] == amount
        self.order_ids: list[int] = []
        self.driver.apply = self._reporting_balances(self.driver.apply)

    def _balances(self) -> dict:
        ledger = self.driver.venue.ledger
        return {(a, asset): (ledger.available(a, asset), ledger.held(a, asset))
                for a in self.accounts for asset in DEPOSITS}

    def _reporting_balances(self, apply):
        def apply_and_check(command):
            before = self._balances()
            outcome = apply(command)
            after = self._balances()
            shown = outcome.balances
            assert list(shown) == sorted(shown), "balances come in (customer, asset) order"
            assert {(customer, asset) for customer, asset, _, _ in shown} >= \
                {key for key, value in after.items() if value != before[key]}, "a changed balance was not reported"
            assert all(after[(customer, asset)] == (available, held) for customer, asset, available, held in shown)
            return outcome
        return apply_and_check

    @rule(account=st.integers(0, 2), side=st.sampled_from(Side), price=PRICES, lots=st.integers(1, 400),
          tif=st.sampled_from(TimeInForce), post_only=st.booleans(), stp=st.sampled_from(StpMode))
    def limit(self, account, side, price, lots, tif, post_only, stp):
        if post_only:
            tif = TimeInForce.GTC
        result = self.driver.order(self.accounts[account], side, price, lots, time_in_force=tif,
                                   post_only=post_only, stp_mode=stp)
        if type(result) is OrderResult:
            self.order_ids.append(result.order.order_id)

    @rule(account=st.integers(0, 2), side=st.sampled_from(Side), lots=st.integers(1, 300))
    def market(self, account, side, lots):
        self.driver.order(self.accounts[account], side, None, lots, order_type=OrderType.MARKET,
                          time_in_force=TimeInForce.IOC)

    @rule(account=st.integers(0, 2), side=st.sampled_from(Side), stop=PRICES, lots=st.integers(1, 200),
          limit=st.booleans(), price=PRICES)
    def stop(self, account, side, stop, lots, limit, price):
        order_type = OrderType.STOP_LIMIT if limit else OrderType.STOP_MARKET
        self.driver.order(self.accounts[account], side, price if limit else None, lots, order_type=order_type,
                          stop_price_ticks=stop)

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def cancel(self, data):
        order_id = data.draw(st.sampled_from(self.order_ids))
        order = self.driver.venue.trading.open.get(order_id)
        account = order.account_id if order else self.accounts[0]
        self.driver.apply(CancelOrder(account_id=account, instrument_id=1, order_id=order_id))

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data(), price=st.one_of(st.none(), PRICES), lots=st.one_of(st.none(), st.integers(1, 500)))
    def amend(self, data, price, lots):
        order_id = data.draw(st.sampled_from(self.order_ids))
        order = self.driver.venue.trading.open.get(order_id)
        if order is None or (price is None and lots is None):
            return
        self.driver.apply(AmendOrder(account_id=order.account_id, instrument_id=1, order_id=order_id,
                                     new_price_ticks=price, new_quantity_lots=lots))

    @rule(account=st.integers(0, 2))
    def cancel_all(self, account):
        self.driver.apply(CancelAll(account_id=self.accounts[account], instrument_id=1))

    @invariant()
    def nothing_created_or_lost(self):
        ledger = self.driver.venue.ledger
        for asset, deposited in DEPOSITS.items():
            customers = sum(sum(ledger.balances(a).get(asset, (0, 0))) for a in self.accounts)
            assert customers + ledger.account_balance(EXCHANGE_FEES, asset) == deposited * len(self.accounts)

    @invariant()
    def held_is_reserved(self):
        # VenueDriver.apply runs venue.check() after every command; this re-checks with no open orders too.
        reserved = self.driver.venue.trading.reserved()
        for account in self.accounts:
            for asset in DEPOSITS:
                assert self.driver.venue.ledger.held(account, asset) == reserved.get((account, asset), 0)


VenueFunds.TestCase.settings = settings(max_examples=150, stateful_step_count=60, deadline=None)
test_venue_funds = VenueFunds.TestCase


def test_replaying_the_journal_gives_the_same_state_hash():
    driver = VenueDriver()
    driver.market(reference_price_ticks=REFERENCE)
    a, b = driver.customer("a@x.tm", "DOC000001"), driver.customer("b@x.tm", "DOC000002")
    for account in (a, b):
        for asset, amount in DEPOSITS.items():
            driver.fund(account, asset, amount, f"tx-{account}-{asset}")
    for index in range(60):
        account, side = (a, Side.BUY) if index % 3 else (b, Side.SELL)
        driver.order(account, side, REFERENCE - 5 + index % 11, 10 + index)
    replayed = VenueDriver()
    for record in driver.journal:
        replayed.venue.apply(c.decode_command(record.command), record.sequence, record.timestamp_ns)
    assert replayed.venue.state_hash() == driver.venue.state_hash()
