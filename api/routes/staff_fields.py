"""Request and answer fields shared by the staff routes (admin, compliance, custody, corrections).

A staff action that changes a record carries a reason; times are answered in
milliseconds; TMT amounts travel as decimal strings and are held as exact tiyin.
"""
import decimal

import msgspec

from api.errors import ApiError
from engine.instrument import InstrumentValueError, parse_decimal


class Reason(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


def ms(timestamp_ns: int | None) -> int | None:
    return None if timestamp_ns is None else timestamp_ns // 1_000_000


def tiyin(text: str, field: str) -> int:
    """A TMT decimal string as exact tiyin (1/100 TMT); 400 when it has more than 2 decimals."""
    try:
        units = parse_decimal(text).scaleb(2)
    except InstrumentValueError:
        raise ApiError("DECIMAL_MALFORMED", f"{field} {text!r} is not a plain decimal") from None
    if units != units.to_integral_value():
        raise ApiError("AMOUNT_NOT_ON_UNIT", f"{field} {text!r} has more than 2 decimals (tiyin)", 400)
    return int(units)


def format_tiyin(units: int) -> str:
    return format(decimal.Decimal(units).scaleb(-2).quantize(decimal.Decimal("0.01")), "f")
