"""A list or rule change re-screens a large population in chunks, each a command of its own."""
from compliance_desk import OFFICER, Desk

from exchange.compliance import CaseKind, ContinueRescreen, LoadRestrictedParties, RestrictedParty
from exchange.compliance.lists import RESCREEN_CUSTOMERS_PER_COMMAND

CUSTOMERS = RESCREEN_CUSTOMERS_PER_COMMAND + 5


def customers_of(desk: Desk, case_ids) -> list[str]:
    cases = {case.case_id: case for case in desk.compliance.cases()}
    return [cases[case_id].customer_id for case_id in case_ids]


def populated_desk() -> Desk:
    desk = Desk()
    for index in range(CUSTOMERS):
        desk.onboard(f"c{index:05d}", full_name=f"Customer Number {index}")
    return desk


def test_a_list_update_screens_one_chunk_then_continues_command_by_command():
    desk = populated_desk()
    first, last = "c00001", f"c{CUSTOMERS - 1:05d}"
    entries = [RestrictedParty(name="Customer Number 1"), RestrictedParty(name=f"Customer Number {CUSTOMERS - 1}")]
    loaded = desk.ok(LoadRestrictedParties(actor=OFFICER, list_name="un", entries=entries))
    assert customers_of(desk, loaded.case_ids) == [first]
    assert desk.compliance.rescreen_pending()
    hash_while_pending = desk.compliance.state_hash()
    continued = desk.ok(ContinueRescreen(actor=OFFICER))
    assert customers_of(desk, continued.case_ids) == [last]
    assert desk.compliance.cases(customer_id=last)[0].kind is CaseKind.SCREENING_LIST_UPDATE
    assert not desk.compliance.rescreen_pending()
    assert desk.compliance.state_hash() != hash_while_pending  # The cursor is state: replay resumes it.
    assert desk.ok(ContinueRescreen(actor=OFFICER)).case_ids == ()  # Nothing pending: nothing to do.


def test_a_change_during_a_rescreen_starts_it_over():
    desk = populated_desk()
    desk.ok(LoadRestrictedParties(actor=OFFICER, list_name="un", entries=[RestrictedParty(name="Nobody Here")]))
    late = f"Customer Number {CUSTOMERS - 2}"
    desk.ok(LoadRestrictedParties(actor=OFFICER, list_name="eu", entries=[RestrictedParty(name=late)]))
    assert desk.compliance.rescreen_pending()
    opened = desk.ok(ContinueRescreen(actor=OFFICER)).case_ids
    assert customers_of(desk, opened) == [f"c{CUSTOMERS - 2:05d}"]
    assert not desk.compliance.rescreen_pending()
