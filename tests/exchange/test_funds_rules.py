"""Blotter-style scenarios of the venue's money rules: fees, holds, deposits, withdrawals, corrections."""
from engine.commands import CancelOrder, MarketState, OrderType, Side, TimeInForce
from exchange import commands as c
from exchange.compliance import AddWithdrawalAddress, ApproveWithdrawal, CompleteWithdrawal, RejectWithdrawal
from exchange.compliance.commands import SetWithdrawalPolicy
from exchange.results import Accepted, OrderExists, OrderResult, Refused
from ledger.accounts import CUSTODY_HOT, EXCHANGE_FEES
from tests.exchange.venue_setup import VenueDriver

USDT = 10**6
BTC = 10**8
PRICE = 10_000_000  # 100,000.00 USDT per BTC
LOT = 10_000  # 0.0001 BTC in satoshi


def two_funded_traders():
    driver = VenueDriver()
    driver.market(reference_price_ticks=PRICE, maker_fee_bps=10, taker_fee_bps=20)
    buyer, seller = driver.customer("buyer@x.tm", "BUY000001"), driver.customer("seller@x.tm", "SEL000001")
    driver.fund(buyer, "USDT", 100_000 * USDT, "tx-buyer")
    driver.fund(seller, "BTC", 1 * BTC, "tx-seller")
    return driver, buyer, seller


