"""Restricted-parties lists and restricted jurisdictions, with re-screening on change.

Every list change re-screens every verified or suspended customer. A new hit
opens a case that blocks new withdrawals (see cases.py); the customer is not
suspended automatically, because the law wants the officer to decide.
Cost: O(customers) dictionary look-ups per change.
"""
from exchange.compliance.cases import raise_screening_case
from exchange.compliance.codes import CaseKind, ComplianceCode, KycStatus
from exchange.compliance.commands import LoadRestrictedParties, SetRestrictedJurisdictions
from exchange.compliance.countries import is_country_code
from exchange.compliance.guards import actor_refusal
from exchange.compliance.records import ComplianceBook
from exchange.compliance.restricted_parties import ENTRIES_MAX, party_problem
from exchange.compliance.results import Accepted, ComplianceResult, refuse
from exchange.compliance.screening import listed_party, rebuild_party_keys, screen

LIST_NAME_LENGTH_MAX = 100
_RESCREENED = (KycStatus.VERIFIED, KycStatus.SUSPENDED)


def handle_load_restricted_parties(book: ComplianceBook, command: LoadRestrictedParties, sequence: int,
                                   timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor)
    if refusal:
        return refusal
    if not command.list_name.strip() or len(command.list_name) > LIST_NAME_LENGTH_MAX:
        return refuse(ComplianceCode.INVALID_LIST, f"list name must be 1 to {LIST_NAME_LENGTH_MAX} characters")
    if len(command.entries) > ENTRIES_MAX:
        return refuse(ComplianceCode.INVALID_LIST, f"more than {ENTRIES_MAX} entries")
    for number, party in enumerate(command.entries, start=1):
        problem = party_problem(party)
        if problem:
            return refuse(ComplianceCode.INVALID_LIST, f"entry {number}: {problem}")
    if command.entries:
        book.restricted_parties[command.list_name] = [listed_party(command.list_name, p) for p in command.entries]
    else:
        book.restricted_parties.pop(command.list_name, None)
    rebuild_party_keys(book)
    return Accepted(case_ids=rescreen(book, timestamp_ns))


def handle_set_restricted_jurisdictions(book: ComplianceBook, command: SetRestrictedJurisdictions, sequence: int,
                                        timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor)
    if refusal:
        return refusal
    countries = sorted({country.strip().upper() for country in command.countries})
    unknown = [country for country in countries if not is_country_code(country)]
    if unknown:
        return refuse(ComplianceCode.INVALID_COUNTRY, f"not ISO 3166-1 alpha-2 codes: {unknown}")
    book.restricted_jurisdictions = countries
    return Accepted(case_ids=rescreen(book, timestamp_ns))


def rescreen(book: ComplianceBook, timestamp_ns: int) -> tuple[int, ...]:
    """Screen every verified or suspended customer again; return the cases opened."""
    opened: list[int] = []
    next_case_id = book.next_case_id
    for customer_id in sorted(book.customers):
        customer = book.customers[customer_id]
        if customer.kyc_status not in _RESCREENED or customer.identity is None:
            continue
        hits = screen(book, customer.identity, customer.cleared_hit_keys)
        if hits:
            case_ids = raise_screening_case(book, customer, CaseKind.SCREENING_LIST_UPDATE, hits, timestamp_ns)
            opened.extend(case_id for case_id in case_ids if case_id >= next_case_id)
    return tuple(opened)
