"""Screening against restricted parties and jurisdictions, at onboarding and on list updates."""
import pytest
from compliance_desk import OFFICER, Desk

from exchange.compliance import (
    CaseKind,
    CaseResolution,
    CaseStatus,
    CloseCase,
    ComplianceCode,
    HitSource,
    KycStatus,
    LoadRestrictedParties,
    RestrictedParty,
    SetRestrictedJurisdictions,
    SetScreeningRules,
    SignUp,
    VerifyCustomer,
)

VERIFY = VerifyCustomer(customer_id="c1", actor=OFFICER, reason="documents checked")


def load(desk: Desk, *entries: RestrictedParty, list_name: str = "un-consolidated"):
    return desk.ok(LoadRestrictedParties(actor=OFFICER, list_name=list_name, entries=list(entries)))


def test_a_name_match_at_submission_opens_a_silent_case_and_blocks_verification():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan PETROV", date_of_birth="1970-01-01"))
    desk.sign_up("c1", full_name="Petrov, Ivan", date_of_birth="1970-01-01")
    case = desk.compliance.cases(customer_id="c1")[0]
    assert (case.kind, case.status, case.blocks_withdrawals) == (CaseKind.SCREENING_ONBOARDING, CaseStatus.OPEN, True)
    assert [(hit.source, hit.list_name, hit.party_name, hit.matched_on) for hit in case.hits] == [
        (HitSource.RESTRICTED_PARTY, "un-consolidated", "Ivan PETROV", ("name", "date_of_birth"))
    ]
    refusal = desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    assert refusal.case_ids == (case.case_id,)
    assert len(desk.compliance.cases(customer_id="c1")) == 1  # The same hits do not open a second case.
    assert desk.compliance.customer("c1").kyc_status is KycStatus.PENDING


def test_names_match_across_case_accents_punctuation_and_word_order():
    desk = Desk()
    load(desk, RestrictedParty(name="José  Álvarez-Núñez"))
    desk.sign_up("c1", full_name="NUNEZ jose alvarez")
    desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)


def test_a_different_date_of_birth_rules_out_a_name_match():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan Petrov", date_of_birth="1970-01-01"))
    desk.onboard("c1", full_name="Ivan Petrov", date_of_birth="1991-06-30")
    assert desk.compliance.cases() == []


def test_a_document_number_match_hits_whatever_the_name():
    desk = Desk()
    load(desk, RestrictedParty(name="Alias Unknown", document_number="k-555 01"))
    desk.sign_up("c1", document_number="K55501")
    refusal = desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    assert desk.compliance.cases()[0].hits[0].matched_on == ("document_number",)
    assert refusal.case_ids == (1,)


def test_a_restricted_country_of_residence_hits():
    desk = Desk()
    desk.ok(SetRestrictedJurisdictions(actor=OFFICER, countries=["kp", "IR"]))
    desk.sign_up("c1", country="IR")
    desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    assert desk.compliance.cases()[0].hits[0].source is HitSource.RESTRICTED_JURISDICTION
    desk.refused(SetRestrictedJurisdictions(actor=OFFICER, countries=["XX"]), ComplianceCode.INVALID_COUNTRY)


def test_an_officer_clearing_a_false_positive_lets_verification_through():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan Petrov"))
    desk.sign_up("c1", full_name="Ivan Petrov")
    case_id = desk.refused(VERIFY, ComplianceCode.SCREENING_HIT).case_ids[0]
    desk.ok(CloseCase(actor=OFFICER, case_id=case_id, resolution=CaseResolution.CLEARED,
                      reason="different person: birth place and photo differ"))
    desk.ok(VERIFY)
    load(desk, RestrictedParty(name="Ivan Petrov"))  # Reloading the same list does not re-open it.
    assert len(desk.compliance.cases()) == 1


def test_a_confirmed_match_keeps_blocking_verification():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan Petrov"))
    desk.sign_up("c1", full_name="Ivan Petrov")
    case_id = desk.refused(VERIFY, ComplianceCode.SCREENING_HIT).case_ids[0]
    desk.ok(CloseCase(actor=OFFICER, case_id=case_id, resolution=CaseResolution.CONFIRMED, reason="true match"))
    refusal = desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    assert refusal.case_ids == (case_id + 1,)


