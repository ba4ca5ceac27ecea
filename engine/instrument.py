"""Instruments: the only place where decimal strings become integer ticks and lots.

A price is `price_ticks * tick_size` quote per base; a quantity is
`quantity_lots * lot_size` base. Conversions are exact: a price that is not a
whole number of ticks is rejected (PRICE_NOT_ON_TICK), never rounded.
`base_units_per_lot` and `quote_units_per_tick_lot` let the exchange turn a
fill into ledger amounts with integer multiplication only:
`quote_units = price_ticks * quantity_lots * quote_units_per_tick_lot`.
"""
import decimal
import re

import msgspec

from engine.reject import RejectCode

# Plain decimal notation only: no exponent, no sign, no NaN/Infinity, no spaces.
_DECIMAL_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_DECIMAL_DIGITS_MAX = 40
BAND_BPS_MAX = 10_000
SYMBOL_LENGTH_MAX = 32


class InstrumentValueError(ValueError):
    """A decimal string that does not convert exactly; `code` says why."""

    def __init__(self, code: RejectCode, text: str):
        super().__init__(f"{code.name}: {text!r}")
        self.code = code


def parse_decimal(text: str) -> decimal.Decimal:
    """Parse a plain positive-or-zero decimal string exactly, or raise DECIMAL_MALFORMED."""
    if not isinstance(text, str) or len(text) > _DECIMAL_DIGITS_MAX or not _DECIMAL_TEXT.match(text):
        raise InstrumentValueError(RejectCode.DECIMAL_MALFORMED, str(text))
    return decimal.Decimal(text)


def _units(text: str, step: decimal.Decimal, not_on_step: RejectCode, not_positive: RejectCode) -> int:
    value = parse_decimal(text)
    if value == 0:
        raise InstrumentValueError(not_positive, text)
    # Exact division in a context wide enough that no digit is ever dropped.
    with decimal.localcontext() as context:
        context.prec = 2 * _DECIMAL_DIGITS_MAX
        context.traps[decimal.Inexact] = True
        quotient = value / step
    if quotient != quotient.to_integral_value():
        raise InstrumentValueError(not_on_step, text)
    return int(quotient)


def _format(count: int, step: decimal.Decimal) -> str:
    exponent = min(step.as_tuple().exponent, 0)
    value = (decimal.Decimal(count) * step).quantize(decimal.Decimal(1).scaleb(exponent))
    return format(value, "f")


class Instrument(msgspec.Struct, frozen=True, kw_only=True):
    """A tradable pair with its integer grid, size limits and price band."""

    instrument_id: int
    symbol: str  # "BASE/QUOTE", e.g. "BTC/USDT".
    base: str
    quote: str
    tick_size: str  # Decimal string, quote per base.
    lot_size: str  # Decimal string, base.
    base_units_per_lot: int
    quote_units_per_tick_lot: int
    min_quantity_lots: int
    max_quantity_lots: int
    min_notional_tick_lots: int  # Lower bound on price_ticks * quantity_lots.
    price_band_bps: int  # Max deviation of an order price from the reference price.

    def price_ticks(self, text: str) -> int:
        """Exact price in ticks; raises InstrumentValueError (PRICE_NOT_ON_TICK, ...)."""
        return _units(text, decimal.Decimal(self.tick_size), RejectCode.PRICE_NOT_ON_TICK,
                      RejectCode.PRICE_MUST_BE_POSITIVE)

    def quantity_lots(self, text: str) -> int:
        """Exact quantity in lots; raises InstrumentValueError (QUANTITY_NOT_ON_LOT, ...)."""
        return _units(text, decimal.Decimal(self.lot_size), RejectCode.QUANTITY_NOT_ON_LOT,
                      RejectCode.QUANTITY_MUST_BE_POSITIVE)

    def format_price(self, price_ticks: int) -> str:
        """Decimal string of a price, with exactly the tick size's decimals."""
        return _format(price_ticks, decimal.Decimal(self.tick_size))

    def format_quantity(self, quantity_lots: int) -> str:
        """Decimal string of a quantity, with exactly the lot size's decimals."""
        return _format(quantity_lots, decimal.Decimal(self.lot_size))

    def band(self, reference_price_ticks: int) -> tuple[int, int]:
        """Inclusive [low, high] prices within price_band_bps of the reference; low >= 1."""
        reach = reference_price_ticks * self.price_band_bps
        low = reference_price_ticks - reach // BAND_BPS_MAX
        high = reference_price_ticks + reach // BAND_BPS_MAX
        return (max(low, 1), high)


def instrument_problem(instrument: Instrument) -> str | None:
    """Why an instrument definition is unusable, or None when it is sound."""
    for name in ("tick_size", "lot_size"):
        text = getattr(instrument, name)
        try:
            if parse_decimal(text) == 0:
                return f"{name} must be positive"
        except InstrumentValueError:
            return f"{name} is not a plain decimal: {text!r}"
    checks = (
        (instrument.instrument_id > 0, "instrument_id must be positive"),
        (0 < len(instrument.symbol) <= SYMBOL_LENGTH_MAX, "symbol length"),
        (instrument.symbol == f"{instrument.base}/{instrument.quote}", "symbol must be BASE/QUOTE"),
        (instrument.base != instrument.quote, "base and quote must differ"),
        (instrument.base_units_per_lot > 0, "base_units_per_lot must be positive"),
        (instrument.quote_units_per_tick_lot > 0, "quote_units_per_tick_lot must be positive"),
        (instrument.min_quantity_lots > 0, "min_quantity_lots must be positive"),
        (instrument.max_quantity_lots >= instrument.min_quantity_lots, "max_quantity_lots below min"),
        (instrument.min_notional_tick_lots >= 0, "min_notional_tick_lots must not be negative"),
        (0 < instrument.price_band_bps < BAND_BPS_MAX, "price_band_bps must be in 1..9999"),
    )
    for holds, problem in checks:
        if not holds:
            return problem
    return None
