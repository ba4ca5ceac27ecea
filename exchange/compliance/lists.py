"""Restricted-parties lists, restricted jurisdictions and the name-match rule, with re-screening on change.

Every list change re-screens every verified or suspended customer. A new hit
opens a case that blocks new withdrawals (see cases.py); the customer is not
suspended automatically, because the law wants the officer to decide.
Cost: O(customers) dictionary look-ups per change with equal names only; with
similar names, each customer is also scored against the entries sharing a
blocking key (benchmarks/screening.py: 10,000 customers against a 25,000-entry
list of realistic names, ~0.3 s instead of ~0.1 s, during which the venue
applies nothing else).
"""
from exchange.compliance.cases import raise_screening_case
from exchange.compliance.codes import CaseKind, ComplianceCode, KycStatus
from exchange.compliance.commands import LoadRestrictedParties, SetRestrictedJurisdictions, SetScreeningRules
from exchange.compliance.countries import is_country_code
from exchange.compliance.guards import actor_refusal, text_refusal
from exchange.compliance.records import EXACT_NAMES_ONLY, ComplianceBook
from exchange.compliance.restricted_parties import ENTRIES_MAX, party_problem
from exchange.compliance.results import Accepted, ComplianceResult, refuse
from exchange.compliance.screening import listed_party, rebuild_party_keys, screen

LIST_NAME_LENGTH_MAX = 100
# Below this, names that merely share a sound (John Smith / Jane Smyth) would flood the officers with cases.
NAME_MATCH_MIN_SCORE_FLOOR = 70
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


def handle_set_screening_rules(book: ComplianceBook, command: SetScreeningRules, sequence: int,
                               timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor) or text_refusal(command.reason)
    if refusal:
        return refusal
    if not NAME_MATCH_MIN_SCORE_FLOOR <= command.name_match_min_score <= EXACT_NAMES_ONLY:
        return refuse(ComplianceCode.INVALID_SCREENING_RULES,
                      f"name_match_min_score must be {NAME_MATCH_MIN_SCORE_FLOOR} to {EXACT_NAMES_ONLY} "
                      f"({EXACT_NAMES_ONLY}: equal names only)")
    book.name_match_min_score = command.name_match_min_score
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
