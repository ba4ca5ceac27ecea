"""Ledger export as CSV or JSON Lines, one record per posting, each hash-chained to the one before.

Record fields, in order (FIELDS): record (1, 2, ...), entry_id, sequence, kind,
cause, posting_index, debit_account, credit_account, asset, amount_units,
reason, approvers, parties, previous_hash, hash.

Every field has one text form, the CSV cell: integers in decimal, `amount_units`
too (also a string in JSON Lines, so no JSON reader rounds a wei amount), a
missing reason as "", approvers and parties as a compact JSON array.

    hash = sha256(utf8(compact JSON array [previous_hash, text of record .. parties])) in hex

The first record's previous_hash is GENESIS_HASH; the last record's hash (the
head) is what an auditor compares with the published one. Removing records at
the end is only caught by comparing the head, so `verify --head` exists.
"""
import csv
import hashlib
import json
import re
from typing import Callable, Iterable, TextIO

import msgspec

from ledger.entries import JournalEntry

GENESIS_HASH = "0" * 64
FIELDS = (
    "record", "entry_id", "sequence", "kind", "cause", "posting_index", "debit_account", "credit_account",
    "asset", "amount_units", "reason", "approvers", "parties", "previous_hash", "hash",
)
_HASHED_FIELDS = FIELDS[:-2]
_INTEGER_FIELDS = frozenset({"record", "sequence", "posting_index"})
_LIST_FIELDS = frozenset({"approvers", "parties"})
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


class ExportReport(msgspec.Struct, frozen=True):
    """Outcome of a verification: ok, or the first broken record's line (1-based, as an editor shows it)."""

    ok: bool
    records: int  # Records verified before the end or the break.
    head_hash: str  # Hash of the last good record.
    broken_line: int | None = None
    problem: str | None = None


def _compact_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous_hash: str, texts: list[str]) -> str:
    return hashlib.sha256(_compact_json([previous_hash, *texts]).encode()).hexdigest()


class ExportWriter:
    """Writes entries as chained records to a text stream; `head_hash` after the last one."""

    def __init__(self, stream: TextIO, export_format: str) -> None:
        if export_format not in ("csv", "jsonl"):
            raise ValueError("export format is csv or jsonl")
        self._stream = stream
        self._csv = csv.writer(stream, lineterminator="\n") if export_format == "csv" else None
        if self._csv is not None:
            self._csv.writerow(FIELDS)
        self.head_hash = GENESIS_HASH
        self.records = 0

    def write_entry(self, entry: JournalEntry) -> None:
        common = (entry.entry_id, str(entry.sequence), str(entry.kind), entry.cause)
        tail = (entry.reason or "", _compact_json(list(entry.approvers)), _compact_json(list(entry.parties)))
        for index, posting in enumerate(entry.postings):
            self.records += 1
            texts = [str(self.records), *common, str(index), posting.debit_account, posting.credit_account,
                     posting.asset, str(posting.amount_units), *tail]
            previous_hash, self.head_hash = self.head_hash, chain_hash(self.head_hash, texts)
            self._write(texts, previous_hash)

    def _write(self, texts: list[str], previous_hash: str) -> None:
        if self._csv is not None:
            self._csv.writerow([*texts, previous_hash, self.head_hash])
            return
        record: dict = dict(zip(_HASHED_FIELDS, texts))
        for field in _INTEGER_FIELDS:
            record[field] = int(record[field])
        for field in _LIST_FIELDS:
            record[field] = json.loads(record[field])
        record["reason"] = texts[10] or None
        record["previous_hash"], record["hash"] = previous_hash, self.head_hash
        self._stream.write(_compact_json(record) + "\n")


def _texts_from_json(record: dict) -> list[str]:
    """A JSON Lines record -> the text form of its hashed fields; ValueError if it is malformed."""
    texts = []
    for field in _HASHED_FIELDS:
        value = record[field]
        if field in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValueError(f"{field} must be a list of strings")
            texts.append(_compact_json(value))
        elif field in _INTEGER_FIELDS:
            if type(value) is not int:
                raise ValueError(f"{field} must be an integer")
            texts.append(str(value))
        elif field == "reason" and value is None:
            texts.append("")
        elif isinstance(value, str):
            texts.append(value)
        else:
            raise ValueError(f"{field} must be a string")
    return texts


def _check_record(texts: list[str], previous_hash: str, record_hash: str, expected: int, head: str) -> str | None:
    """Why the record breaks the chain, or None."""
    if texts[0] != str(expected):
        return f"record number {texts[0]} where {expected} was expected (a record was removed or inserted)"
    if not _INTEGER_TEXT.fullmatch(texts[9]) or int(texts[9]) <= 0:
        return "amount_units is not a positive integer"
    if previous_hash != head:
        return "previous_hash does not match the hash of the record before"
    if not _HEX_HASH.fullmatch(record_hash) or chain_hash(previous_hash, texts) != record_hash:
        return "hash does not match the record's content"
    return None


def verify_lines(
    lines: Iterable[str], export_format: str, progress: Callable[[int], None] | None = None
) -> ExportReport:
    """Recompute the chain over an export's lines; stop at the first broken record. O(records)."""
    rows = _rows(lines, export_format)
    head, count = GENESIS_HASH, 0
    for line_number, row in rows:
        if isinstance(row, str):
            return ExportReport(False, count, head, line_number, row)
        texts, previous_hash, record_hash = row
        problem = _check_record(texts, previous_hash, record_hash, count + 1, head)
        if problem is not None:
            return ExportReport(False, count, head, line_number, problem)
        head, count = record_hash, count + 1
        if progress is not None:
            progress(1)
    return ExportReport(True, count, head)


def _rows(lines: Iterable[str], export_format: str):
    """(line number, (texts, previous_hash, hash) or a problem string) per record line."""
    if export_format == "jsonl":
        for line_number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                yield line_number, (_texts_from_json(record), record["previous_hash"], record["hash"])
            except (ValueError, KeyError, TypeError) as error:
                yield line_number, f"not a valid record: {error}"
        return
    reader = csv.reader(lines)
    header = next(reader, None)
    if header != list(FIELDS):
        yield 1, f"the header is not {','.join(FIELDS)}"
        return
    for row in reader:
        if len(row) != len(FIELDS):
            yield reader.line_num, f"{len(row)} fields where {len(FIELDS)} were expected"
            continue
        yield reader.line_num, (row[:-2], row[-2], row[-1])


def detect_format(path: str, first_line: str) -> str:
    """jsonl for .jsonl/.ndjson or a line starting with "{", csv otherwise."""
    if path.endswith((".jsonl", ".ndjson")) or first_line.lstrip().startswith("{"):
        return "jsonl"
    return "csv"
