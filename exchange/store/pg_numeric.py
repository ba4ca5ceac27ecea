"""PostgreSQL NUMERIC <-> Python int, in binary, for the money columns (NUMERIC(39, 0)).

asyncpg's own codec goes through decimal.Decimal: ~1.3 us per amount to encode,
most of the writer's COPY cost for postings (benchmarks/README.md, "Store
writes"). Amounts are whole numbers of smallest units, so the wire format
(digit count, weight, sign, display scale, then base-10000 digits, all
big-endian 16-bit) is built straight from the int, and read back as an int.
"""
import struct

_HEAD = struct.Struct(">hhHh")
_POSITIVE, _NEGATIVE, _NAN = 0x0000, 0x4000, 0xC000
_BASE = 10_000
_PACKERS = [struct.Struct(f">hhHh{count}H").pack for count in range(12)]  # Up to 10**48: beyond NUMERIC(39, 0).


def encode(value: int) -> bytes:
    if type(value) is not int:
        raise TypeError(f"money columns take int, not {type(value).__name__}")
    sign = _POSITIVE
    if value < 0:
        sign, value = _NEGATIVE, -value
    digits = []
    while value:
        value, digit = divmod(value, _BASE)
        digits.append(digit)
    digits.reverse()
    count = len(digits)
    if count >= len(_PACKERS):
        raise OverflowError("amount beyond NUMERIC(39, 0)")
    # Trailing zero digits may stay: the server strips them on input.
    return _PACKERS[count](count, count - 1, sign, 0, *digits)


def decode(data: bytes) -> int:
    count, weight, sign, _ = _HEAD.unpack_from(data)
    if sign == _NAN:
        raise ValueError("NaN in a money column")
    value = 0
    for digit in struct.unpack_from(f">{count}H", data, _HEAD.size):
        value = value * _BASE + digit
    exponent = weight - count + 1
    if exponent < 0:
        raise ValueError("a fraction in a money column")
    value *= _BASE ** exponent
    return -value if sign == _NEGATIVE else value


async def use_for(connection) -> None:
    """asyncpg pool `init`: NUMERIC columns read and write as int on this connection."""
    await connection.set_type_codec("numeric", encoder=encode, decoder=decode, schema="pg_catalog", format="binary")
