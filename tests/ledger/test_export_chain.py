"""Exports: both formats chain the same records; any edit, removal or reordering is caught at its line."""
import csv
import io
import json

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from ledger import entries as E
from ledger.export import GENESIS_HASH, ExportWriter, verify_lines


def sample_entries():
    return [
        E.deposit("d1", 1, 7, "ETH", 10**30, "tx-1"),
        E.deposit("d2", 2, 8, "USDT", 5_000, "tx-2"),
        E.hold("s3:hold", 3, 7, "ETH", 10, "s3"),
        E.hold("s4:hold", 4, 8, "USDT", 600, "s4"),
        E.trade_settlement("t1", 4, 1, 8, 7, "ETH", 10, "USDT", 500, 1, 2),
        E.correction("c1", 5, (E.Posting("exchange:equity", "user:7:available", "USDT", 1),),
                     'refund, "quoted"\nsecond line', ("op:ann", "op:bob"), "ticket-1"),
    ]


def export(entries, export_format):
    stream = io.StringIO()
    writer = ExportWriter(stream, export_format)
    for entry in entries:
        writer.write_entry(entry)
    return stream.getvalue(), writer


@pytest.mark.parametrize("export_format", ["csv", "jsonl"])
def test_an_untouched_export_verifies_to_the_writers_head(export_format):
    text, writer = export(sample_entries(), export_format)
    report = verify_lines(io.StringIO(text, newline=""), export_format)
    assert report.ok
    assert report.records == writer.records == 9
    assert report.head_hash == writer.head_hash != GENESIS_HASH


def test_csv_and_jsonl_chain_to_the_same_head():
    assert export(sample_entries(), "csv")[1].head_hash == export(sample_entries(), "jsonl")[1].head_hash


def jsonl_tamper(text: str, record_index: int, field: str, value) -> str:
    lines = text.splitlines(keepends=True)
    record = json.loads(lines[record_index])
    record[field] = value
    lines[record_index] = json.dumps(record) + "\n"
    return "".join(lines)


@pytest.mark.parametrize(
    "field, value",
    [("amount_units", "11"), ("credit_account", "user:9:available"), ("kind", "transfer"), ("reason", "none"),
     ("approvers", ["op:ann"]), ("sequence", 99), ("amount_units", "-10"), ("amount_units", 10)],
)
def test_an_edited_jsonl_record_is_reported_at_its_line(field, value):
    text, _ = export(sample_entries(), "jsonl")
    report = verify_lines(io.StringIO(jsonl_tamper(text, 4, field, value)), "jsonl")
    assert not report.ok
    assert report.broken_line == 5
    assert report.records == 4


def test_a_removed_or_swapped_record_breaks_the_chain():
    text, _ = export(sample_entries(), "jsonl")
    lines = text.splitlines(keepends=True)
    removed = verify_lines(io.StringIO("".join(lines[:3] + lines[4:])), "jsonl")
    assert (removed.ok, removed.broken_line) == (False, 4)
    swapped = verify_lines(io.StringIO("".join(lines[:2] + [lines[3], lines[2]] + lines[4:])), "jsonl")
    assert (swapped.ok, swapped.broken_line) == (False, 3)


def test_an_edited_csv_cell_is_reported_at_its_line():
    text, _ = export(sample_entries(), "csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[2][9] = "4999"  # The second record: line 3, after the header.
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerows(rows)
    report = verify_lines(io.StringIO(stream.getvalue(), newline=""), "csv")
    assert (report.ok, report.broken_line, report.records) == (False, 3, 1)


def test_a_chain_rehashed_after_an_edit_still_breaks_at_the_edit():
    # A forger who recomputes the edited record's hash breaks the next record's previous_hash link.
    text, _ = export(sample_entries(), "jsonl")
    lines = text.splitlines(keepends=True)
    forged, _ = export(sample_entries()[:1] + [E.deposit("d2", 2, 8, "USDT", 9_999, "tx-2")], "jsonl")
    tampered = "".join(forged.splitlines(keepends=True)[:2] + lines[2:])
    report = verify_lines(io.StringIO(tampered), "jsonl")
    assert (report.ok, report.broken_line) == (False, 3)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), amounts=st.lists(st.integers(1, 10**20), min_size=1, max_size=12))
def test_any_amount_edit_is_caught_exactly_there(data, amounts):
    entries = [E.deposit(f"d{n}", n, n % 3, "BTC", units, f"tx{n}") for n, units in enumerate(amounts, start=1)]
    text, _ = export(entries, "jsonl")
    index = data.draw(st.integers(0, len(amounts) - 1))
    new_units = data.draw(st.integers(1, 10**20).filter(lambda units: units != amounts[index]))
    report = verify_lines(io.StringIO(jsonl_tamper(text, index, "amount_units", str(new_units))), "jsonl")
    assert (report.ok, report.broken_line, report.records) == (False, index + 1, index)
