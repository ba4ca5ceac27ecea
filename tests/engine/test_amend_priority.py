"""Amend: quantity down keeps time priority; a price change or quantity up loses it; amends never match."""
from engine.commands import AmendOrder
from engine.events import OrderAmended, Trade
from engine.reject import RejectCode


def amend(blotter, order_id, account_id=1, **fields):
    return blotter.apply(AmendOrder(account_id=account_id, instrument_id=1, order_id=order_id, **fields))


def first_maker(blotter):
    events = blotter.buy(10_000, 1, account_id=9)
    return next(event.maker_order_id for event in events if isinstance(event, Trade))


def test_quantity_down_keeps_priority(blotter):
    blotter.sell(10_000, 5)                  # order 2
    blotter.sell(10_000, 5, account_id=2)    # order 3
    events = amend(blotter, 2, new_quantity_lots=3)
    assert events == [OrderAmended(4, 4_000, 2, 1, 1, 10_000, 10_000, 5, 3, True)]
    assert blotter.engine.depth(1, 1).asks == [(10_000, 8)]
    assert first_maker(blotter) == 2


def test_quantity_up_loses_priority(blotter):
    blotter.sell(10_000, 5)
    blotter.sell(10_000, 5, account_id=2)
    events = amend(blotter, 2, new_quantity_lots=6)
    assert events[0].priority_kept is False
    assert blotter.engine.order(2).quantity_lots == 6
    assert first_maker(blotter) == 3


def test_price_change_loses_priority_even_back_to_the_same_level(blotter):
    blotter.sell(10_000, 5)
    blotter.sell(10_000, 5, account_id=2)
    amend(blotter, 2, new_price_ticks=10_001)
    amend(blotter, 2, new_price_ticks=10_000)
    assert first_maker(blotter) == 3


def test_amend_keeps_filled_lots_and_sets_the_open_quantity(blotter):
    blotter.sell(10_000, 5)
    blotter.buy(10_000, 2, account_id=2)
    amend(blotter, 2, new_quantity_lots=1)
    view = blotter.engine.order(2)
    assert (view.quantity_lots, view.filled_lots, view.remaining_lots) == (3, 2, 1)


def test_amend_that_would_cross_is_refused_not_matched(blotter):
    blotter.sell(10_005, 5, account_id=2)
    blotter.buy(10_000, 5)
    events = amend(blotter, 3, new_price_ticks=10_006)
    assert events[0].code is RejectCode.AMEND_WOULD_CROSS
    assert blotter.engine.depth(1, 1).bids == [(10_000, 5)]


def test_only_the_owner_can_amend(blotter):
    blotter.sell(10_000, 5)
    assert amend(blotter, 2, account_id=2, new_quantity_lots=1)[0].code is RejectCode.ORDER_NOT_FOUND
