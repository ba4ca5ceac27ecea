"""Regulator reports as pure functions: which records each day's report holds, and its exact bytes."""
import csv
import hashlib
import io
import json

import msgspec

from exchange.compliance import CaseStatus, KycStatus
from exchange.compliance.codes import CaseKind, DocumentType
from exchange.compliance.identity import Identity
from exchange.compliance.records import Case, CaseNote, Customer
from exchange.reports.customer_register import KycEvent, customer_register
from exchange.reports.daily_trades import daily_trades
from exchange.reports.formats import day_bounds_ns, render, verify_json
from exchange.reports.large_transactions import TransferRow, large_transactions
from exchange.reports.suspicious_activity import suspicious_activity
from tests.surveillance.blotter import Blotter
from tests.surveillance.normal_session import INSTRUMENT

DAY = "2026-03-10"
START, END = day_bounds_ns(DAY)
DECIMALS = {"BTC": 8, "USDT": 6}
HOUR = 3_600 * 1_000_000_000


def test_the_daily_trade_report_holds_the_days_trades_with_both_parties_and_fees():
    blotter = Blotter()
    trades = [blotter.trade(buyer=1, seller=2, price_ticks=10_000_000, quantity_lots=25, at_ns=START - 1),
              blotter.trade(buyer=3, seller=4, price_ticks=10_000_050, quantity_lots=3, at_ns=START,
                            buyer_is_taker=False),
              blotter.trade(buyer=5, seller=6, at_ns=END)]
    trades[1] = msgspec.structs.replace(trades[1], maker_fee_units=30, taker_fee_units=3_000_150)
    table = daily_trades(trades, {1: INSTRUMENT}, DECIMALS, DAY)
    [row] = table.rows
    assert (row["trade_id"], row["market"], row["price"], row["quantity"]) == (2, "BTC/USDT", "100000.50", "0.0003")
    assert (row["buyer_account_id"], row["seller_account_id"], row["taker_side"]) == (3, 4, "SELL")
    assert (row["maker_fee"], row["maker_fee_asset"]) == ("0.00000030", "BTC")  # the buyer (maker) pays base
    assert (row["taker_fee"], row["taker_fee_asset"]) == ("3.000150", "USDT")
    assert row["timestamp"] == "2026-03-10T00:00:00.000000000Z"


def transfer(kind, value, at_ns, transfer_id):
    return TransferRow(kind=kind, transfer_id=transfer_id, timestamp_ns=at_ns, customer_id=7, asset="USDT",
                       amount_units=value * 10_000 // 35, value_tmt_units=value, status="credited", chain_tx_id="")


def test_the_large_transaction_report_holds_the_days_transfers_at_or_above_the_threshold():
    rows = [transfer("deposit", 1_000_000, START + HOUR, "d:a"), transfer("withdrawal", 999_999, START, "w1"),
            transfer("withdrawal", 5_000_000, END, "w2"), transfer("deposit", 2_000_000, START, "d:b")]
    table = large_transactions(rows, DECIMALS, 1_000_000, DAY)
    assert [row["transfer_id"] for row in table.rows] == ["d:b", "d:a"]
    assert table.rows[1]["value_tmt"] == "10000.00"


def customer(customer_id: str, name: str) -> Customer:
    return Customer(customer_id=customer_id, email="x@example.com", kyc_status=KycStatus.SUSPENDED, tier=2,
                    signed_up_at_ns=START - 48 * HOUR,
                    identity=Identity(full_name=name, document_type=DocumentType.PASSPORT, document_number="P1",
                                      country="TM", date_of_birth="1980-01-01"))


def test_suspicious_activity_reports_are_the_cases_escalated_that_day_with_the_subjects_identity():
    def case(case_id, escalated_at):
        notes = [] if escalated_at is None else [
            CaseNote(actor="compliance-1", timestamp_ns=escalated_at, text="escalated to FIU: pays through trades")]
        return Case(case_id=case_id, customer_id="9", kind=CaseKind.MANUAL, status=CaseStatus.ESCALATED,
                    blocks_withdrawals=False, opened_at_ns=START - HOUR, opened_by="surveillance",
                    summary="surveillance value_transfer_fan_in: ... [key=value_transfer_fan_in/9/20522]",
                    notes=notes, escalated_to="FIU")
    cases = [case(1, START + HOUR), case(2, None), case(3, END + 1)]
    table = suspicious_activity(cases, {"9": customer("9", "Ayna Payer")}, DAY)
    [row] = table.rows
    assert (row["case_id"], row["full_name"], row["rule"]) == (1, "Ayna Payer", "value_transfer_fan_in")
    assert (row["escalated_to"], row["escalation_reason"], row["escalated_by"]) == (
        "FIU", "pays through trades", "compliance-1")


def test_the_customer_register_lists_customers_verified_by_that_day_with_their_status_history():
    events = [KycEvent(customer_id="1", timestamp_ns=START - HOUR, status="verified", actor="c-1", reason="ok"),
              KycEvent(customer_id="1", timestamp_ns=END + HOUR, status="suspended", actor="c-2", reason="case"),
              KycEvent(customer_id="2", timestamp_ns=END + HOUR, status="verified", actor="c-1", reason="ok")]
    table = customer_register([customer("2", "Later Verified"), customer("1", "Early Verified")], events, DAY)
    [row] = table.rows
    assert (row["customer_id"], row["kyc_status"], row["residency"], row["tier"]) == (1, "verified", "TM", 2)
    assert row["kyc_history"] == ["2026-03-08T00:00:00.000000000Z pending: signed up",
                                  "2026-03-09T23:00:00.000000000Z verified by c-1: ok"]


def test_csv_and_json_bytes_carry_their_hashes():
    events = [KycEvent(customer_id="1", timestamp_ns=START, status="verified", actor="c-1", reason="ok, checked")]
    table = customer_register([customer("1", "Öz, Merdan")], events, DAY)
    as_csv, as_json = render(table, "csv"), render(table, "json")
    assert as_csv.sha256 == hashlib.sha256(as_csv.body).hexdigest()
    [row] = list(csv.DictReader(io.StringIO(as_csv.body.decode())))
    assert row["full_name"] == "Öz, Merdan" and " | " in row["kyc_history"]
    assert verify_json(as_json.body)
    tampered = json.loads(as_json.body)
    tampered["rows"][0]["tier"] = 3
    assert not verify_json(json.dumps(tampered).encode())
    assert as_json.filename == "customer-register-2026-03-10.json"
