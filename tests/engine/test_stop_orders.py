"""Stops trigger on the last trade price, in a documented order, within the band."""
import pytest

from engine.commands import OrderType, Side, TimeInForce
from engine.events import ExpireReason, OrderExpired, OrderTriggered, Trade
from engine_blotter import kinds


def stop(blotter, side, stop_price_ticks, quantity_lots, price_ticks=None, account_id=1,
         time_in_force=TimeInForce.GTC):
    order_type = OrderType.STOP_MARKET if price_ticks is None else OrderType.STOP_LIMIT
    if price_ticks is None:
        time_in_force = TimeInForce.IOC
    return blotter.order(side, price_ticks, quantity_lots, account_id=account_id, order_type=order_type,
                         time_in_force=time_in_force, stop_price_ticks=stop_price_ticks)


def print_trade(blotter, price_ticks, quantity_lots=1):
    blotter.sell(price_ticks, quantity_lots, account_id=8)
    return blotter.buy(price_ticks, quantity_lots, account_id=9)


def triggered(events):
    return [event.order_id for event in events if isinstance(event, OrderTriggered)]


def test_stop_waits_then_triggers_when_last_trade_reaches_it(blotter):
    stop(blotter, Side.BUY, 10_100, 2, price_ticks=10_200)  # order 2
    assert blotter.engine.order(2).waiting_for_trigger
    assert blotter.engine.depth(1, 5).bids == []
    assert triggered(print_trade(blotter, 10_099)) == []
    events = print_trade(blotter, 10_100)
    assert triggered(events) == [2]
    assert blotter.engine.depth(1, 5).bids == [(10_200, 2)]
    assert not blotter.engine.order(2).waiting_for_trigger


def test_buy_stops_trigger_lowest_first_then_oldest_first(blotter):
    stop(blotter, Side.BUY, 10_300, 1, price_ticks=10_300)   # order 2
    stop(blotter, Side.BUY, 10_200, 1, price_ticks=10_300)   # order 3
    stop(blotter, Side.BUY, 10_200, 1, price_ticks=10_300)   # order 4
    events = print_trade(blotter, 10_300)
    assert triggered(events) == [3, 4, 2]


def test_sell_stops_trigger_highest_first(blotter):
    stop(blotter, Side.SELL, 9_800, 1, price_ticks=9_700)    # order 2
    stop(blotter, Side.SELL, 9_900, 1, price_ticks=9_700)    # order 3
    events = print_trade(blotter, 9_700)
    assert triggered(events) == [3, 2]


def test_triggered_stops_cascade_on_their_own_trades(blotter):
    stop(blotter, Side.BUY, 10_100, 1)                       # order 2: market stop
    stop(blotter, Side.BUY, 10_150, 1, price_ticks=10_200)   # order 3
    blotter.sell(10_150, 1, account_id=7)                    # order 4: what order 2 will take
    events = print_trade(blotter, 10_100)
    assert triggered(events) == [2, 3]
    assert [e.price_ticks for e in events if isinstance(e, Trade)] == [10_100, 10_150]


def test_stop_market_trades_no_further_than_the_band_edge_at_placement(blotter):
    stop(blotter, Side.BUY, 10_100, 5)                       # order 2, protected at 11_000
    blotter.apply_reference(11_000)                          # band now 9_900..12_100
    blotter.sell(11_000, 1, account_id=7)
    blotter.sell(11_500, 4, account_id=7)
    events = print_trade(blotter, 10_100)
    assert [e.price_ticks for e in events if isinstance(e, Trade) and e.taker_order_id == 2] == [11_000]
    expired = [e for e in events if isinstance(e, OrderExpired) and e.order_id == 2]
    assert expired[0].reason is ExpireReason.MARKET_REMAINDER


def test_stop_limit_whose_limit_left_the_band_expires_on_trigger(blotter):
    stop(blotter, Side.SELL, 9_900, 1, price_ticks=10_900)   # order 2: limit above the stop
    events = print_trade(blotter, 9_000)                     # a gap down: band now 8_100..9_900
    assert kinds(events)[-3:] == ["order_triggered", "order_expired", "order_done"]
    assert events[-2].reason is ExpireReason.PRICE_OUT_OF_BAND


def test_cancelled_stop_never_triggers(blotter):
    from engine.commands import CancelOrder
    stop(blotter, Side.BUY, 10_100, 1, price_ticks=10_100)
    assert kinds(blotter.apply(CancelOrder(account_id=1, instrument_id=1, order_id=2))) == [
        "order_cancelled", "order_done"]
    assert triggered(print_trade(blotter, 10_200)) == []


@pytest.mark.parametrize("buy_first", [True, False])
def test_when_both_sides_are_due_the_earlier_placed_stop_goes_first(blotter, buy_first):
    # Before the first trade the trigger basis is the operator's reference price, which can move
    # without triggering anything: that is how a SELL stop can sit above a BUY stop.
    def place_buy_stop():
        blotter.apply_reference(9_950)
        return stop(blotter, Side.BUY, 10_000, 1, price_ticks=10_100, account_id=4)[0].order_id

    def place_sell_stop():
        blotter.apply_reference(10_100)
        return stop(blotter, Side.SELL, 10_050, 1, price_ticks=9_900, account_id=3)[0].order_id

    first, second = (place_buy_stop(), place_sell_stop()) if buy_first else (place_sell_stop(), place_buy_stop())
    assert triggered(print_trade(blotter, 10_020)) == [first, second]
