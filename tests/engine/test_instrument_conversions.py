"""Decimal strings convert exactly to ticks and lots, or are refused with a reject code."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.instrument import InstrumentValueError
from engine.reject import RejectCode
from engine_blotter import BTC_USDT


def test_price_on_tick_converts_exactly():
    assert BTC_USDT.price_ticks("123.45") == 12_345
    assert BTC_USDT.price_ticks("100") == 10_000
    assert BTC_USDT.quantity_lots("0.0012") == 12


@pytest.mark.parametrize("text, code", [
    ("1.001", RejectCode.PRICE_NOT_ON_TICK),
    ("0", RejectCode.PRICE_MUST_BE_POSITIVE),
    ("-1", RejectCode.DECIMAL_MALFORMED),
    ("1e3", RejectCode.DECIMAL_MALFORMED),
    ("NaN", RejectCode.DECIMAL_MALFORMED),
    (" 1", RejectCode.DECIMAL_MALFORMED),
    ("1.", RejectCode.DECIMAL_MALFORMED),
    ("", RejectCode.DECIMAL_MALFORMED),
])
def test_bad_price_is_refused_never_rounded(text, code):
    with pytest.raises(InstrumentValueError) as raised:
        BTC_USDT.price_ticks(text)
    assert raised.value.code is code
    assert isinstance(raised.value, ValueError)


def test_quantity_off_lot_is_refused():
    with pytest.raises(InstrumentValueError) as raised:
        BTC_USDT.quantity_lots("0.00001")
    assert raised.value.code is RejectCode.QUANTITY_NOT_ON_LOT


def test_format_uses_the_step_decimals():
    assert BTC_USDT.format_price(12_345) == "123.45"
    assert BTC_USDT.format_price(10_000) == "100.00"
    assert BTC_USDT.format_quantity(1) == "0.0001"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**15))
def test_format_then_parse_round_trips(ticks):
    assert BTC_USDT.price_ticks(BTC_USDT.format_price(ticks)) == ticks
    assert BTC_USDT.quantity_lots(BTC_USDT.format_quantity(ticks)) == ticks


def test_band_is_symmetric_around_the_reference():
    assert BTC_USDT.band(10_000) == (9_000, 11_000)
    assert BTC_USDT.band(1) == (1, 1)
