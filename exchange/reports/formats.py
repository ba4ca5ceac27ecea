"""Report tables rendered as CSV or JSON, each with the sha256 of its exact bytes.

A report is a title, a UTC date and rows of named columns (strings and
integers; a list cell is joined with " | " in CSV). Money and sizes appear
twice: exact integers (`*_units`, `*_ticks`, `*_lots`) and decimal strings.

- CSV: a header row and one row per record, UTF-8, "\\n" line ends.
- JSON: {"report", "date", "columns", "row_count", "rows_sha256", "rows"}:
  `rows_sha256` is the sha256 of the compact JSON encoding of `rows` exactly
  as it appears in the file, so a supervisor can check the rows inside the
  file (`verify_json`). The hash of the whole file (what the API sends in
  `X-Content-SHA256` and the CLI prints) covers every byte of either format.
"""
import csv
import datetime
import hashlib
import io
import json

import msgspec

NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND
FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class Table(msgspec.Struct, frozen=True, kw_only=True):
    report: str
    date: str
    columns: tuple[str, ...]
    rows: list[dict]


class Report(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    format: str
    body: bytes
    sha256: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.format}"


def render(table: Table, fmt: str) -> Report:
    body = _csv(table) if fmt == "csv" else _json(table)
    return Report(name=f"{table.report}-{table.date}", format=fmt, body=body,
                  sha256=hashlib.sha256(body).hexdigest())


def _csv(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([" | ".join(map(str, cell)) if isinstance(cell, list) else cell
                         for cell in (row[column] for column in table.columns)])
    return text.getvalue().encode()


def _json(table: Table) -> bytes:
    rows = msgspec.json.encode([{column: row[column] for column in table.columns} for row in table.rows])
    head = msgspec.json.encode({"report": table.report, "date": table.date, "columns": list(table.columns),
                                "row_count": len(table.rows), "rows_sha256": hashlib.sha256(rows).hexdigest()})
    return head[:-1] + b',"rows":' + rows + b"}\n"


def verify_json(body: bytes) -> bool:
    """True when the `rows_sha256` inside a JSON report matches its rows (any JSON library re-encodes
    them identically: compact separators, keys in file order, UTF-8 unescaped)."""
    document = json.loads(body)
    rows = json.dumps(document["rows"], separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(rows).hexdigest() == document["rows_sha256"]


def day_bounds_ns(date: str) -> tuple[int, int]:
    """[start, end) of a UTC calendar day "YYYY-MM-DD" in ns; ValueError when it is not a date."""
    day = datetime.date.fromisoformat(date)
    start = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp()) * NS_PER_SECOND
    return start, start + NS_PER_DAY


def iso_ns(timestamp_ns: int | None) -> str:
    """UTC timestamp with nanoseconds, e.g. 2026-11-25T16:36:01.123456789Z; "" for None."""
    if timestamp_ns is None:
        return ""
    seconds, nanos = divmod(timestamp_ns, NS_PER_SECOND)
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z"


def decimal_units(units: int, decimals: int) -> str:
    """Exact decimal string of an integer amount: 150000000, 8 -> "1.50000000"."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10 ** decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"
