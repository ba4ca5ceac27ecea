"""Append-only, hash-chained audit log of staff actions: who, what, when, why.

Each record's `hash` is sha256 over a canonical encoding of all its other fields plus the
previous record's hash (GENESIS_HASH for the first), so changing, removing, inserting or
reordering any record breaks the chain at that point. Canonical encoding (version 1), which
an auditor can reproduce without our code, e.g. in Python:

    sha256(json.dumps(["karakum-audit/1", sequence, timestamp_ns, actor, action, target,
                       reason, payload_text, previous_hash],
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()

where payload_text is the payload's JSON text (the payload is UTF-8 JSON bytes).

Truncating the newest records cannot be seen from the records alone: compare the last hash
with a head hash kept elsewhere (`verify-audit --head`), e.g. the one in a supervisor report.

`AuditLog` is pure like the rest of the venue: the sequencer passes sequence and
timestamp_ns, and puts the returned records into the batch it commits.
"""
import hashlib
from collections.abc import Iterable, Iterator
from typing import IO

import msgspec

from exchange.store.base import AuditRecord

GENESIS_HASH = "0" * 64
_ENCODING_TAG = "karakum-audit/1"


class AuditLine(msgspec.Struct, frozen=True, kw_only=True):
    """One JSON Lines export row: the record, with the payload as its JSON text."""

    sequence: int
    timestamp_ns: int
    actor: str
    action: str
    target: str
    reason: str
    payload: str
    previous_hash: str
    hash: str


class ChainBreak(msgspec.Struct, frozen=True, kw_only=True):
    index: int  # The first record that does not verify (len(records) for a missing tail).
    reason: str


def record_hash(sequence: int, timestamp_ns: int, actor: str, action: str, target: str,
                reason: str, payload: bytes, previous_hash: str) -> str:
    """The chain hash of one record (see the module docstring for the encoding)."""
    canonical = msgspec.json.encode([
        _ENCODING_TAG, sequence, timestamp_ns, actor, action, target, reason,
        payload.decode("utf-8"), previous_hash,
    ])
    return hashlib.sha256(canonical).hexdigest()


def encode_payload(value: object) -> bytes:
    """JSON bytes with sorted keys, so equal payloads give equal hashes."""
    return msgspec.json.encode(value, order="sorted")


class AuditLog:
    """The head of the chain; `append` builds the next record. O(payload) per record."""

    def __init__(self, head_hash: str = GENESIS_HASH, last_sequence: int = 0,
                 records_count: int = 0) -> None:
        self.head_hash = head_hash
        self.last_sequence = last_sequence
        self.records_count = records_count

    def append(self, sequence: int, timestamp_ns: int, actor: str, action: str, target: str,
               reason: str, payload: bytes = b"{}") -> AuditRecord:
        """Chain a new record after the head. A sequence going backwards is our bug: raise."""
        if sequence < self.last_sequence:
            raise ValueError(f"audit sequence {sequence} is before {self.last_sequence}")
        msgspec.json.decode(payload)  # Raises on a payload that is not JSON: a caller bug.
        digest = record_hash(sequence, timestamp_ns, actor, action, target, reason, payload,
                             self.head_hash)
        record = AuditRecord(sequence=sequence, timestamp_ns=timestamp_ns, actor=actor,
                             action=action, target=target, reason=reason, payload=payload,
                             previous_hash=self.head_hash, hash=digest)
        self.head_hash, self.last_sequence = digest, sequence
        self.records_count += 1
        return record

    @classmethod
    def resume(cls, records: Iterable[AuditRecord]) -> "AuditLog":
        """Rebuild the head from stored records, verifying the chain on the way."""
        log = cls()
        for index, record in enumerate(records):
            problem = _record_problem(record, log.head_hash, log.last_sequence)
            if problem is not None:
                raise ValueError(f"stored audit chain broken at record {index}: {problem}")
            log.head_hash, log.last_sequence = record.hash, record.sequence
            log.records_count += 1
        return log


def check_chain(records: Iterable[AuditRecord], previous_hash: str = GENESIS_HASH,
                head_hash: str | None = None) -> ChainBreak | None:
    """The first break in the chain, or None when every record verifies. Streams: O(1) memory."""
    last_sequence, count = 0, 0
    for index, record in enumerate(records):
        problem = _record_problem(record, previous_hash, last_sequence)
        if problem is not None:
            return ChainBreak(index=index, reason=problem)
        previous_hash, last_sequence, count = record.hash, record.sequence, index + 1
    if head_hash is not None and previous_hash != head_hash:
        return ChainBreak(index=count, reason="the last record is not the expected head: "
                                              "records are missing at the end")
    return None


def verify_chain(records: Iterable[AuditRecord], previous_hash: str = GENESIS_HASH,
                 head_hash: str | None = None) -> int | None:
    """Index of the first broken record, or None when the chain verifies."""
    broken = check_chain(records, previous_hash, head_hash)
    return None if broken is None else broken.index


def _record_problem(record: AuditRecord, previous_hash: str, last_sequence: int) -> str | None:
    if record.previous_hash != previous_hash:
        return "previous_hash does not match the hash of the record before it"
    if record.sequence < last_sequence:
        return "sequence goes backwards"
    try:
        expected = record_hash(record.sequence, record.timestamp_ns, record.actor, record.action,
                               record.target, record.reason, record.payload, record.previous_hash)
    except UnicodeDecodeError:
        return "payload is not UTF-8 JSON"
    if record.hash != expected:
        return "hash does not match the record's contents"
    return None


def to_line(record: AuditRecord) -> bytes:
    """One JSON Lines row (with its newline) for an export."""
    line = AuditLine(sequence=record.sequence, timestamp_ns=record.timestamp_ns,
                     actor=record.actor, action=record.action, target=record.target,
                     reason=record.reason, payload=record.payload.decode("utf-8"),
                     previous_hash=record.previous_hash, hash=record.hash)
    return msgspec.json.encode(line) + b"\n"


def export_jsonl(records: Iterable[AuditRecord], stream: IO[bytes]) -> int:
    """Write records as JSON Lines; returns how many were written."""
    count = 0
    for record in records:
        stream.write(to_line(record))
        count += 1
    return count


class ExportLineError(ValueError):
    """A line of an export file is not a valid audit record."""

    def __init__(self, index: int, detail: str) -> None:
        super().__init__(f"record {index}: {detail}")
        self.index = index


def read_jsonl(lines: Iterable[bytes]) -> Iterator[AuditRecord]:
    """Parse an export line by line; ExportLineError names the first unreadable record."""
    decoder = msgspec.json.Decoder(AuditLine)
    index = 0
    for raw in lines:
        if not raw.strip():
            continue
        try:
            line = decoder.decode(raw)
        except msgspec.DecodeError as error:
            raise ExportLineError(index, str(error)) from error
        yield AuditRecord(sequence=line.sequence, timestamp_ns=line.timestamp_ns,
                          actor=line.actor, action=line.action, target=line.target,
                          reason=line.reason, payload=line.payload.encode("utf-8"),
                          previous_hash=line.previous_hash, hash=line.hash)
        index += 1
