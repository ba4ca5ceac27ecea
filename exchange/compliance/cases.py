"""Compliance cases: opened by screening or by an officer, annotated, escalated, closed.

A case with `blocks_withdrawals` stops new withdrawal requests, approvals and
whitelist additions of its customer until it is closed; trading goes on, because
freezing a customer is the officer's decision (SuspendCustomer), not the list's.
Closing a case as CLEARED records its hits as false positives for that customer,
so the same list entry does not block them again.
"""
from exchange.compliance.codes import CaseKind, CaseResolution, CaseStatus, ComplianceCode
from exchange.compliance.commands import AnnotateCase, CloseCase, EscalateCase, OpenCase
from exchange.compliance.guards import actor_refusal, find_customer, staff_refusal, text_refusal
from exchange.compliance.records import Case, CaseNote, ComplianceBook, Customer, ScreeningHit
from exchange.compliance.results import Accepted, ComplianceResult, Refusal, refuse

SYSTEM_ACTOR = "system"


def open_case(book: ComplianceBook, customer: Customer, kind: CaseKind, summary: str, opened_by: str,
              timestamp_ns: int, hits: list[ScreeningHit], blocks_withdrawals: bool) -> int:
    case_id = book.next_case_id
    book.next_case_id += 1
    book.cases[case_id] = Case(
        case_id=case_id,
        customer_id=customer.customer_id,
        kind=kind,
        status=CaseStatus.OPEN,
        blocks_withdrawals=blocks_withdrawals,
        opened_at_ns=timestamp_ns,
        opened_by=opened_by,
        summary=summary,
        hits=hits,
    )
    customer.case_ids.append(case_id)
    return case_id


def open_cases(book: ComplianceBook, customer: Customer) -> list[Case]:
    return [book.cases[case_id] for case_id in customer.case_ids if book.cases[case_id].status is not CaseStatus.CLOSED]


def blocking_case_ids(book: ComplianceBook, customer: Customer) -> list[int]:
    return [case.case_id for case in open_cases(book, customer) if case.blocks_withdrawals]


def raise_screening_case(book: ComplianceBook, customer: Customer, kind: CaseKind, hits: list[ScreeningHit],
                         timestamp_ns: int) -> tuple[int, ...]:
    """Open one case for hits not already under review; return every open case covering them."""
    reviewing = {hit.hit_key: case.case_id for case in open_cases(book, customer) for hit in case.hits}
    new_hits = [hit for hit in hits if hit.hit_key not in reviewing]
    case_ids = {reviewing[hit.hit_key] for hit in hits if hit.hit_key in reviewing}
    if new_hits:
        summary = f"screening: {len(new_hits)} match(es) for customer {customer.customer_id}"
        case_ids.add(open_case(book, customer, kind, summary, SYSTEM_ACTOR, timestamp_ns, new_hits, True))
    return tuple(sorted(case_ids))


def _find_open_case(book: ComplianceBook, case_id: int) -> Case | Refusal:
    case = book.cases.get(case_id)
    if case is None:
        return refuse(ComplianceCode.CASE_NOT_FOUND, f"no case {case_id}")
    if case.status is CaseStatus.CLOSED:
        return refuse(ComplianceCode.CASE_CLOSED, f"case {case_id} is closed")
    return case


def handle_open_case(book: ComplianceBook, command: OpenCase, sequence: int, timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor) or text_refusal(command.summary, "summary")
    if refusal:
        return refusal
    customer = find_customer(book, command.customer_id)
    if isinstance(customer, Refusal):
        return customer
    case_id = open_case(book, customer, CaseKind.MANUAL, command.summary, command.actor, timestamp_ns, [],
                        command.blocks_withdrawals)
    return Accepted(customer_id=customer.customer_id, case_ids=(case_id,))


def handle_annotate_case(book: ComplianceBook, command: AnnotateCase, sequence: int,
                         timestamp_ns: int) -> ComplianceResult:
    refusal = actor_refusal(command.actor) or text_refusal(command.note, "note")
    if refusal:
        return refusal
    case = _find_open_case(book, command.case_id)
    if isinstance(case, Refusal):
        return case
    case.notes.append(CaseNote(actor=command.actor, timestamp_ns=timestamp_ns, text=command.note))
    return Accepted(customer_id=case.customer_id, case_ids=(case.case_id,))


def handle_escalate_case(book: ComplianceBook, command: EscalateCase, sequence: int,
                         timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason) or text_refusal(command.escalated_to, "escalated_to")
    if refusal:
        return refusal
    case = _find_open_case(book, command.case_id)
    if isinstance(case, Refusal):
        return case
    case.status = CaseStatus.ESCALATED
    case.escalated_to = command.escalated_to
    note = f"escalated to {command.escalated_to}: {command.reason}"
    case.notes.append(CaseNote(actor=command.actor, timestamp_ns=timestamp_ns, text=note))
    return Accepted(customer_id=case.customer_id, case_ids=(case.case_id,))


def handle_close_case(book: ComplianceBook, command: CloseCase, sequence: int, timestamp_ns: int) -> ComplianceResult:
    refusal = staff_refusal(command.actor, command.reason)
    if refusal:
        return refusal
    case = _find_open_case(book, command.case_id)
    if isinstance(case, Refusal):
        return case
    case.status = CaseStatus.CLOSED
    case.resolution = command.resolution
    case.closed_by = command.actor
    case.closed_at_ns = timestamp_ns
    case.notes.append(CaseNote(actor=command.actor, timestamp_ns=timestamp_ns, text=f"closed: {command.reason}"))
    if command.resolution is CaseResolution.CLEARED:
        customer = book.customers[case.customer_id]
        cleared = customer.cleared_hit_keys
        cleared.extend(hit.hit_key for hit in case.hits if hit.hit_key not in cleared)
    return Accepted(customer_id=case.customer_id, case_ids=(case.case_id,))