def test_a_list_update_rescreens_verified_customers_and_blocks_their_withdrawals():
    desk = Desk()
    desk.onboard("c1", full_name="Ivan Petrov")
    desk.onboard("c2", full_name="Aman Amanov")
    desk.whitelist("c1", "BTC", "bc1qpetrov")
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qpetrov", 100, desk.now_ns) is None
    result = load(desk, RestrictedParty(name="ivan petrov"), list_name="domestic-terror-list")
    (case,) = desk.compliance.cases()
    assert result.case_ids == (case.case_id,)
    assert (case.customer_id, case.kind, case.blocks_withdrawals) == ("c1", CaseKind.SCREENING_LIST_UPDATE, True)
    refusal = desk.compliance.check_withdrawal("c1", "BTC", "bc1qpetrov", 100, desk.now_ns)
    assert refusal.code is ComplianceCode.COMPLIANCE_REVIEW
    assert desk.compliance.check_can_trade("c1") is None  # Suspension is the officer's decision.
    assert desk.compliance.customer("c1").kyc_status is KycStatus.VERIFIED
    assert load(desk, RestrictedParty(name="ivan petrov"), list_name="domestic-terror-list").case_ids == ()
    desk.ok(CloseCase(actor=OFFICER, case_id=case.case_id, resolution=CaseResolution.CLEARED, reason="not him"))
    assert desk.compliance.check_withdrawal("c1", "BTC", "bc1qpetrov", 100, desk.now_ns) is None


def test_a_jurisdiction_update_rescreens_verified_customers():
    desk = Desk()
    desk.onboard("c1", country="AF")
    desk.onboard("c2", country="TM")
    result = desk.ok(SetRestrictedJurisdictions(actor=OFFICER, countries=["AF"]))
    assert [case.customer_id for case in desk.compliance.cases()] == ["c1"]
    assert result.case_ids == (1,)
    assert desk.compliance.restricted_jurisdictions() == ["AF"]


def test_replacing_a_list_drops_its_old_entries():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan Petrov"))
    load(desk, RestrictedParty(name="Someone Else"))
    desk.onboard("c1", full_name="Ivan Petrov")


def test_malformed_list_entries_are_refused_with_their_position():
    desk = Desk()
    bad = LoadRestrictedParties(actor=OFFICER, list_name="un", entries=[
        RestrictedParty(name="Fine Name"), RestrictedParty(name="Bad Date", date_of_birth="1970-13-01")])
    refusal = desk.refused(bad, ComplianceCode.INVALID_LIST)
    assert refusal.message.startswith("entry 2:")
    desk.refused(LoadRestrictedParties(actor=OFFICER, list_name=" ", entries=[]), ComplianceCode.INVALID_LIST)
    desk.refused(LoadRestrictedParties(actor="", list_name="un", entries=[]), ComplianceCode.INVALID_ACTOR)


def test_the_customer_is_not_tipped_off_at_submission():
    desk = Desk()
    load(desk, RestrictedParty(name="Ivan Petrov"))
    desk.ok(SignUp(customer_id="c1", email="c1@example.com"))
    answer = desk.ok(desk.identity("c1", full_name="Ivan Petrov"))
    assert answer.case_ids == ()
    assert len(desk.compliance.cases(customer_id="c1")) == 1


def similar_names(desk: Desk, min_score: int = 85):
    return desk.ok(SetScreeningRules(actor=OFFICER, name_match_min_score=min_score, reason="spelling variants"))


def test_until_the_rules_say_otherwise_only_equal_names_match():
    desk = Desk()
    load(desk, RestrictedParty(name="Muhammad Ali"))
    desk.onboard("c1", full_name="Mohammed Ali")  # A journal from before the rule replays as it was written.
    assert desk.compliance.cases() == [] and desk.compliance.name_match_min_score() == 100


