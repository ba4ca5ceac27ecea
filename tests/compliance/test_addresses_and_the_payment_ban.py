"""Deposit addresses, the withdrawal whitelist, cooling-off and PAYMENT_PROHIBITED."""
from compliance_desk import NS_PER_HOUR, OFFICER, Desk

from exchange.compliance import (
    AddWithdrawalAddress,
    ComplianceCode,
    IssueDepositAddress,
    OpenCase,
    RemoveWithdrawalAddress,
    RequestWithdrawal,
    SetWithdrawalPolicy,
)
from exchange.compliance.addresses import deposit_address_for


def add(desk: Desk, address: str, customer_id: str = "c1", asset: str = "BTC"):
    return desk.do(AddWithdrawalAddress(customer_id=customer_id, asset=asset, address=address, label="cold wallet"))


def test_deposit_address_is_derived_per_customer_and_asset_and_stable():
    desk = Desk()
    desk.onboard("c1")
    desk.onboard("c2")
    btc = desk.ok(IssueDepositAddress(customer_id="c1", asset="BTC")).deposit_address
    assert btc.startswith("kd1") and len(btc) == 43
    assert desk.ok(IssueDepositAddress(customer_id="c1", asset="BTC")).deposit_address == btc
    eth = desk.ok(IssueDepositAddress(customer_id="c1", asset="ETH")).deposit_address
    other = desk.ok(IssueDepositAddress(customer_id="c2", asset="BTC")).deposit_address
    assert len({btc, eth, other}) == 3
    assert desk.compliance.customer_by_deposit_address(btc).customer_id == "c1"
    assert desk.compliance.customer_by_deposit_address(btc.upper()).customer_id == "c1"
    assert desk.compliance.deposit_address(eth).asset == "ETH"
    assert desk.compliance.customer_by_deposit_address("kd1unknown") is None
    desk.refused(IssueDepositAddress(customer_id="c1", asset="btc!"), ComplianceCode.INVALID_ASSET)


def test_replay_issues_the_same_addresses():
    first, second = Desk(), Desk()
    for desk in (first, second):
        desk.onboard("c1")
    assert (first.ok(IssueDepositAddress(customer_id="c1", asset="BTC")).deposit_address
            == second.ok(IssueDepositAddress(customer_id="c1", asset="BTC")).deposit_address)


def test_withdrawals_go_only_to_whitelisted_addresses_of_that_asset():
    desk = Desk()
    desk.onboard("c1")
    desk.whitelist("c1", "BTC", "bc1qmine")
    check = desk.compliance.check_withdrawal
    assert check("c1", "BTC", "bc1qmine", 100, desk.now_ns) is None
    assert check("c1", "BTC", "bc1qsomeoneelse", 100, desk.now_ns).code is ComplianceCode.ADDRESS_NOT_WHITELISTED
    assert check("c1", "ETH", "bc1qmine", 100, desk.now_ns).code is ComplianceCode.ADDRESS_NOT_WHITELISTED
    assert check("c1", "BTC", "bc1qmine", 0, desk.now_ns).code is ComplianceCode.INVALID_AMOUNT
    assert check("c1", "BTC", "bc1q mine", 100, desk.now_ns).code is ComplianceCode.INVALID_ADDRESS


def test_a_new_address_waits_out_the_cooling_off_period():
    desk = Desk()
    desk.onboard("c1")
    added_at_ns = desk.now_ns
    add(desk, "bc1qnew")
    desk.advance(24 * NS_PER_HOUR - 1)
    refusal = desk.compliance.check_withdrawal("c1", "BTC", "bc1qnew", 100, desk.now_ns)
    assert refusal.code is ComplianceCode.ADDRESS_COOLING_OFF
    assert refusal.usable_from_ns == added_at_ns + 24 * NS_PER_HOUR
    request = RequestWithdrawal(customer_id="c1", asset="BTC", address="bc1qnew", amount_units=5, value_tmt_units=100)
    desk.refused(request, ComplianceCode.ADDRESS_COOLING_OFF)
    desk.advance(1)
    assert desk.ok(request).withdrawal.address == "bc1qnew"