def test_a_fill_moves_exactly_the_notional_minus_fees():
    driver, buyer, seller = two_funded_traders()
    driver.order(seller, "SELL", PRICE, 1_000)  # 0.1 BTC, maker
    result = driver.order(buyer, "BUY", PRICE, 1_000)  # taker
    assert result.order.status == "FILLED"
    ledger = driver.venue.ledger
    notional = 10_000 * USDT
    assert ledger.balances(buyer) == {"USDT": (90_000 * USDT, 0), "BTC": (1_000 * LOT - 1_000 * LOT * 20 // 10_000, 0)}
    assert ledger.balances(seller)["USDT"] == (notional - notional * 10 // 10_000, 0)
    assert ledger.account_balance(EXCHANGE_FEES, "USDT") == notional * 10 // 10_000
    assert ledger.account_balance(EXCHANGE_FEES, "BTC") == 1_000 * LOT * 20 // 10_000


def test_a_buy_filled_below_its_limit_gets_the_difference_back():
    driver, buyer, seller = two_funded_traders()
    driver.order(seller, "SELL", PRICE, 500)
    result = driver.order(buyer, "BUY", PRICE + 10_000, 1_000)  # 500 fill at PRICE, 500 rest at limit
    assert result.order.status == "PARTIALLY_FILLED"
    assert driver.venue.ledger.held(buyer, "USDT") == (PRICE + 10_000) * 500


def test_market_buy_holds_at_the_band_top_and_releases_the_rest():
    driver, buyer, seller = two_funded_traders()
    driver.order(seller, "SELL", PRICE, 100)
    result = driver.order(buyer, "BUY", None, 300, order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC)
    assert result.order.filled_lots == 100
    assert result.order.status == "EXPIRED"
    assert driver.venue.ledger.held(buyer, "USDT") == 0
    assert driver.venue.ledger.available(buyer, "USDT") == 100_000 * USDT - PRICE * 100


def test_an_order_without_funds_is_refused_and_changes_nothing():
    driver, buyer, _ = two_funded_traders()
    result = driver.order(buyer, "SELL", PRICE, 1)  # holds no BTC
    assert result.code == "INSUFFICIENT_FUNDS"
    assert driver.venue.engine.open_orders(buyer) == []
    assert driver.venue.ledger.balances(buyer)["USDT"] == (100_000 * USDT, 0)


def test_kyc_pending_customer_cannot_trade_or_get_an_address():
    driver = VenueDriver()
    driver.market()
    pending = driver.customer("p@x.tm", "PEN000001", verify=False)
    assert driver.order(pending, "BUY", PRICE, 1).code == "KYC_REQUIRED"
    from exchange.compliance import IssueDepositAddress
    assert driver.result(IssueDepositAddress(customer_id=str(pending), asset="BTC")).code == "KYC_REQUIRED"


def test_deposit_is_idempotent_on_the_chain_transaction():
    driver, buyer, _ = two_funded_traders()
    address = driver.venue.compliance.customer(str(buyer)).deposit_addresses["USDT"]
    first = driver.result(c.ReportDeposit(actor="custody", asset="USDT", address=address, amount_units=5 * USDT,
                                          chain_tx_id="tx-repeat"))
    again = driver.result(c.ReportDeposit(actor="custody", asset="USDT", address=address, amount_units=5 * USDT,
                                          chain_tx_id="tx-repeat"))
    assert first == again
    assert driver.venue.ledger.available(buyer, "USDT") == 100_005 * USDT
    different = driver.result(c.ReportDeposit(actor="custody", asset="USDT", address=address,
                                              amount_units=6 * USDT, chain_tx_id="tx-repeat"))
    assert different.code == "DEPOSIT_EXISTS_WITH_DIFFERENT_FIELDS"
    assert driver.venue.ledger.available(buyer, "USDT") == 100_005 * USDT


def test_deposit_above_the_tier_limit_is_not_credited():
    driver, buyer, _ = two_funded_traders()
    address = driver.venue.compliance.customer(str(buyer)).deposit_addresses["USDT"]
    result = driver.result(c.ReportDeposit(actor="custody", asset="USDT", address=address,
                                           amount_units=10_000_000 * USDT, chain_tx_id="tx-big"))
    assert type(result) is Refused and result.code == "LIMIT_EXCEEDED"
    assert result.details["remaining_daily_tmt_units"] > 0
    assert driver.venue.ledger.available(buyer, "USDT") == 100_000 * USDT


def test_deposit_to_an_unknown_address_is_refused():
    driver, _, _ = two_funded_traders()
    result = driver.result(c.ReportDeposit(actor="custody", asset="USDT", address="kd1nothere", amount_units=1,
                                           chain_tx_id="tx-x"))
    assert result.code == "ADDRESS_UNKNOWN"


def _whitelist(driver, customer, address):
    driver.result(SetWithdrawalPolicy(actor="staff:op1", cooling_off_ns=0, four_eyes_threshold_tmt_units=1_000_000,
                                      reason="test"))
    return driver.result(AddWithdrawalAddress(customer_id=str(customer), asset="USDT", address=address,
                                              label="my wallet"))


def test_withdrawal_to_another_customers_deposit_address_is_a_payment():
    driver, buyer, seller = two_funded_traders()
    from exchange.compliance import IssueDepositAddress
    sellers_address = driver.result(IssueDepositAddress(customer_id=str(seller), asset="USDT")).data[
        "deposit_address"]
    _whitelist(driver, buyer, sellers_address)
    result = driver.result(c.Withdraw(account_id=buyer, asset="USDT", address=sellers_address, amount_units=USDT))
    assert result.code == "PAYMENT_PROHIBITED"
    assert driver.venue.ledger.available(buyer, "USDT") == 100_000 * USDT


def test_withdrawal_waits_in_pending_then_leaves_custody_or_comes_back():
    driver, buyer, _ = two_funded_traders()
    assert type(_whitelist(driver, buyer, "0xexternal")) is Accepted
    requested = driver.result(c.Withdraw(account_id=buyer, asset="USDT", address="0xexternal",
                                         amount_units=1_000 * USDT))
    withdrawal = requested.data["withdrawal"]
    ledger = driver.venue.ledger
    assert ledger.available(buyer, "USDT") == 99_000 * USDT
    assert ledger.withdrawing(buyer, "USDT") == 1_000 * USDT
    custody_before = ledger.account_balance(CUSTODY_HOT, "USDT")
    driver.result(ApproveWithdrawal(actor="staff:op1", withdrawal_id=withdrawal.withdrawal_id))
    driver.result(CompleteWithdrawal(actor="staff:op1", withdrawal_id=withdrawal.withdrawal_id, chain_tx_id="out1"))
    assert ledger.withdrawing(buyer, "USDT") == 0
    assert ledger.account_balance(CUSTODY_HOT, "USDT") - custody_before == 1_000 * USDT  # debit-normal: less owed

    second = driver.result(c.Withdraw(account_id=buyer, asset="USDT", address="0xexternal",
                                      amount_units=500 * USDT)).data["withdrawal"]
    driver.result(RejectWithdrawal(actor="staff:op1", withdrawal_id=second.withdrawal_id, reason="test"))
    assert ledger.available(buyer, "USDT") == 99_000 * USDT


def test_delisting_cancels_orders_and_releases_holds():
    driver, buyer, seller = two_funded_traders()
    driver.order(buyer, "BUY", PRICE - 100, 1_000)
    driver.order(seller, "SELL", PRICE + 100, 1_000)
    result = driver.result(c.ChangeMarket(actor="staff:op1", instrument_id=1, market_state=MarketState.HALTED,
                                          reason="delisting", delist=True))
    assert result.data["delisted"]
    assert driver.venue.ledger.held(buyer, "USDT") == 0 and driver.venue.ledger.held(seller, "BTC") == 0
    assert driver.order(buyer, "BUY", PRICE, 1).code == "MARKET_HALTED"
    reopen = driver.result(c.ChangeMarket(actor="staff:op1", instrument_id=1, market_state=MarketState.OPEN,
                                          reason="no"))
    assert type(reopen) is Refused


def test_a_correction_needs_a_second_distinct_approver():
    driver, buyer, _ = two_funded_traders()
    proposed = driver.apply(c.ProposeCorrection(actor="staff:op1", customer_id=buyer, asset="USDT",
                                                amount_units=-USDT, reason="duplicate credit", ticket="T-2"))
    correction_id = proposed.result.data["correction"].correction_id
    assert correction_id == driver.sequence and not proposed.entries
    alone = driver.result(c.ApproveCorrection(actor="staff:op1", correction_id=correction_id))
    assert type(alone) is Refused and alone.code == "CORRECTION_SAME_APPROVER"
    assert driver.venue.ledger.available(buyer, "USDT") == 100_000 * USDT
    paired = driver.apply(c.ApproveCorrection(actor="staff:op2", correction_id=correction_id))
    assert type(paired.result) is Accepted
    [entry] = paired.entries
    assert (entry.kind, entry.approvers, entry.cause) == ("correction", ("staff:op1", "staff:op2"), "T-2")
    assert driver.venue.ledger.available(buyer, "USDT") == 99_999 * USDT


def test_staff_actions_are_chained_in_the_audit_log():
    driver, buyer, _ = two_funded_traders()
    outcome = driver.apply(c.ChangeMarket(actor="staff:op1", instrument_id=1, market_state=MarketState.HALTED,
                                          reason="incident 42"))
    record = outcome.audit[0]
    assert (record.actor, record.action, record.reason) == ("staff:op1", "change_market", "incident 42")
    assert record.previous_hash != record.hash
    customer_outcome = driver.apply(CancelOrder(account_id=buyer, instrument_id=1, order_id=999))
    assert not customer_outcome.audit


def test_an_order_result_reports_its_fills():
    driver, buyer, seller = two_funded_traders()
    driver.order(seller, "SELL", PRICE, 100)
    result = driver.order(buyer, "BUY", PRICE, 100)
    assert type(result) is OrderResult
    assert [(f.price_ticks, f.quantity_lots) for f in result.fills] == [(PRICE, 100)]


def test_a_retried_client_order_id_returns_the_original_order_never_a_second_one():
    driver, buyer, seller = two_funded_traders()
    driver.order(seller, "SELL", PRICE, 100)
    first = driver.order(buyer, "BUY", PRICE, 100, client_order_id="retry-1")
    assert first.order.status == "FILLED"
    again = driver.order(buyer, "BUY", PRICE, 100, client_order_id="retry-1")
    assert type(again) is OrderExists and again.order_id == first.order.order_id
    assert driver.venue.ledger.available(buyer, "USDT") == 100_000 * USDT - PRICE * 100
    different = driver.order(buyer, "BUY", PRICE, 200, client_order_id="retry-1")
    assert different.code == "CLIENT_ORDER_ID_IN_USE"
    other_account = driver.order(seller, "SELL", PRICE + 100, 100, client_order_id="retry-1")
    assert type(other_account) is OrderResult
