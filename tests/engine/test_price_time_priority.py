"""Limit, market, IOC, FOK and post-only orders, read like a blotter."""
from engine.commands import OrderType, Side, TimeInForce
from engine.events import DoneReason, ExpireReason, OrderDone, OrderExpired, Trade
from engine.reject import RejectCode
from engine_blotter import kinds


def trades(events):
    return [(e.maker_order_id, e.taker_order_id, e.price_ticks, e.quantity_lots) for e in events
            if isinstance(e, Trade)]


def test_best_price_first_then_oldest_first_at_the_maker_price(blotter):
    blotter.sell(10_002, 5)      # order 2
    blotter.sell(10_001, 5)      # order 3
    blotter.sell(10_001, 5)      # order 4
    events = blotter.buy(10_002, 12, account_id=2)  # order 5
    assert trades(events) == [(3, 5, 10_001, 5), (4, 5, 10_001, 5), (2, 5, 10_002, 2)]
    assert blotter.engine.depth(1, 5).asks == [(10_002, 3)]
    assert kinds(events) == ["order_accepted", "trade", "order_done", "trade", "order_done", "trade", "order_done"]


def test_unfilled_rest_of_a_gtc_order_rests_at_its_limit(blotter):
    blotter.sell(10_000, 3)
    events = blotter.buy(10_001, 10, account_id=2)
    assert trades(events) == [(2, 3, 10_000, 3)]
    assert blotter.engine.depth(1, 5).bids == [(10_001, 7)]
    view = blotter.engine.order(3)
    assert (view.filled_lots, view.remaining_lots) == (3, 7)


def test_ioc_remainder_expires_and_is_done(blotter):
    blotter.sell(10_000, 3)
    events = blotter.buy(10_000, 10, account_id=2, time_in_force=TimeInForce.IOC)
    assert kinds(events)[-2:] == ["order_expired", "order_done"]
    assert events[-2].reason is ExpireReason.IOC_REMAINDER and events[-2].remaining_lots == 7
    assert events[-1] == OrderDone(3, 3_000, 3, 2, 1, Side.BUY, 3, 7, DoneReason.EXPIRED)
    assert blotter.engine.depth(1, 5).bids == []


def test_fok_that_cannot_fill_leaves_the_book_untouched(blotter):
    blotter.sell(10_000, 3)
    blotter.sell(10_001, 3)
    before = blotter.engine.state_hash()
    events = blotter.buy(10_001, 7, account_id=2, time_in_force=TimeInForce.FOK)
    assert kinds(events) == ["order_accepted", "order_expired", "order_done"]
    assert events[1].reason is ExpireReason.FOK_NOT_FILLABLE
    assert blotter.engine.state_hash() == before


def test_fok_that_can_fill_fills_completely(blotter):
    blotter.sell(10_000, 3)
    blotter.sell(10_001, 4)
    events = blotter.buy(10_001, 7, account_id=2, time_in_force=TimeInForce.FOK)
    assert sum(lots for *_, lots in trades(events)) == 7
    assert events[-1].reason is DoneReason.FILLED


def test_market_order_never_trades_beyond_the_band(blotter):
    low, high = blotter.engine.price_band(1)
    assert (low, high) == (9_000, 11_000)
    blotter.sell(10_500, 2)
    blotter.sell(11_000, 2)
    blotter.apply_reference(12_000)  # the band moves up to let an ask rest above the old band
    blotter.sell(12_500, 2)
    blotter.apply_reference(10_000)
    events = blotter.order(Side.BUY, None, 10, account_id=2, order_type=OrderType.MARKET,
                           time_in_force=TimeInForce.IOC)
    assert [price for _, _, price, _ in trades(events)] == [10_500, 11_000]
    expired = [e for e in events if isinstance(e, OrderExpired)]
    assert expired[0].reason is ExpireReason.MARKET_REMAINDER and expired[0].remaining_lots == 6
    assert blotter.engine.depth(1, 5).asks == [(12_500, 2)]


def test_market_order_must_not_rest(blotter):
    events = blotter.order(Side.BUY, None, 1, order_type=OrderType.MARKET, time_in_force=TimeInForce.GTC)
    assert events[0].code is RejectCode.TIME_IN_FORCE_NOT_ALLOWED


def test_post_only_is_rejected_when_it_would_cross_never_repriced(blotter):
    blotter.sell(10_000, 3)
    crossing = blotter.buy(10_000, 1, account_id=2, post_only=True)
    assert crossing[0].code is RejectCode.POST_ONLY_WOULD_CROSS
    resting = blotter.buy(9_999, 1, account_id=2, post_only=True)
    assert kinds(resting) == ["order_accepted"]
    assert blotter.engine.depth(1, 5).bids == [(9_999, 1)]


def test_last_trade_becomes_the_reference_price(blotter):
    blotter.sell(10_400, 1)
    blotter.buy(10_400, 1, account_id=2)
    assert blotter.engine.price_band(1) == (9_360, 11_440)
