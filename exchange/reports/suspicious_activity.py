"""Suspicious activity reports: compliance cases escalated on one UTC day, with the subject's identity.

Identity data is in this report on purpose (the FIU needs the subject); it is
served only to compliance and auditor roles (Permission.EXPORT) and is never
logged. The rule and evidence come from the case summary surveillance wrote.
"""
from exchange.reports.formats import Table, day_bounds_ns, iso_ns
from exchange.surveillance.hits import case_key

COLUMNS = ("case_id", "customer_id", "full_name", "document_type", "document_number", "country", "date_of_birth",
           "case_kind", "rule", "opened_at", "opened_by", "summary", "escalated_at", "escalated_by", "escalated_to",
           "escalation_reason", "status", "notes")
_ESCALATED = "escalated to "


def suspicious_activity(cases, customers: dict, date: str) -> Table:
    """`cases`: compliance Case records; `customers`: customer id -> Customer (with identity)."""
    start_ns, end_ns = day_bounds_ns(date)
    rows = []
    for case in cases:
        escalation = next((note for note in case.notes if note.text.startswith(_ESCALATED)), None)
        if escalation is None or not start_ns <= escalation.timestamp_ns < end_ns:
            continue
        rows.append(_row(case, escalation, customers.get(case.customer_id)))
    return Table(report="suspicious-activity", date=date, columns=COLUMNS, rows=rows)


def _row(case, escalation, customer) -> dict:
    identity = customer.identity if customer is not None else None
    key = case_key(case.summary)
    reason = escalation.text.removeprefix(f"{_ESCALATED}{case.escalated_to}: ")
    return {
        "case_id": case.case_id, "customer_id": int(case.customer_id),
        "full_name": identity.full_name if identity else "",
        "document_type": identity.document_type.value if identity else "",
        "document_number": identity.document_number if identity else "",
        "country": identity.country if identity else "", "date_of_birth": identity.date_of_birth if identity else "",
        "case_kind": case.kind.value, "rule": key.split("/")[0] if key else "", "opened_at": iso_ns(case.opened_at_ns),
        "opened_by": case.opened_by, "summary": case.summary, "escalated_at": iso_ns(escalation.timestamp_ns),
        "escalated_by": escalation.actor, "escalated_to": case.escalated_to, "escalation_reason": reason,
        "status": case.status.value,
        "notes": [f"{iso_ns(note.timestamp_ns)} {note.actor}: {note.text}" for note in case.notes],
    }
