"""Public market-data messages, each encoded once per batch and shared by every subscriber.

Prices and quantities are decimal strings in the instrument's grid, as on the
REST market routes; trades use the REST `public_trade_json` shape (no account
or order ids). `venue` is used only for instrument grids and asset decimals,
which never change once defined, so reading them live leaks nothing
uncommitted. `published_ns` is the server clock when the batch was handed to
the streams, right after its commit: a client on the same clock measures
commit-to-delivery delay with it.
"""
import msgspec

from api.marketdata import Candle, Ticker
from api.routes.market import candle_json, public_trade_json, ticker_json
from api.streams.books import BookChange, MirrorBook

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


def ticker_message(venue, instrument, stream: str, ticker: Ticker, published_ns: int | None) -> str:
    """The 24 h statistics (GET /v1/markets/{symbol}/ticker fields) as of this batch."""
    return encode({"type": "ticker", "stream": stream, "published_ns": published_ns,
                   **ticker_json(venue, instrument, ticker)})


def candle_message(venue, instrument, stream: str, interval: str, candle: Candle, published_ns: int | None) -> str:
    """One candle as it stands (the newest one keeps changing until its interval ends)."""
    return encode({"type": "candle", "stream": stream, "published_ns": published_ns, "interval": interval,
                   **candle_json(venue, instrument, interval, candle)})
