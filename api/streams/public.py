"""Public market-data messages, each encoded once per batch and shared by every subscriber.

Prices and quantities are decimal strings in the instrument's grid, as on the
REST market routes; trades use the REST `public_trade_json` shape (no account
or order ids). `venue` is used only for instrument grids and asset decimals,
which never change once defined, so reading them live leaks nothing
uncommitted. `published_ns` is the server clock when the batch was handed to
the streams, right after its commit: a client on the same clock measures
commit-to-delivery delay with it.
"""
import decimal

import msgspec

from api.marketdata import INTERVAL_MS, Candle, Ticker
from api.routes.market import public_trade_json
from api.streams.books import BookChange, MirrorBook
from api.symbols import format_units

_encode = msgspec.json.Encoder().encode


def encode(message: dict) -> str:
    return _encode(message).decode()


def _levels(instrument, levels) -> list[list[str]]:
    return [[instrument.format_price(p), instrument.format_quantity(q)] for p, q in levels]


def book_snapshot(instrument, stream: str, book: MirrorBook, levels_max: int, request_id=None) -> str:
    bids, asks = book.depth(levels_max)
    return encode({"type": "book_snapshot", "stream": stream, "id": request_id, "sequence": book.sequence,
                   "bids": _levels(instrument, bids), "asks": _levels(instrument, asks)})


def book_diff(instrument, stream: str, change: BookChange, published_ns: int) -> str:
    """Changed levels only (quantity "0" = level gone); apply when previous_sequence is the last one seen."""
    bids = [(p, q) for (side, p), q in change.levels.items() if side == "BUY"]
    asks = [(p, q) for (side, p), q in change.levels.items() if side == "SELL"]
    return encode({"type": "book_diff", "stream": stream, "previous_sequence": change.previous_sequence,
                   "first_sequence": change.first_sequence, "last_sequence": change.last_sequence,
                   "published_ns": published_ns,
                   "bids": _levels(instrument, bids), "asks": _levels(instrument, asks)})


def trades_message(venue, instrument, stream: str, trades: list, published_ns: int) -> str:
    """A batch's trades in one market, oldest first."""
    return encode({"type": "trades", "stream": stream, "last_sequence": trades[-1].sequence,
                   "published_ns": published_ns,
                   "trades": [public_trade_json(venue, instrument, trade) for trade in trades]})


def _price(instrument, price_ticks: int | None) -> str | None:
    return None if price_ticks is None else instrument.format_price(price_ticks)


def _quote_volume(venue, instrument, tick_lots: int) -> str:
    return format_units(venue, instrument.quote, tick_lots * instrument.quote_units_per_tick_lot)


def _change_percent(open_ticks: int | None, last_ticks: int | None) -> str | None:
    if open_ticks is None or last_ticks is None:
        return None
    percent = decimal.Decimal(last_ticks - open_ticks) * 100 / open_ticks
    return format(percent.quantize(decimal.Decimal("0.01")), "f")


def ticker_message(venue, instrument, stream: str, ticker: Ticker, published_ns: int | None) -> str:
    """The 24 h statistics (GET /v1/markets/{symbol}/ticker fields) as of this batch."""
    change = None
    if ticker.open_ticks is not None and ticker.last_ticks is not None:
        change = instrument.format_price(ticker.last_ticks - ticker.open_ticks) if (
            ticker.last_ticks >= ticker.open_ticks) else "-" + instrument.format_price(
            ticker.open_ticks - ticker.last_ticks)
    return encode({"type": "ticker", "stream": stream, "published_ns": published_ns,
                   "open": _price(instrument, ticker.open_ticks), "high": _price(instrument, ticker.high_ticks),
                   "low": _price(instrument, ticker.low_ticks), "last": _price(instrument, ticker.last_ticks),
                   "volume": instrument.format_quantity(ticker.volume_lots),
                   "quote_volume": _quote_volume(venue, instrument, ticker.tick_lots), "trades": ticker.trades,
                   "change": change, "change_percent": _change_percent(ticker.open_ticks, ticker.last_ticks)})


def candle_message(venue, instrument, stream: str, interval: str, candle: Candle, published_ns: int | None) -> str:
    """One candle as it stands (the newest one keeps changing until its interval ends)."""
    length_ms = INTERVAL_MS[interval]
    return encode({"type": "candle", "stream": stream, "published_ns": published_ns, "interval": interval,
                   "open_time_ms": candle.open_ms, "close_time_ms": candle.open_ms + length_ms - 1,
                   "open": instrument.format_price(candle.open_ticks),
                   "high": instrument.format_price(candle.high_ticks),
                   "low": instrument.format_price(candle.low_ticks),
                   "close": instrument.format_price(candle.close_ticks),
                   "volume": instrument.format_quantity(candle.volume_lots),
                   "quote_volume": _quote_volume(venue, instrument, candle.tick_lots), "trades": candle.trades})
