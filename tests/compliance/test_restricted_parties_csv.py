"""Parsing an uploaded restricted-parties CSV, with errors that name the line."""
import pytest

from exchange.compliance import RestrictedPartiesCsvError, RestrictedParty, parse_restricted_parties_csv


def test_parses_entries_with_optional_cells_in_any_column_order():
    text = (
        "\ufeffCountry,Name,document_number,date_of_birth\r\n"
        "ir,Ali Rezaei,,1965-04-02\r\n"
        "\r\n"
        ',"Smith, John",P-123,\r\n'
    )
    assert parse_restricted_parties_csv(text) == [
        RestrictedParty(name="Ali Rezaei", date_of_birth="1965-04-02", document_number=None, country="IR"),
        RestrictedParty(name="Smith, John", date_of_birth=None, document_number="P-123", country=None),
    ]


def test_a_name_only_list_is_enough():
    assert parse_restricted_parties_csv("name\nIvan Petrov\n") == [RestrictedParty(name="Ivan Petrov")]


def test_an_empty_list_after_the_header_is_valid():
    assert parse_restricted_parties_csv("name,country\n") == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("name,dob\nIvan,1970-01-01\n", 1, "unknown column"),
        ("country\nIR\n", 1, "no 'name' column"),
        ("name,Name\na,b\n", 1, "twice"),
        ("name,country\nIvan,IR\nPetr\n", 3, "expected 2 cells, found 1"),
        ("name,date_of_birth\nIvan,1970-01-01\nPetr,01/02/1970\n", 3, "date_of_birth"),
        ("name,country\nIvan,Iran\n", 2, "ISO 3166"),
        ("name,document_number\nIvan,--\n", 2, "document_number"),
        ("name,document_number\nIvan,A1\nPetr," + "9" * 41 + "\n", 3, "longer than 40"),
        ("name,country\n   ,IR\n", 2, "name is empty"),
        ('name,country\n"Ivan\nPetrov",IR\nPetr,"X\n', 4, "not valid CSV"),
    ],
)
def test_errors_name_the_line(text, line, words):
    with pytest.raises(RestrictedPartiesCsvError) as error:
        parse_restricted_parties_csv(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"line {line}: ")
    assert words in str(error.value)


def test_a_multiline_quoted_name_reports_the_line_where_its_record_ends():
    text = 'name,date_of_birth\n"Ivan\nPetrov",1970-01-01\nPetr,1970-99-01\n'
    with pytest.raises(RestrictedPartiesCsvError) as error:
        parse_restricted_parties_csv(text)
    assert error.value.line == 4
