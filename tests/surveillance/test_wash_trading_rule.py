"""Wash trading: shared identity data, and same-quantity round trips inside one pair."""
from exchange.surveillance.detector import Detector
from exchange.surveillance.hits import Rule
from exchange.surveillance.thresholds import Thresholds
from tests.surveillance.blotter import SECOND, T0, Blotter, Directory


def rules(hits):
    return [hit.rule for hit in hits]


def test_a_trade_between_two_customers_with_one_name_and_birth_date_is_a_hit():
    directory = Directory()
    directory.keys = {1: ("doc:A1", "person:ivan petrov|1990-01-01"), 2: ("doc:B2", "person:ivan petrov|1990-01-01")}
    detector, blotter = Detector(directory), Blotter()
    hits = detector.on_trade(blotter.trade(buyer=1, seller=2))
    assert rules(hits) == [Rule.WASH_SHARED_IDENTITY]
    assert hits[0].account_ids == (1, 2)
    assert "name and date of birth" in hits[0].detail
    assert "ivan" not in hits[0].detail  # Which kind matched, never the value.


def test_a_shared_withdrawal_address_counts_as_one_owner():
    directory = Directory()
    directory.keys = {3: ("address:BTC:bc1xyz",), 4: ("address:BTC:bc1xyz",)}
    hits = Detector(directory).on_trade(Blotter().trade(buyer=4, seller=3))
    assert rules(hits) == [Rule.WASH_SHARED_IDENTITY]


def test_unrelated_customers_trading_raise_nothing():
    directory = Directory()
    directory.keys = {1: ("doc:A1",), 2: ("doc:B2",)}
    assert Detector(directory).on_trade(Blotter().trade(buyer=1, seller=2)) == []


def test_three_same_quantity_round_trips_inside_one_pair_are_a_hit():
    detector, blotter = Detector(Directory()), Blotter()
    hits = []
    for trip in range(3):
        at = T0 + trip * 60 * SECOND
        hits += detector.on_trade(blotter.trade(buyer=5, seller=6, quantity_lots=7, at_ns=at))
        hits += detector.on_trade(blotter.trade(buyer=6, seller=5, quantity_lots=7, at_ns=at + SECOND))
    assert rules(hits) == [Rule.WASH_ROUND_TRIPS]
    assert hits[0].account_ids == (5, 6)
    assert len(hits[0].trade_ids) == 6


def test_two_round_trips_stay_under_the_default_threshold():
    detector, blotter = Detector(Directory()), Blotter()
    hits = []
    for trip in range(2):
        hits += detector.on_trade(blotter.trade(buyer=5, seller=6, quantity_lots=7, at_ns=T0 + trip * SECOND))
        hits += detector.on_trade(blotter.trade(buyer=6, seller=5, quantity_lots=7, at_ns=T0 + trip * SECOND))
    assert hits == []


def test_buying_back_a_different_quantity_or_much_later_is_not_a_round_trip():
    detector, blotter = Detector(Directory()), Blotter()
    hits = []
    for trip in range(5):
        at = T0 + trip * 3_600 * SECOND
        hits += detector.on_trade(blotter.trade(buyer=5, seller=6, quantity_lots=7, at_ns=at))
        hits += detector.on_trade(blotter.trade(buyer=6, seller=5, quantity_lots=3, at_ns=at + SECOND))
        hits += detector.on_trade(blotter.trade(buyer=6, seller=5, quantity_lots=7, at_ns=at + 600 * SECOND))
    assert hits == []


def test_a_lower_threshold_applies_at_once():
    detector, blotter = Detector(Directory()), Blotter()
    detector.set_thresholds(Thresholds(wash_round_trips_min=1))
    detector.on_trade(blotter.trade(buyer=5, seller=6))
    assert rules(detector.on_trade(blotter.trade(buyer=6, seller=5))) == [Rule.WASH_ROUND_TRIPS]