def test_similar_names_match_once_the_rules_allow_them():
    desk = Desk()
    similar_names(desk)
    load(desk, RestrictedParty(name="Muammar Gaddafi", date_of_birth="1942-06-07"))
    desk.sign_up("c1", full_name="QADHAFI, Moammar", date_of_birth="1942-06-07")
    desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    (hit,) = desk.compliance.cases(customer_id="c1")[0].hits
    assert (hit.party_name, hit.matched_on, hit.name_score) == (
        "Muammar Gaddafi", ("similar_name", "date_of_birth"), 86)
    desk.sign_up("c2", full_name="Muammar Gaddafi", date_of_birth="1942-06-07")  # Equal names stay "name".
    assert desk.compliance.cases(customer_id="c2")[0].hits[0].matched_on == ("name", "date_of_birth")
    assert desk.compliance.cases(customer_id="c2")[0].hits[0].name_score is None


def test_a_similar_name_with_another_date_of_birth_or_below_the_minimum_does_not_match():
    desk = Desk()
    similar_names(desk, 90)
    load(desk, RestrictedParty(name="Muammar Gaddafi", date_of_birth="1942-06-07"),
         RestrictedParty(name="Ivan Petrov", date_of_birth="1970-01-01"))
    desk.onboard("c1", full_name="Moammar Qadhafi", date_of_birth="1942-06-07")  # 86 < 90
    desk.onboard("c2", full_name="Ivan Petroff", date_of_birth="1971-01-01")  # 95, another person
    desk.onboard("c3", full_name="John Smith")
    assert desk.compliance.cases() == []


@pytest.mark.parametrize("listed, customer", [
    ("Иван Петров", "Ivan Petrov"),  # A list in Cyrillic meets a passport in Latin letters.
    ("Ivan Sergeyevich Petrov", "Petrov Ivan"),  # Extra names and word order do not hide a listed person.
])
def test_names_written_differently_hit_in_full(listed, customer):
    desk = Desk()
    similar_names(desk)
    load(desk, RestrictedParty(name=listed))
    desk.sign_up("c1", full_name=customer)
    desk.refused(VERIFY, ComplianceCode.SCREENING_HIT)
    hit = desk.compliance.cases()[0].hits[0]
    assert (hit.party_name, hit.matched_on, hit.name_score) == (listed, ("similar_name",), 100)


def test_changing_the_rules_rescreens_verified_customers():
    desk = Desk()
    load(desk, RestrictedParty(name="Saddam Hussein"))
    desk.onboard("c1", full_name="Saddam Husayn")
    desk.onboard("c2", full_name="Aman Amanov")
    before = desk.compliance.state_hash()
    result = similar_names(desk)
    (case,) = desk.compliance.cases()
    assert result.case_ids == (case.case_id,)
    assert (case.customer_id, case.kind, case.hits[0].name_score) == ("c1", CaseKind.SCREENING_LIST_UPDATE, 91)
    desk.ok(CloseCase(actor=OFFICER, case_id=case.case_id, resolution=CaseResolution.CLEARED, reason="not him"))
    assert similar_names(desk, 80).case_ids == ()  # A cleared hit stays cleared under any rule.
    desk.ok(SetScreeningRules(actor=OFFICER, name_match_min_score=100, reason="back to equal names"))
    assert desk.compliance.state_hash() != before  # The case stays; only the rule went back.


def test_the_rule_at_equal_names_leaves_the_state_hash_as_books_had_it_before():
    desk = Desk()
    before = desk.compliance.state_hash()
    similar_names(desk)
    assert desk.compliance.state_hash() != before
    desk.ok(SetScreeningRules(actor=OFFICER, name_match_min_score=100, reason="back to equal names"))
    assert desk.compliance.state_hash() == before


def test_malformed_screening_rules_are_refused():
    desk = Desk()
    for score in (69, 101, -1):
        desk.refused(SetScreeningRules(actor=OFFICER, name_match_min_score=score, reason="x"),
                     ComplianceCode.INVALID_SCREENING_RULES)
    desk.refused(SetScreeningRules(actor=OFFICER, name_match_min_score=90, reason=" "), ComplianceCode.REASON_REQUIRED)
    desk.refused(SetScreeningRules(actor="", name_match_min_score=90, reason="x"), ComplianceCode.INVALID_ACTOR)
    assert desk.compliance.name_match_min_score() == 100
