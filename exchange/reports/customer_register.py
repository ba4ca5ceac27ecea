"""Customer register: customers verified by the end of one UTC day, tier, residency, KYC history.

The KYC history is read from the audit log (every officer's KYC decision,
with who, when and why) plus the sign-up itself; the status column is the
status at the end of the day, derived from that history. Tier is today's.
"""
import msgspec

from exchange.reports.formats import Table, day_bounds_ns, iso_ns

COLUMNS = ("customer_id", "full_name", "document_type", "document_number", "date_of_birth", "residency",
           "tier", "kyc_status", "signed_up_at", "verified_at", "kyc_history")
KYC_ACTIONS = {"verify_customer": "verified", "reject_customer": "rejected", "suspend_customer": "suspended",
               "reinstate_customer": "verified", "close_customer": "closed"}


class KycEvent(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str
    timestamp_ns: int
    status: str
    actor: str
    reason: str


def kyc_event(audit_record) -> KycEvent | None:
    """The KYC decision an accepted audit record holds; None for every other record."""
    status = KYC_ACTIONS.get(audit_record.action)
    if status is None or msgspec.json.decode(audit_record.payload).get("result") != "ok":
        return None
    return KycEvent(customer_id=audit_record.target, timestamp_ns=audit_record.timestamp_ns, status=status,
                    actor=audit_record.actor, reason=audit_record.reason)


def customer_register(customers, events: list[KycEvent], date: str) -> Table:
    """`customers`: compliance Customer records; `events`: KYC decisions in log order."""
    _, end_ns = day_bounds_ns(date)
    history: dict[str, list[KycEvent]] = {}
    for event in events:
        if event.timestamp_ns < end_ns:
            history.setdefault(event.customer_id, []).append(event)
    rows = []
    for customer in sorted(customers, key=lambda c: int(c.customer_id)):
        decisions = history.get(customer.customer_id, [])
        if not any(event.status == "verified" for event in decisions):
            continue
        identity = customer.identity
        lines = [f"{iso_ns(customer.signed_up_at_ns)} pending: signed up"]
        lines += [f"{iso_ns(e.timestamp_ns)} {e.status} by {e.actor}: {e.reason}" for e in decisions]
        first_verified = next(e.timestamp_ns for e in decisions if e.status == "verified")
        rows.append({
            "customer_id": int(customer.customer_id), "full_name": identity.full_name if identity else "",
            "document_type": identity.document_type.value if identity else "",
            "document_number": identity.document_number if identity else "",
            "date_of_birth": identity.date_of_birth if identity else "",
            "residency": identity.country if identity else "", "tier": customer.tier,
            "kyc_status": decisions[-1].status, "signed_up_at": iso_ns(customer.signed_up_at_ns),
            "verified_at": iso_ns(first_verified), "kyc_history": lines,
        })
    return Table(report="customer-register", date=date, columns=COLUMNS, rows=rows)