def test_a_changed_cooling_off_period_applies_to_new_addresses_only():
    desk = Desk()
    desk.onboard("c1")
    add(desk, "bc1qold")
    desk.ok(SetWithdrawalPolicy(actor=OFFICER, cooling_off_ns=NS_PER_HOUR, four_eyes_threshold_tmt_units=1_000,
                                reason="board decision 2026-07"))
    add(desk, "bc1qnew")
    desk.advance(NS_PER_HOUR)
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qnew", 100, desk.now_ns) is None
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qold", 100, desk.now_ns).code is (
        ComplianceCode.ADDRESS_COOLING_OFF)
    bad = SetWithdrawalPolicy(actor=OFFICER, cooling_off_ns=-1, four_eyes_threshold_tmt_units=1, reason="x")
    desk.refused(bad, ComplianceCode.INVALID_POLICY)
    bad = SetWithdrawalPolicy(actor=OFFICER, cooling_off_ns=0, four_eyes_threshold_tmt_units=-1, reason="x")
    desk.refused(bad, ComplianceCode.INVALID_POLICY)


def test_whitelisting_another_customers_deposit_address_is_a_prohibited_payment():
    desk = Desk()
    desk.onboard("c1")
    desk.onboard("c2")
    theirs = desk.ok(IssueDepositAddress(customer_id="c2", asset="BTC")).deposit_address
    mine = desk.ok(IssueDepositAddress(customer_id="c1", asset="BTC")).deposit_address
    for address in (theirs, theirs.upper(), mine):
        assert add(desk, address).code is ComplianceCode.PAYMENT_PROHIBITED
    assert desk.compliance.customer("c1").withdrawal_addresses == []


def test_a_whitelisted_address_that_later_becomes_a_deposit_address_is_refused_at_withdrawal():
    desk = Desk()
    desk.onboard("c1")
    desk.onboard("c2")
    predicted = deposit_address_for("c2", "BTC", desk.sequence + 2)  # Derived addresses can be guessed.
    desk.whitelist("c1", "BTC", predicted)
    assert desk.ok(IssueDepositAddress(customer_id="c2", asset="BTC")).deposit_address == predicted
    refusal = desk.compliance.check_withdrawal("c1", "BTC", predicted, 100, desk.now_ns)
    assert refusal.code is ComplianceCode.PAYMENT_PROHIBITED
    request = RequestWithdrawal(customer_id="c1", asset="BTC", address=predicted, amount_units=1, value_tmt_units=100)
    desk.refused(request, ComplianceCode.PAYMENT_PROHIBITED)


def test_whitelist_refusals():
    desk = Desk()
    desk.onboard("c1")
    add(desk, "bc1qmine")
    assert add(desk, "bc1qmine").code is ComplianceCode.ADDRESS_ALREADY_WHITELISTED
    assert add(desk, "").code is ComplianceCode.INVALID_ADDRESS
    assert add(desk, "x" * 129).code is ComplianceCode.INVALID_ADDRESS
    long_label = AddWithdrawalAddress(customer_id="c1", asset="BTC", address="bc1qx", label="l" * 101)
    desk.refused(long_label, ComplianceCode.INVALID_ADDRESS)
    for number in range(49):
        add(desk, f"bc1qmany{number}")
    assert add(desk, "bc1qonetoomany").code is ComplianceCode.WHITELIST_FULL
    desk.ok(OpenCase(actor=OFFICER, customer_id="c1", summary="unusual pattern", blocks_withdrawals=True))
    assert add(desk, "bc1qduringreview", customer_id="c1").code is ComplianceCode.COMPLIANCE_REVIEW


def test_a_removed_address_is_no_destination_and_coming_back_restarts_the_cooling_off():
    desk = Desk()
    desk.onboard("c1")
    desk.whitelist("c1", "BTC", "bc1qold")
    desk.ok(RemoveWithdrawalAddress(customer_id="c1", asset="BTC", address="bc1qold"))
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qold", 100, desk.now_ns).code is (
        ComplianceCode.ADDRESS_NOT_WHITELISTED)
    desk.refused(RemoveWithdrawalAddress(customer_id="c1", asset="BTC", address="bc1qold"),
                 ComplianceCode.ADDRESS_NOT_WHITELISTED)
    add(desk, "bc1qold")
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qold", 100, desk.now_ns).code is (
        ComplianceCode.ADDRESS_COOLING_OFF)
