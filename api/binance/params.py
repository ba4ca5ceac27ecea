"""Request parameters the Binance way: query string plus form body, read as text.

Binance clients send GET/DELETE parameters in the query and POST parameters in an
`application/x-www-form-urlencoded` body (ccxt does exactly that), so both are merged. A
parameter sent twice is refused (-1101), never silently resolved. Decimal strings become
ticks and lots through the instrument, exactly (never rounded); the refusal says which filter
failed, as Binance does.
"""
from urllib.parse import parse_qsl

from fastapi import Request

from api.binance.errors import BinanceCode, BinanceError, missing, refusal
from engine.instrument import Instrument, InstrumentValueError

PARAMS_MAX = 64  # More than any Binance endpoint takes: a bounded parse.


class Params:
    """The request's parameters by name; typed getters raise `BinanceError`."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value else None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise missing(name)
        return value

    def integer(self, name: str, default: int | None = None, low: int = 0, high: int = 2**63 - 1) -> int | None:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise BinanceError(BinanceCode.INVALID_PARAMETER,
                               f"Invalid data sent for a parameter: '{name}' must be an integer.") from None
        if not low <= number <= high:
            raise BinanceError(BinanceCode.INVALID_PARAMETER,
                               f"Invalid data sent for a parameter: '{name}' must be in {low}..{high}.")
        return number

    def limit(self, default: int, high: int) -> int:
        return self.integer("limit", default, 1, high)


async def read_params(request: Request) -> Params:
    """Query and form body merged; -1101 for a repeated name."""
    body = await request.body() if request.method in ("POST", "PUT") else None
    return params_of(request.scope.get("query_string", b""), body)


def params_of(query_string: bytes, body: bytes | None) -> Params:
    """`read_params` over a query string and a body already read (None: the method sends no parameters in it)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if body is not None:
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    values: dict[str, str] = {}
    for name, value in pairs[:PARAMS_MAX + 1]:
        if name in values:
            raise BinanceError(BinanceCode.TOO_MANY_PARAMETERS, f"Duplicate values for parameter '{name}'.")
        values[name] = value
    if len(pairs) > PARAMS_MAX:
        raise BinanceError(BinanceCode.TOO_MANY_PARAMETERS, "Too many parameters sent for this endpoint.")
    return Params(values)


def price_ticks(instrument: Instrument, text: str) -> int:
    try:
        return instrument.price_ticks(text)
    except InstrumentValueError as error:
        raise refusal(error.code.name) from None


def quantity_lots(instrument: Instrument, text: str) -> int:
    try:
        return instrument.quantity_lots(text)
    except InstrumentValueError as error:
        raise refusal(error.code.name) from None
