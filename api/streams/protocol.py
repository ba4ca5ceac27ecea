"""The stream wire protocol: requests a client sends, stream names, error and close codes, limits.

Requests are JSON text frames tagged by "op". Every answer echoes the
request's `id` so a client can match answers to requests. Error codes and
close codes are a wire contract: append only, never renumber or rename.
"""
import enum
from typing import Annotated

import msgspec

from api.marketdata import INTERVAL_MS

REQUEST_BYTES_MAX = 16_384
STREAMS_PER_CONNECTION_MAX = 100
STREAMS_PER_REQUEST_MAX = 50
ID_CHARS_MAX = 64
OUTBOX_MESSAGES_MAX = 2_000  # A client this far behind is dropped, not buffered for.
OUTBOX_BYTES_MAX = 4_000_000
SNAPSHOT_LEVELS_MAX = 5_000  # Per side; a deeper book is snapshotted to this depth (documented gap).
CONNECTIONS_MAX = 5_000
LOGIN_PATH = "/v1/ws"  # The signed string is timestamp_ms + "GET" + LOGIN_PATH, as for a native GET.

RequestId = int | Annotated[str, msgspec.Meta(max_length=ID_CHARS_MAX)] | None  # Echoed in the answer.


class Subscribe(msgspec.Struct, frozen=True, kw_only=True, tag_field="op", tag="subscribe",
                forbid_unknown_fields=True):
    streams: list[str]
    id: RequestId = None


class Unsubscribe(msgspec.Struct, frozen=True, kw_only=True, tag_field="op", tag="unsubscribe",
                  forbid_unknown_fields=True):
    streams: list[str]
    id: RequestId = None


class Login(msgspec.Struct, frozen=True, kw_only=True, tag_field="op", tag="login", forbid_unknown_fields=True):
    """Signed like a native GET of /v1/ws: hex HMAC-SHA256(secret, f"{timestamp_ms}GET/v1/ws")."""

    api_key: str
    timestamp_ms: int
    signature: str
    id: RequestId = None


class Ping(msgspec.Struct, frozen=True, kw_only=True, tag_field="op", tag="ping", forbid_unknown_fields=True):
    id: RequestId = None


Request = Subscribe | Unsubscribe | Login | Ping
request_decoder = msgspec.json.Decoder(Request)


class StreamError(enum.StrEnum):
    # Append only, never rename: clients branch on these.
    MALFORMED_REQUEST = "MALFORMED_REQUEST"  # Not JSON, unknown op, missing or unexpected field.
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    UNKNOWN_STREAM = "UNKNOWN_STREAM"  # Not a stream name, unknown market or candle interval.
    TOO_MANY_STREAMS = "TOO_MANY_STREAMS"
    LOGIN_REQUIRED = "LOGIN_REQUIRED"  # The account stream needs a successful login first.
    LOGIN_FAILED = "LOGIN_FAILED"  # `auth_code` carries the api/auth reason (INVALID_SIGNATURE, ...).
    ALREADY_LOGGED_IN = "ALREADY_LOGGED_IN"


class CloseCode(enum.IntEnum):
    # Append only. 4xxx are ours; the close reason says the same in words.
    INTERNAL_ERROR = 1011  # Standard code: our bug, logged; reconnect.
    TRY_AGAIN_LATER = 1013  # Standard code: the server has CONNECTIONS_MAX clients.
    SLOW_CONSUMER = 4008  # The outbox overflowed: reconnect, then resubscribe (fresh snapshots).
    KEY_REVOKED = 4001  # The API key the connection logged in with was revoked: no more account data.


SLOW_CONSUMER_REASON = "slow consumer, resubscribe"
KEY_REVOKED_REASON = "API key revoked"


class StreamName(msgspec.Struct, frozen=True):
    """A parsed stream name: kind is book, trades, ticker, candles or account."""

    kind: str
    symbol: str | None = None
    interval: str | None = None


ACCOUNT_STREAM = "account"
_MARKET_KINDS = ("book", "trades", "ticker")


def parse_stream(name: str) -> StreamName | None:
    """`book.BTC-USDT`, `trades.X`, `ticker.X`, `candles.X.1m`, `account`; None when malformed."""
    if name == ACCOUNT_STREAM:
        return StreamName(ACCOUNT_STREAM)
    parts = name.split(".")
    if len(parts) == 2 and parts[0] in _MARKET_KINDS and parts[1]:
        return StreamName(parts[0], parts[1])
    if len(parts) == 3 and parts[0] == "candles" and parts[1] and parts[2] in INTERVAL_MS:
        return StreamName("candles", parts[1], parts[2])
    return None


def stream_key(kind: str, instrument_id: int, interval: str | None = None) -> tuple:
    """The hub's routing key for a public stream (the symbol spelling a client used does not matter)."""
    return (kind, instrument_id, interval)
