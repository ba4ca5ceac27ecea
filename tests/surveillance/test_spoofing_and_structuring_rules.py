"""Spoofing (large near-touch orders cancelled unfilled, repeatedly) and structuring (just under a threshold)."""
from exchange.surveillance.detector import Detector
from exchange.surveillance.hits import Rule
from exchange.surveillance.observations import WITHDRAWAL
from tests.surveillance.blotter import SECOND, T0, Blotter, Directory


def normal_orders(detector, blotter, count=50):
    for i in range(count):
        detector.on_order(blotter.order(account_id=100 + i % 7, order_id=10_000 + i, quantity_lots=2))


def spoof(detector, blotter, order_id, quantity_lots=50, price_ticks=1_001, lived_s=5, filled_lots=0,
          at_s=0, status="CANCELLED"):
    placed = blotter.order(account_id=1, order_id=order_id, quantity_lots=quantity_lots, price_ticks=price_ticks,
                           placed_ns=T0 + at_s * SECOND)
    detector.on_order(placed)
    cancelled = blotter.order(account_id=1, order_id=order_id, quantity_lots=quantity_lots, price_ticks=price_ticks,
                              placed_ns=T0 + at_s * SECOND, status=status, filled_lots=filled_lots,
                              updated_ns=T0 + (at_s + lived_s) * SECOND)
    return detector.on_order(cancelled)


def test_three_large_orders_at_the_touch_cancelled_unfilled_are_spoofing():
    detector, blotter = Detector(Directory()), Blotter()
    normal_orders(detector, blotter)
    hits = [spoof(detector, blotter, order_id, at_s=order_id * 10) for order_id in (1, 2, 3)]
    assert hits[:2] == [None, None]
    assert hits[2].rule == Rule.SPOOFING
    assert hits[2].account_ids == (1,)
    assert hits[2].order_ids == (1, 2, 3)


def test_small_far_slow_partly_filled_or_expired_orders_are_not_spoofing():
    detector, blotter = Detector(Directory()), Blotter()
    normal_orders(detector, blotter)
    hits = []
    for order_id, changes in enumerate([{"quantity_lots": 3}, {"price_ticks": 1_100}, {"lived_s": 600},
                                        {"filled_lots": 1}, {"status": "EXPIRED"}] * 3):
        hits.append(spoof(detector, blotter, order_id + 1, at_s=order_id * 10, **changes))
    assert hits == [None] * 15


def test_three_deposits_just_under_the_reporting_threshold_in_a_week_are_structuring():
    detector, blotter = Detector(Directory()), Blotter()
    values = (950_000, 990_000, 930_000)  # 9,500 / 9,900 / 9,300 TMT under the 10,000 TMT threshold
    hits = [detector.on_transfer(blotter.transfer(7, value, at_ns=T0 + day * 86_400 * SECOND))
            for day, value in enumerate(values)]
    assert hits[:2] == [None, None]
    assert hits[2].rule == Rule.STRUCTURING
    assert hits[2].account_ids == (7,)
    assert len(hits[2].transfer_ids) == 3
    assert "10,000.00 TMT" in hits[2].detail


def test_withdrawals_just_under_the_daily_tier_limit_are_structuring_too():
    directory = Directory()
    directory.daily_limits[7] = 200_000
    detector, blotter = Detector(directory), Blotter()
    hits = [detector.on_transfer(blotter.transfer(7, 195_000, at_ns=T0 + i * SECOND, kind=WITHDRAWAL))
            for i in range(3)]
    assert hits[2] is not None and "withdrawals" in hits[2].detail


def test_transfers_at_or_over_the_threshold_or_well_under_it_are_not_structuring():
    detector, blotter = Detector(Directory()), Blotter()
    hits = [detector.on_transfer(blotter.transfer(7, value, at_ns=T0 + i * SECOND))
            for i, value in enumerate([1_000_000, 1_200_000, 400_000, 899_999] * 3)]
    assert hits == [None] * 12


def test_near_threshold_deposits_spread_over_more_than_the_window_are_not_structuring():
    detector, blotter = Detector(Directory()), Blotter()
    hits = [detector.on_transfer(blotter.transfer(7, 950_000, at_ns=T0 + week * 8 * 86_400 * SECOND))
            for week in range(4)]
    assert hits == [None] * 4
