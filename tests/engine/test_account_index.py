"""The per-account index stays right while orders come, go and are amended."""
from engine.commands import AmendOrder, CancelOrder


def test_open_orders_follow_placements_cancels_and_amends(blotter):
    live = []
    for round_number in range(40):
        for _ in range(10):
            order_id = blotter.buy(9_000 + round_number, 1)[0].order_id
            live.append(order_id)
        for order_id in live[:8]:
            blotter.apply(CancelOrder(account_id=1, instrument_id=1, order_id=order_id))
        live = live[8:]
    blotter.apply(AmendOrder(account_id=1, instrument_id=1, order_id=live[0], new_price_ticks=9_500))
    assert [view.order_id for view in blotter.engine.open_orders(1)] == sorted(live)
    assert blotter.engine.open_orders(1, instrument_id=2) == []
    assert len(blotter.engine.index.by_account[1]) == len(live)


def test_filled_orders_leave_the_account_view(blotter):
    blotter.sell(10_000, 1)
    blotter.sell(10_000, 1)
    blotter.buy(10_000, 1, account_id=2)
    assert [view.order_id for view in blotter.engine.open_orders(1)] == [3]
    assert blotter.engine.open_orders(2) == []
