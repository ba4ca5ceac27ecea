"""Identity data of a customer: validation, normalisation and masking.

Identity data is shown only to the customer and compliance staff and must never
reach a log, so every Struct that carries it masks it in `repr` (and therefore
in `str`, f-strings and tracebacks that print locals).
"""
import datetime
import re
import unicodedata

import msgspec

from exchange.compliance.codes import DocumentType
from exchange.compliance.countries import is_country_code

FULL_NAME_LENGTH_MAX = 200
DOCUMENT_NUMBER_LENGTH_MAX = 40
MASK = "<masked>"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Z]")


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """Who a customer is, as submitted; `document_number` is stored normalised."""

    full_name: str
    document_type: DocumentType
    document_number: str
    country: str  # Of residence, ISO 3166-1 alpha-2.
    date_of_birth: str  # YYYY-MM-DD.

    def __repr__(self) -> str:
        return f"Identity(document_type={self.document_type.value!r}, <identity fields masked>)"

    def __rich_repr__(self):  # msgspec's default would list every field to rich's pretty printer.
        yield "document_type", self.document_type.value
        yield "identity", MASK


def normalise_document_number(text: str) -> str:
    """Upper case without spaces, dashes or other separators: 'ab 12-34' -> 'AB1234'."""
    return _NOT_ALPHANUMERIC.sub("", text.upper())


def normalise_name(text: str) -> str:
    """Case-, accent-, punctuation- and order-insensitive key: 'Smith, José' == 'jose smith'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(sorted(letters.split()))


def parse_date(text: str) -> datetime.date | None:
    """A strict YYYY-MM-DD calendar date, or None."""
    if not _DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def age_years(date_of_birth: datetime.date, today: datetime.date) -> int:
    """Completed years of age on `today`."""
    had_birthday = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - (0 if had_birthday else 1)


def identity_problem(full_name: str, document_number: str, country: str, date_of_birth: str) -> str | None:
    """What is wrong with submitted identity fields, in words; None when they are well formed."""
    if not normalise_name(full_name):
        return "full name is empty"
    if len(full_name) > FULL_NAME_LENGTH_MAX:
        return f"full name is longer than {FULL_NAME_LENGTH_MAX} characters"
    normalised = normalise_document_number(document_number)
    if not normalised:
        return "document number is empty"
    if len(normalised) > DOCUMENT_NUMBER_LENGTH_MAX:
        return f"document number is longer than {DOCUMENT_NUMBER_LENGTH_MAX} characters"
    if not is_country_code(country):
        return "country of residence is not an ISO 3166-1 alpha-2 code"
    if parse_date(date_of_birth) is None:
        return "date of birth is not a YYYY-MM-DD calendar date"
    return None
