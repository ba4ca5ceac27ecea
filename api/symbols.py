"""Names and numbers at the edge: market symbols and asset amounts as exact decimal strings.

Markets appear in URLs as "BTC-USDT" (the instrument's "BTC/USDT" with a
dash) and, on the Binance-compatible API, as "BTCUSDT". Amounts of an asset
travel as decimal strings and are converted to smallest units exactly: a
value with more decimals than the asset has is refused, never rounded.
"""
import decimal

from api.errors import ApiError
from engine.instrument import Instrument, InstrumentValueError, parse_decimal


def url_symbol(instrument: Instrument) -> str:
    return instrument.symbol.replace("/", "-")


def instrument_by_symbol(venue, symbol: str) -> Instrument:
    """The instrument named "BTC-USDT", "BTC/USDT" or "BTCUSDT" (case-insensitive); 404 otherwise."""
    wanted = symbol.upper().replace("-", "/")
    for instrument in venue.engine.instruments():
        if wanted in (instrument.symbol, instrument.base + instrument.quote):
            return instrument
    raise ApiError("INSTRUMENT_UNKNOWN", f"no market {symbol[:40]!r}")


# Exact decimal conversion costs more than the rest of an order's parsing, and order flow repeats the same
# few prices and quantities: converted values are remembered per step size (the result depends only on the
# step and the text; refusals are not remembered). Bounded: emptied when full.
_CONVERTED_MAX = 10_000
_converted: dict[tuple[str, str], int] = {}


def price_ticks(instrument: Instrument, text: str, field: str = "price") -> int:
    return _convert(instrument.price_ticks, instrument.tick_size, text, field)


def quantity_lots(instrument: Instrument, text: str, field: str = "quantity") -> int:
    return _convert(instrument.quantity_lots, instrument.lot_size, text, field)


def _convert(convert, step: str, text: str, field: str) -> int:
    key = (step, text)
    value = _converted.get(key)
    if value is not None:
        return value
    try:
        value = convert(text)
    except InstrumentValueError as error:
        raise ApiError(error.code.name, f"{field} {text!r}: {error.code.name}") from None
    if len(_converted) >= _CONVERTED_MAX:
        _converted.clear()
    _converted[key] = value
    return value


def amount_units(venue, asset: str, text: str, field: str = "amount") -> int:
    """Exact smallest units of `asset` for a decimal string; 400 when not exact or not positive."""
    info = venue.listing.assets.get(asset)
    if info is None:
        raise ApiError("ASSET_UNKNOWN", f"no asset {asset!r}")
    try:
        value = parse_decimal(text)
    except InstrumentValueError:
        raise ApiError("DECIMAL_MALFORMED", f"{field} {text!r} is not a plain decimal") from None
    units = value.scaleb(info.decimals)
    if units != units.to_integral_value():
        raise ApiError("AMOUNT_NOT_ON_UNIT", f"{field} {text!r} has more than {info.decimals} decimals", 400)
    if units <= 0:
        raise ApiError("AMOUNT_MUST_BE_POSITIVE", f"{field} must be positive")
    return int(units)


def format_units(venue, asset: str, units: int) -> str:
    """Decimal string of an amount with exactly the asset's decimals."""
    decimals = venue.listing.assets[asset].decimals
    return format(decimal.Decimal(units).scaleb(-decimals).quantize(decimal.Decimal(1).scaleb(-decimals)), "f")
