"""Outcomes carry post-command balances of the watched customers only (the account streams' listeners)."""
from engine.commands import OrderType, Side
from exchange import commands as c
from exchange.compliance import IssueDepositAddress
from tests.exchange.venue_setup import buyer_and_seller

PRICE = 10_000_000


def trade(driver, buyer, seller):
    driver.apply(c.SubmitOrder(account_id=seller, instrument_id=1, side=Side.SELL, order_type=OrderType.LIMIT,
                               price_ticks=PRICE, quantity_lots=10))
    return driver.apply(c.SubmitOrder(account_id=buyer, instrument_id=1, side=Side.BUY, order_type=OrderType.LIMIT,
                                      price_ticks=PRICE, quantity_lots=10))


def funded():
    return buyer_and_seller(PRICE)


def exact(driver, balances):
    ledger = driver.venue.ledger
    return all((ledger.available(customer, asset), ledger.held(customer, asset)) == (available, held)
               for customer, asset, available, held in balances)


def test_no_listener_no_balances_and_the_state_is_the_same():
    watched, a, b = funded()
    unwatched, _, _ = funded()
    unwatched.venue.balance_watch = {}
    assert {customer for customer, *_ in trade(watched, a, b).balances} == {a, b}
    assert trade(unwatched, a, b).balances == ()
    assert unwatched.venue.state_hash() == watched.venue.state_hash()


def test_a_watched_customer_gets_exact_balances_and_no_one_else():
    driver, a, b = funded()
    driver.venue.balance_watch = {str(a)}
    filled = trade(driver, a, b)
    assert {(customer, asset) for customer, asset, _, _ in filled.balances} == {(a, "BTC"), (a, "USDT")}
    assert exact(driver, filled.balances)
    driver.venue.balance_watch = {}  # The listener left: nothing is collected for the next command...
    trade(driver, a, b)
    driver.venue.balance_watch = {str(b)}  # ...and what was left untaken then never leaks into a later one.
    address = driver.result(IssueDepositAddress(customer_id=str(b), asset="USDT")).data["deposit_address"]
    deposit = driver.apply(c.ReportDeposit(actor="custody", asset="USDT", address=address, amount_units=5,
                                           chain_tx_id="t3"))
    assert [(customer, asset) for customer, asset, _, _ in deposit.balances] == [(b, "USDT")]
    assert exact(driver, deposit.balances)
