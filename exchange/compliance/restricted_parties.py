"""Restricted-parties lists: CSV upload parsing and per-entry validation.

CSV format (UTF-8, a header row; column order free, names case-insensitive):
`name` (required), `date_of_birth` (YYYY-MM-DD), `document_number`, `country`
(ISO 3166-1 alpha-2); empty optional cells mean "not on the list". Unknown
columns are an error, so a misspelt `dob` column cannot silently weaken screening.
"""
import csv
import io

from exchange.compliance.commands import RestrictedParty
from exchange.compliance.countries import is_country_code
from exchange.compliance.identity import (
    DOCUMENT_NUMBER_LENGTH_MAX,
    FULL_NAME_LENGTH_MAX,
    normalise_document_number,
    normalise_name,
    parse_date,
)

ENTRIES_MAX = 200_000
COLUMNS = ("name", "date_of_birth", "document_number", "country")


class RestrictedPartiesCsvError(ValueError):
    """The upload is malformed; `line` is the 1-based line of the CSV text."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def party_problem(party: RestrictedParty) -> str | None:
    """What is wrong with one entry, in words; None when it is well formed."""
    if not normalise_name(party.name):
        return "name is empty"
    if len(party.name) > FULL_NAME_LENGTH_MAX:
        return f"name is longer than {FULL_NAME_LENGTH_MAX} characters"
    if party.date_of_birth is not None and parse_date(party.date_of_birth) is None:
        return f"date_of_birth {party.date_of_birth!r} is not a YYYY-MM-DD calendar date"
    if party.document_number is not None and not normalise_document_number(party.document_number):
        return "document_number has no letters or digits"
    if party.document_number is not None and len(party.document_number) > DOCUMENT_NUMBER_LENGTH_MAX:
        return f"document_number is longer than {DOCUMENT_NUMBER_LENGTH_MAX} characters"
    if party.country is not None and not is_country_code(party.country):
        return f"country {party.country!r} is not an ISO 3166-1 alpha-2 code"
    return None


def parse_restricted_parties_csv(text: str) -> list[RestrictedParty]:
    """Parse an uploaded list; raises RestrictedPartiesCsvError naming the first bad line."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        columns = _header(reader)
        return _entries(reader, columns)
    except csv.Error as error:
        raise RestrictedPartiesCsvError(reader.line_num, f"not valid CSV ({error})") from None


def _header(reader) -> list[str]:
    header = next(reader, None)
    if header is None:
        raise RestrictedPartiesCsvError(1, "the file is empty; expected a header row")
    columns = [cell.strip().lower() for cell in header]
    unknown = [column for column in columns if column not in COLUMNS]
    if unknown:
        raise RestrictedPartiesCsvError(reader.line_num, f"unknown column(s) {unknown}; expected {list(COLUMNS)}")
    if "name" not in columns:
        raise RestrictedPartiesCsvError(reader.line_num, "the header has no 'name' column")
    if len(set(columns)) != len(columns):
        raise RestrictedPartiesCsvError(reader.line_num, "a column appears twice in the header")
    return columns


def _entries(reader, columns: list[str]) -> list[RestrictedParty]:
    entries: list[RestrictedParty] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise RestrictedPartiesCsvError(reader.line_num, f"expected {len(columns)} cells, found {len(row)}")
        if len(entries) == ENTRIES_MAX:
            raise RestrictedPartiesCsvError(reader.line_num, f"more than {ENTRIES_MAX} entries")
        cells = {column: cell.strip() or None for column, cell in zip(columns, row)}
        party = RestrictedParty(
            name=cells["name"] or "",
            date_of_birth=cells.get("date_of_birth"),
            document_number=cells.get("document_number"),
            country=cells["country"].upper() if cells.get("country") else None,
        )
        problem = party_problem(party)
        if problem:
            raise RestrictedPartiesCsvError(reader.line_num, problem)
        entries.append(party)
    return entries
