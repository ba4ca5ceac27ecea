"""Compliance cases: open, annotate, escalate, close; blocking withdrawals while open."""
from compliance_desk import OFFICER, SECOND_OFFICER, Desk

from exchange.compliance import (
    AnnotateCase,
    CaseKind,
    CaseResolution,
    CaseStatus,
    CloseCase,
    ComplianceCode,
    EscalateCase,
    OpenCase,
)


def opened(desk: Desk, blocks_withdrawals: bool = True) -> int:
    command = OpenCase(actor=OFFICER, customer_id="c1", summary="deposits just under the limit, 9 days running",
                       blocks_withdrawals=blocks_withdrawals)
    return desk.ok(command).case_ids[0]


def test_a_manual_case_goes_from_open_to_escalated_to_closed_with_its_history():
    desk = Desk()
    desk.onboard("c1")
    desk.whitelist("c1", "BTC", "bc1qmine")
    case_id = opened(desk)
    desk.ok(AnnotateCase(actor=SECOND_OFFICER, case_id=case_id, note="source of funds requested"))
    desk.ok(EscalateCase(actor=OFFICER, case_id=case_id, escalated_to="financial intelligence unit",
                         reason="possible structuring"))
    assert desk.compliance.cases(status=CaseStatus.ESCALATED)[0].escalated_to == "financial intelligence unit"
    refusal = desk.compliance.check_withdrawal("c1", "BTC", "bc1qmine", 100, desk.now_ns)
    assert refusal.code is ComplianceCode.COMPLIANCE_REVIEW
    desk.ok(CloseCase(actor=OFFICER, case_id=case_id, resolution=CaseResolution.NO_ACTION, reason="funds explained"))
    (case,) = desk.compliance.cases(customer_id="c1")
    assert (case.kind, case.status, case.resolution, case.closed_by) == (
        CaseKind.MANUAL, CaseStatus.CLOSED, CaseResolution.NO_ACTION, OFFICER)
    assert [(note.actor, note.text) for note in case.notes] == [
        (SECOND_OFFICER, "source of funds requested"),
        (OFFICER, "escalated to financial intelligence unit: possible structuring"),
        (OFFICER, "closed: funds explained"),
    ]
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qmine", 100, desk.now_ns) is None


def test_a_non_blocking_case_leaves_withdrawals_alone():
    desk = Desk()
    desk.onboard("c1")
    desk.whitelist("c1", "BTC", "bc1qmine")
    opened(desk, blocks_withdrawals=False)
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qmine", 100, desk.now_ns) is None


def test_closed_and_unknown_cases_refuse_changes():
    desk = Desk()
    desk.onboard("c1")
    case_id = opened(desk)
    desk.ok(CloseCase(actor=OFFICER, case_id=case_id, resolution=CaseResolution.NO_ACTION, reason="done"))
    desk.refused(AnnotateCase(actor=OFFICER, case_id=case_id, note="late"), ComplianceCode.CASE_CLOSED)
    desk.refused(CloseCase(actor=OFFICER, case_id=case_id, resolution=CaseResolution.CLEARED, reason="again"),
                 ComplianceCode.CASE_CLOSED)
    desk.refused(EscalateCase(actor=OFFICER, case_id=99, escalated_to="x", reason="y"), ComplianceCode.CASE_NOT_FOUND)


def test_case_input_is_validated():
    desk = Desk()
    desk.onboard("c1")
    desk.refused(OpenCase(actor=OFFICER, customer_id="ghost", summary="s", blocks_withdrawals=True),
                 ComplianceCode.CUSTOMER_NOT_FOUND)
    desk.refused(OpenCase(actor=OFFICER, customer_id="c1", summary=" ", blocks_withdrawals=True),
                 ComplianceCode.REASON_REQUIRED)
    case_id = opened(desk)
    desk.refused(AnnotateCase(actor=OFFICER, case_id=case_id, note=""), ComplianceCode.REASON_REQUIRED)
    desk.refused(EscalateCase(actor=OFFICER, case_id=case_id, escalated_to="", reason="y"),
                 ComplianceCode.REASON_REQUIRED)


def test_cases_are_filtered_by_customer_and_status():
    desk = Desk()
    desk.onboard("c1")
    desk.onboard("c2")
    first, second = opened(desk), opened(desk)
    desk.ok(CloseCase(actor=OFFICER, case_id=first, resolution=CaseResolution.NO_ACTION, reason="done"))
    assert [case.case_id for case in desk.compliance.cases(status=CaseStatus.OPEN)] == [second]
    assert [case.case_id for case in desk.compliance.cases(customer_id="c1")] == [first, second]
    assert desk.compliance.cases(customer_id="c2") == []
