"""Trade-based value transfer: off-market trades, one-way off-market pairs, many sellers into one buyer."""
from exchange.surveillance.detector import Detector
from exchange.surveillance.hits import Rule
from tests.surveillance.blotter import SECOND, T0, Blotter, Directory


def market_around(detector, blotter, price_ticks=1_000, trades=10):
    """Other accounts (100+) trading at the reference, so the median is set by them."""
    for i in range(trades):
        detector.on_trade(blotter.trade(buyer=100 + i, seller=200 + i, price_ticks=price_ticks,
                                        at_ns=T0 + i * SECOND))


def test_one_trade_far_from_the_reference_is_a_hit_on_both_sides():
    detector, blotter = Detector(Directory()), Blotter()
    market_around(detector, blotter)
    hits = detector.on_trade(blotter.trade(buyer=1, seller=2, price_ticks=1_150, at_ns=T0 + 60 * SECOND))
    assert [hit.rule for hit in hits] == [Rule.OFF_MARKET_TRADE]
    assert hits[0].account_ids == (1, 2)
    assert "1500 bps" in hits[0].detail


def test_one_account_repeatedly_overpaying_another_is_a_value_flow_from_buyer_to_seller():
    detector, blotter = Detector(Directory()), Blotter()
    market_around(detector, blotter)
    hits = []
    for i in range(3):
        hits += detector.on_trade(blotter.trade(buyer=1, seller=2, price_ticks=1_050, at_ns=T0 + (60 + i) * SECOND))
    assert [hit.rule for hit in hits] == [Rule.OFF_MARKET_PAIR]
    assert hits[0].account_ids == (1, 2)  # payer, payee
    assert "from account 1 to account 2" in hits[0].detail


def test_underselling_moves_value_from_the_seller_to_the_buyer():
    detector, blotter = Detector(Directory()), Blotter()
    market_around(detector, blotter)
    hits = []
    for i in range(3):
        hits += detector.on_trade(blotter.trade(buyer=1, seller=2, price_ticks=950, at_ns=T0 + (60 + i) * SECOND))
    assert hits[-1].rule == Rule.OFF_MARKET_PAIR
    assert hits[-1].account_ids == (2, 1)


def test_a_pair_that_trades_mostly_with_itself_cannot_move_the_reference():
    detector, blotter = Detector(Directory()), Blotter()
    market_around(detector, blotter)
    hits = []
    for i in range(30):  # Its own trades would be most of the recent tape.
        hits += detector.on_trade(blotter.trade(buyer=1, seller=2, price_ticks=1_050, at_ns=T0 + (60 + i) * SECOND))
    assert hits and all(hit.rule == Rule.OFF_MARKET_PAIR for hit in hits)


def test_prices_within_the_pair_threshold_raise_nothing():
    detector, blotter = Detector(Directory()), Blotter()
    market_around(detector, blotter)
    hits = []
    for i in range(10):
        hits += detector.on_trade(blotter.trade(buyer=1, seller=2, price_ticks=1_015, at_ns=T0 + (60 + i) * SECOND))
    assert hits == []


def test_five_accounts_selling_only_to_one_buyer_is_a_fan_in_on_the_buyer():
    detector, blotter = Detector(Directory()), Blotter()
    hits = []
    for round_ in range(2):
        for seller in (11, 12, 13, 14, 15):
            hits += detector.on_trade(blotter.trade(buyer=9, seller=seller, at_ns=T0 + round_ * SECOND))
    assert [hit.rule for hit in hits] == [Rule.FAN_IN]
    assert hits[0].account_ids == (9,)
    assert hits[0].related_account_ids == (11, 12, 13, 14, 15)


def test_sellers_who_also_sell_to_everybody_else_are_not_a_fan_in():
    detector, blotter = Detector(Directory()), Blotter()
    hits = []
    for round_ in range(2):
        for seller in (11, 12, 13, 14, 15):
            hits += detector.on_trade(blotter.trade(buyer=9, seller=seller, at_ns=T0 + round_ * SECOND))
            for other in range(3):  # Most of their selling goes elsewhere: 9 is just a market maker.
                hits += detector.on_trade(blotter.trade(buyer=50 + other, seller=seller, at_ns=T0 + round_ * SECOND))
    assert [hit for hit in hits if hit.rule == Rule.FAN_IN] == []
