"""Restricted-parties lists, restricted jurisdictions and the name-match rule, with re-screening on change.

Every list change re-screens every verified or suspended customer, in
chunks: the change itself screens the first RESCREEN_CUSTOMERS_PER_COMMAND
customers in id order, and each ContinueRescreen command (the runtime sends
them until `Compliance.rescreen_pending()` is false) the next ones, so other
clients' commands are applied in between instead of waiting for the whole
population. A new hit opens a case that blocks new withdrawals (see
cases.py); the customer is not suspended automatically, because the law
wants the officer to decide. Cost per chunk: dictionary look-ups per customer
with equal names only; with similar names, each customer is also scored
against the entries sharing a blocking key (benchmarks/screening.py).
"""
import bisect

from exchange.compliance.cases import raise_screening_case
from exchange.compliance.codes import CaseKind, ComplianceCode, KycStatus
from exchange.compliance.commands import (
    ContinueRescreen,
    LoadRestrictedParties,
    SetRestrictedJurisdictions,
    SetScreeningRules,
)
from exchange.compliance.countries import is_country_code
from exchange.compliance.guards import actor_refusal, text_refusal
from exchange.compliance.records import EXACT_NAMES_ONLY, ComplianceBook
from exchange.compliance.restricted_parties import ENTRIES_MAX, party_problem
from exchange.compliance.results import Accepted, ComplianceResult, refuse
from exchange.compliance.screening import listed_party, rebuild_party_keys, screen

LIST_NAME_LENGTH_MAX = 100
# Below this, names that merely share a sound (John Smith / Jane Smyth) would flood the officers with cases.
NAME_MATCH_MIN_SCORE_FLOOR = 70
# Customers one command re-screens: the venue applies nothing else meanwhile (~0.1 s at 25k list entries with
# similar names); the runtime sends ContinueRescreen commands for the rest, between other clients' commands.
RESCREEN_CUSTOMERS_PER_COMMAND = 2_000
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


def handle_continue_rescreen(book: ComplianceBook, command: ContinueRescreen, sequence: int,
                             timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor)
    if refusal:
        return refusal
    return Accepted(case_ids=_rescreen_next(book, timestamp_ns) if book.rescreen_after is not None else ())


def rescreen(book: ComplianceBook, timestamp_ns: int) -> tuple[int, ...]:
    """Screen every verified or suspended customer again: the first RESCREEN_CUSTOMERS_PER_COMMAND now, the
    rest by ContinueRescreen commands (a change during a re-screen starts it over); the cases opened now."""
    book.rescreen_after = ""
    return _rescreen_next(book, timestamp_ns)


def _rescreen_next(book: ComplianceBook, timestamp_ns: int) -> tuple[int, ...]:
    """Screen the next RESCREEN_CUSTOMERS_PER_COMMAND customers in id order after the cursor."""
    customer_ids = sorted(book.customers)
    start = bisect.bisect_right(customer_ids, book.rescreen_after)
    chunk = customer_ids[start:start + RESCREEN_CUSTOMERS_PER_COMMAND]
    book.rescreen_after = chunk[-1] if start + len(chunk) < len(customer_ids) else None
    opened: list[int] = []
    next_case_id = book.next_case_id
    for customer_id in chunk:
        customer = book.customers[customer_id]
        if customer.kyc_status not in _RESCREENED or customer.identity is None:
            continue
        hits = screen(book, customer.identity, customer.cleared_hit_keys)
        if hits:
            case_ids = raise_screening_case(book, customer, CaseKind.SCREENING_LIST_UPDATE, hits, timestamp_ns)
            opened.extend(case_id for case_id in case_ids if case_id >= next_case_id)
    return tuple(opened)
