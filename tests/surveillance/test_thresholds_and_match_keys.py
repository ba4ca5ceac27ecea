"""Threshold changes are journaled venue commands; compliance answers the match-key and customer queries."""
import msgspec

from exchange.commands import SetSurveillanceThresholds, decode_command, encode_command
from exchange.compliance import KycStatus
from exchange.results import Accepted, Refused
from exchange.surveillance.detector import Detector
from exchange.surveillance.observations import thresholds_of
from exchange.surveillance.thresholds import DEFAULT_THRESHOLDS, SurveillanceCode, Thresholds
from exchange.venue import Venue
from tests.compliance.compliance_desk import Desk
from tests.surveillance.blotter import T0, Directory


def test_an_accepted_change_is_audited_and_the_detector_follows_it():
    venue = Venue()
    wanted = Thresholds(wash_round_trips_min=7, large_transaction_tmt_units=500_000)
    command = SetSurveillanceThresholds(actor="operator-1", thresholds=wanted, reason="supervisor asked")
    assert decode_command(encode_command(command)) == command
    outcome = venue.apply(command, 1, T0)
    assert type(outcome.result) is Accepted
    assert [thresholds_of(record) for record in outcome.audit] == [wanted]
    detector = Detector(Directory())
    detector.observe(outcome)
    assert detector.thresholds == wanted


def test_a_zero_threshold_or_an_empty_reason_is_refused_and_changes_nothing():
    venue, detector = Venue(), Detector(Directory())
    bad = [SetSurveillanceThresholds(actor="operator-1", thresholds=Thresholds(spoof_cancels_min=0), reason="x"),
           SetSurveillanceThresholds(actor="operator-1", thresholds=Thresholds(fan_in_share_percent=101),
                                     reason="x"),
           SetSurveillanceThresholds(actor="operator-1", thresholds=Thresholds(), reason=" ")]
    codes = []
    for sequence, command in enumerate(bad, start=1):
        outcome = venue.apply(command, sequence, T0)
        codes.append(outcome.result.code if type(outcome.result) is Refused else "ok")
        detector.observe(outcome)
    assert codes == [SurveillanceCode.THRESHOLDS_INVALID, SurveillanceCode.THRESHOLDS_INVALID,
                     SurveillanceCode.REASON_REQUIRED]
    assert detector.thresholds == DEFAULT_THRESHOLDS


def test_unknown_threshold_names_do_not_decode():
    try:
        msgspec.convert({"wash_round_trip_min": 3}, Thresholds)
    except msgspec.ValidationError:
        return
    raise AssertionError("a misspelt threshold must not be silently ignored")


def test_match_keys_are_shared_by_one_person_with_two_passports_and_not_by_strangers():
    desk = Desk()
    desk.onboard("1", full_name="Ivan Petrov", document_number="P1", date_of_birth="1990-01-01")
    desk.onboard("2", full_name="petrov, IVAN", document_number="P2", date_of_birth="1990-01-01")
    desk.onboard("3", full_name="Ivan Petrov", document_number="P3", date_of_birth="1991-01-01")
    keys = {customer: set(desk.compliance.match_keys(customer)) for customer in ("1", "2", "3")}
    assert keys["1"] & keys["2"]
    assert not keys["1"] & keys["3"]
    assert desk.compliance.match_keys("404") == ()


def test_customers_lists_copies_filtered_by_kyc_status():
    desk = Desk()
    desk.onboard("1")
    desk.sign_up("2")
    assert [c.customer_id for c in desk.compliance.customers()] == ["1", "2"]
    verified = desk.compliance.customers(KycStatus.VERIFIED)
    assert [c.customer_id for c in verified] == ["1"]
    verified[0].tier = 99
    assert desk.compliance.tier_of("1") != 99
