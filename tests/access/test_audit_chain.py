"""The audit log's hash chain detects a changed, removed, inserted or reordered record."""
import hashlib
import io
import json

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.audit import (
    GENESIS_HASH, AuditLog, ExportLineError, check_chain, encode_payload, export_jsonl,
    read_jsonl, verify_chain,
)


def build(count=6):
    log = AuditLog()
    records = [
        log.append(sequence=10 * index, timestamp_ns=1_000 * index, actor=f"op-{index % 2}",
                   action="halt_market" if index % 2 else "verify_customer", target=f"m{index}",
                   reason=f"reason {index} ü", payload=encode_payload({"index": index, "note": "é"}))
        for index in range(1, count + 1)
    ]
    return log, records


def test_a_fresh_chain_verifies_and_links_from_genesis():
    log, records = build()
    assert records[0].previous_hash == GENESIS_HASH
    assert all(after.previous_hash == before.hash for before, after in zip(records, records[1:]))
    assert log.head_hash == records[-1].hash and log.records_count == len(records)
    assert verify_chain(records) is None
    assert verify_chain(records, head_hash=log.head_hash) is None


def test_an_auditor_recomputes_every_hash_with_the_standard_json_library():
    _, records = build()
    for record in records:
        canonical = json.dumps(
            ["karakum-audit/1", record.sequence, record.timestamp_ns, record.actor, record.action,
             record.target, record.reason, record.payload.decode(), record.previous_hash],
            ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256(canonical.encode()).hexdigest() == record.hash


@pytest.mark.parametrize("field, value", [
    ("actor", "op-9"), ("action", "resume_market"), ("target", "m99"), ("reason", "other"),
    ("payload", b'{"index":99}'), ("timestamp_ns", 1), ("sequence", 31),
])
def test_changing_any_field_of_a_record_is_detected_at_that_record(field, value):
    _, records = build()
    records[3] = msgspec.structs.replace(records[3], **{field: value})
    assert verify_chain(records) == 3


def test_recomputing_the_changed_records_hash_breaks_the_next_link():
    _, records = build()
    forged = AuditLog(head_hash=records[2].hash, last_sequence=records[2].sequence)
    records[3] = forged.append(records[3].sequence, records[3].timestamp_ns, "op-evil",
                               records[3].action, records[3].target, records[3].reason, records[3].payload)
    assert verify_chain(records) == 4


def test_removed_inserted_and_reordered_records_are_detected():
    _, records = build()
    assert verify_chain(records[:2] + records[3:]) == 2
    assert verify_chain(records[:2] + [records[4]] + records[2:]) == 2
    swapped = list(records)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert verify_chain(swapped) == 1
    assert verify_chain(records[1:]) == 0


def test_missing_records_at_the_end_need_the_head_hash():
    log, records = build()
    assert verify_chain(records[:-2]) is None
    broken = check_chain(records[:-2], head_hash=log.head_hash)
    assert broken.index == len(records) - 2 and "missing at the end" in broken.reason


def test_a_partial_export_verifies_from_its_previous_hash():
    _, records = build()
    assert verify_chain(records[3:], previous_hash=records[2].hash) is None


def test_append_refuses_going_back_in_sequence_and_non_json_payload():
    log, _ = build()
    with pytest.raises(ValueError):
        log.append(sequence=1, timestamp_ns=0, actor="a", action="b", target="c", reason="d")
    with pytest.raises(msgspec.DecodeError):
        log.append(sequence=100, timestamp_ns=0, actor="a", action="b", target="c", reason="d",
                   payload=b"not json")
    assert log.records_count == 6


def test_resume_continues_the_chain_and_refuses_a_broken_store():
    log, records = build()
    resumed = AuditLog.resume(records)
    assert (resumed.head_hash, resumed.last_sequence, resumed.records_count) == (log.head_hash, 60, 6)
    following = resumed.append(sequence=70, timestamp_ns=7, actor="op", action="a", target="t", reason="r")
    assert verify_chain(records + [following]) is None
    with pytest.raises(ValueError, match="record 1"):
        AuditLog.resume([records[0], records[2]])


def test_export_and_read_back_is_exact():
    _, records = build()
    stream = io.BytesIO()
    assert export_jsonl(records, stream) == len(records)
    lines = stream.getvalue().splitlines(keepends=True)
    assert len(lines) == len(records)
    assert json.loads(lines[0])["payload"] == '{"index":1,"note":"é"}'
    assert list(read_jsonl(lines)) == records


def test_an_unreadable_export_line_is_named():
    _, records = build()
    stream = io.BytesIO()
    export_jsonl(records, stream)
    lines = stream.getvalue().splitlines(keepends=True)
    lines[2] = b'{"sequence": "x"}\n'
    with pytest.raises(ExportLineError) as error:
        list(read_jsonl(lines))
    assert error.value.index == 2


text = st.text(max_size=20)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(st.tuples(text, text, text, text, st.dictionaries(text, st.integers())),
                        min_size=1, max_size=8),
       victim=st.integers(0, 7), replacement=text)
def test_any_change_to_any_text_field_is_detected(entries, victim, replacement):
    log = AuditLog()
    records = [log.append(index, index, actor, action, target, reason, encode_payload(payload))
               for index, (actor, action, target, reason, payload) in enumerate(entries)]
    victim %= len(records)
    assert verify_chain(records) is None
    if records[victim].reason != replacement:
        records[victim] = msgspec.structs.replace(records[victim], reason=replacement)
        assert verify_chain(records) == victim
