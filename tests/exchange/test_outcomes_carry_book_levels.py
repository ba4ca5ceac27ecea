"""Each outcome names every book level it changed, with its quantity after the command (for streams)."""
from engine.commands import OrderType
from exchange import commands as c
from engine.commands import Side
from tests.exchange.venue_setup import buyer_and_seller

PRICE = 10_000_000


def funded():
    return buyer_and_seller(PRICE)


def test_resting_filling_and_cancelling_report_their_levels():
    driver, a, b = funded()
    rest = driver.apply(c.SubmitOrder(account_id=b, instrument_id=1, side=Side.SELL, order_type=OrderType.LIMIT,
                                      price_ticks=PRICE + 100, quantity_lots=30))
    assert rest.levels == [(1, "SELL", PRICE + 100, 30)]
    take = driver.apply(c.SubmitOrder(account_id=a, instrument_id=1, side=Side.BUY, order_type=OrderType.LIMIT,
                                      price_ticks=PRICE + 100, quantity_lots=10))
    assert (1, "SELL", PRICE + 100, 20) in take.levels


def test_a_triggered_stop_that_rests_reports_its_level():
    driver, a, b = funded()
    driver.order(a, "BUY", PRICE + 50, 10, order_type=OrderType.STOP_LIMIT, stop_price_ticks=PRICE + 100)
    driver.order(b, "SELL", PRICE + 100, 5)
    trigger = driver.apply(c.SubmitOrder(account_id=a, instrument_id=1, side=Side.BUY, order_type=OrderType.LIMIT,
                                         price_ticks=PRICE + 100, quantity_lots=5))
    assert (1, "BUY", PRICE + 50, 10) in trigger.levels
