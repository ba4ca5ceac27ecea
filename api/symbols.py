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


# Exact decimal conversion and formatting cost more than the rest of an order's parsing and answer, and
# order flow repeats the same few prices and quantities: results are remembered by what they depend on
# alone (the step size or the asset's decimals, and the text or count; refusals are not remembered).
# Bounded: emptied when full.
_REMEMBERED_MAX = 10_000
_converted: dict[tuple[str, str], int] = {}
_formatted: dict[tuple[str | int, int], str] = {}


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
    _remember(_converted, key, value)
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
    key = (decimals, units)
    text = _formatted.get(key)
    if text is None:
        text = format(decimal.Decimal(units).scaleb(-decimals).quantize(decimal.Decimal(1).scaleb(-decimals)), "f")
        _remember(_formatted, key, text)
    return text


def format_price(instrument: Instrument, ticks: int) -> str:
    """`instrument.format_price`, remembered: the text depends only on the tick size and the count."""
    return _formatted_step(("price", instrument.tick_size, ticks), instrument.format_price, ticks)


def format_quantity(instrument: Instrument, lots: int) -> str:
    """`instrument.format_quantity`, remembered (the same formula over the lot size as prices over the tick)."""
    return _formatted_step(("quantity", instrument.lot_size, lots), instrument.format_quantity, lots)


def _formatted_step(key: tuple, format_steps, steps: int) -> str:
    text = _formatted.get(key)
    if text is None:
        text = format_steps(steps)
        _remember(_formatted, key, text)
    return text


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= _REMEMBERED_MAX:
        cache.clear()
    cache[key] = value
