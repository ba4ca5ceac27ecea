"""STP on every order: the taker's mode decides, and a self-trade is never printed."""
import pytest

from engine.commands import StpMode, TimeInForce
from engine.events import ExpireReason, OrderExpired, Trade


def expired(events):
    return [(e.order_id, e.reason) for e in events if isinstance(e, OrderExpired)]


def prints(events):
    return [(e.maker_order_id, e.quantity_lots) for e in events if isinstance(e, Trade)]


@pytest.fixture
def own_and_other_asks(blotter):
    blotter.sell(10_000, 2, account_id=2)   # order 2: someone else, first in line
    blotter.sell(10_000, 2, account_id=1)   # order 3: the taker's own
    blotter.sell(10_000, 2, account_id=3)   # order 4
    return blotter


def test_expire_taker_is_the_default_and_stops_at_the_own_order(own_and_other_asks):
    events = own_and_other_asks.buy(10_000, 6, account_id=1)
    assert prints(events) == [(2, 2)]
    assert expired(events) == [(5, ExpireReason.STP_TAKER)]
    assert own_and_other_asks.engine.depth(1, 1).asks == [(10_000, 4)]


def test_expire_maker_removes_the_own_order_and_goes_on(own_and_other_asks):
    events = own_and_other_asks.buy(10_000, 6, account_id=1, stp_mode=StpMode.EXPIRE_MAKER)
    assert prints(events) == [(2, 2), (4, 2)]
    assert expired(events) == [(3, ExpireReason.STP_MAKER)]
    assert own_and_other_asks.engine.depth(1, 1).bids == [(10_000, 2)]


def test_expire_both(own_and_other_asks):
    events = own_and_other_asks.buy(10_000, 6, account_id=1, stp_mode=StpMode.EXPIRE_BOTH)
    assert prints(events) == [(2, 2)]
    assert expired(events) == [(3, ExpireReason.STP_MAKER), (5, ExpireReason.STP_TAKER)]


def test_fok_counts_only_liquidity_it_may_take(own_and_other_asks):
    events = own_and_other_asks.buy(10_000, 4, account_id=1, time_in_force=TimeInForce.FOK)
    assert expired(events) == [(5, ExpireReason.FOK_NOT_FILLABLE)]
    events = own_and_other_asks.buy(10_000, 4, account_id=1, time_in_force=TimeInForce.FOK,
                                    stp_mode=StpMode.EXPIRE_MAKER)
    assert prints(events) == [(2, 2), (4, 2)]
