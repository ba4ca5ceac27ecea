"""Market states: halted, cancel-only, post-only, and the call auction that re-opens a market."""
from engine.commands import AmendOrder, CancelOrder, MarketState, OrderType, SetMarketState, Side, TimeInForce
from engine.events import MarketStateChanged, OrderTriggered, Trade
from engine.reject import RejectCode
from engine_blotter import kinds


def switch(blotter, market_state):
    return blotter.apply(SetMarketState(instrument_id=1, market_state=market_state))


def test_halted_market_refuses_orders_and_amends_but_lets_orders_be_cancelled(blotter):
    blotter.sell(10_000, 5)
    assert switch(blotter, MarketState.HALTED) == [
        MarketStateChanged(3, 3_000, 1, MarketState.OPEN, MarketState.HALTED)]
    assert blotter.engine.market_state(1) is MarketState.HALTED
    assert blotter.buy(10_000, 5, account_id=2)[0].code is RejectCode.MARKET_HALTED
    amend = AmendOrder(account_id=1, instrument_id=1, order_id=2, new_quantity_lots=1)
    assert blotter.apply(amend)[0].code is RejectCode.MARKET_HALTED
    assert kinds(blotter.apply(CancelOrder(account_id=1, instrument_id=1, order_id=2))) == [
        "order_cancelled", "order_done"]


def test_cancel_only_market_refuses_new_orders(blotter):
    switch(blotter, MarketState.CANCEL_ONLY)
    assert blotter.buy(10_000, 1)[0].code is RejectCode.MARKET_CANCEL_ONLY


def test_post_only_market_accepts_resting_limits_only(blotter):
    blotter.sell(10_000, 5)
    switch(blotter, MarketState.POST_ONLY)
    assert blotter.buy(10_000, 1, account_id=2)[0].code is RejectCode.POST_ONLY_WOULD_CROSS
    assert blotter.buy(10_000, 1, account_id=2, time_in_force=TimeInForce.IOC)[0].code is \
        RejectCode.MARKET_POST_ONLY
    assert kinds(blotter.buy(9_999, 1, account_id=2)) == ["order_accepted"]


def test_auction_collects_crossing_orders_then_uncrosses_at_one_price_on_open(blotter):
    switch(blotter, MarketState.AUCTION)
    blotter.buy(10_300, 4, account_id=1)    # order 3
    blotter.buy(10_100, 4, account_id=2)    # order 4
    blotter.sell(10_000, 3, account_id=3)   # order 5
    blotter.sell(10_200, 3, account_id=4)   # order 6
    assert blotter.engine.depth(1, 5).bids[0][0] > blotter.engine.depth(1, 5).asks[0][0]
    events = switch(blotter, MarketState.OPEN)
    prints = [(e.price_ticks, e.quantity_lots, e.maker_order_id, e.taker_order_id) for e in events
              if isinstance(e, Trade)]
    # At 10_200: buy 4 (>= 10_200) vs sell 6 (<= 10_200): 4 lots, the most any price executes.
    assert prints == [(10_200, 3, 3, 5), (10_200, 1, 3, 6)]
    depth = blotter.engine.depth(1, 5)
    assert depth.bids == [(10_100, 4)] and depth.asks == [(10_200, 2)]
    assert blotter.engine.price_band(1) == (9_180, 11_220)


def test_auction_refuses_orders_that_cannot_rest(blotter):
    switch(blotter, MarketState.AUCTION)
    events = blotter.order(Side.BUY, None, 1, order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC)
    assert events[0].code is RejectCode.MARKET_AUCTION_LIMIT_ONLY


def test_auction_self_cross_is_prevented_by_the_later_order(blotter):
    switch(blotter, MarketState.AUCTION)
    blotter.buy(10_100, 2, account_id=1)    # order 3
    blotter.sell(10_000, 2, account_id=1)   # order 4: the later one, EXPIRE_TAKER
    events = switch(blotter, MarketState.OPEN)
    assert not any(isinstance(e, Trade) for e in events)
    assert kinds(events) == ["market_state_changed", "order_expired", "order_done"]
    assert events[1].order_id == 4
    assert blotter.engine.depth(1, 5).bids == [(10_100, 2)]


def test_reopening_trades_trigger_stops(blotter):
    blotter.order(Side.BUY, 10_200, 1, order_type=OrderType.STOP_LIMIT, stop_price_ticks=10_100)  # order 2
    switch(blotter, MarketState.AUCTION)
    blotter.buy(10_150, 1, account_id=2)
    blotter.sell(10_150, 1, account_id=3)
    events = switch(blotter, MarketState.OPEN)
    assert [e.order_id for e in events if isinstance(e, OrderTriggered)] == [2]
