"""What authentication returns: `Authenticated` or `AuthError` with a stable code.

`AuthErrorCode` values are a wire contract (the native API returns them as "code"); the
tables map each to its HTTP status and to the Binance error code clients like ccxt expect.
"""
import enum

import msgspec

from exchange.access import OwnerKind, Role


class AuthErrorCode(enum.StrEnum):
    # Append only, never rename.
    MISSING_CREDENTIALS = "MISSING_CREDENTIALS"  # No key, timestamp or signature sent.
    MALFORMED_REQUEST = "MALFORMED_REQUEST"  # Timestamp not an integer, duplicated params ...
    INVALID_RECV_WINDOW = "INVALID_RECV_WINDOW"  # recvWindow not in 1..60000 ms.
    UNKNOWN_API_KEY = "UNKNOWN_API_KEY"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    TIMESTAMP_OUTSIDE_RECV_WINDOW = "TIMESTAMP_OUTSIDE_RECV_WINDOW"
    REPLAYED_REQUEST = "REPLAYED_REQUEST"
    REPLAY_CACHE_FULL = "REPLAY_CACHE_FULL"  # The bounded replay memory is full: retry later.
    RATE_LIMITED = "RATE_LIMITED"
    FORBIDDEN = "FORBIDDEN"  # Authenticated, but the role lacks the permission.


HTTP_STATUS: dict[AuthErrorCode, int] = {
    AuthErrorCode.MISSING_CREDENTIALS: 401,
    AuthErrorCode.MALFORMED_REQUEST: 400,
    AuthErrorCode.INVALID_RECV_WINDOW: 400,
    AuthErrorCode.UNKNOWN_API_KEY: 401,
    AuthErrorCode.API_KEY_REVOKED: 401,
    AuthErrorCode.INVALID_SIGNATURE: 401,
    AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW: 401,
    AuthErrorCode.REPLAYED_REQUEST: 401,
    AuthErrorCode.REPLAY_CACHE_FULL: 429,
    AuthErrorCode.RATE_LIMITED: 429,
    AuthErrorCode.FORBIDDEN: 403,
}

# Binance spot codes, chosen so ccxt's generic error table raises the right exception.
BINANCE_CODE: dict[AuthErrorCode, int] = {
    AuthErrorCode.MISSING_CREDENTIALS: -2014,  # "API-key format invalid."
    AuthErrorCode.MALFORMED_REQUEST: -1102,  # Mandatory parameter missing or malformed.
    AuthErrorCode.INVALID_RECV_WINDOW: -1131,  # "recvWindow must be less than 60000"
    AuthErrorCode.UNKNOWN_API_KEY: -2015,
    AuthErrorCode.API_KEY_REVOKED: -2015,
    AuthErrorCode.INVALID_SIGNATURE: -1022,
    AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW: -1021,
    AuthErrorCode.REPLAYED_REQUEST: -1022,
    AuthErrorCode.REPLAY_CACHE_FULL: -1003,
    AuthErrorCode.RATE_LIMITED: -1003,  # "Too many requests", with HTTP 429.
    AuthErrorCode.FORBIDDEN: -2015,  # "Invalid API-key, IP, or permissions for action."
}


class Authenticated(msgspec.Struct, frozen=True, kw_only=True):
    """A request whose signature, timestamp and key all checked out."""

    key_id: str
    owner_kind: OwnerKind
    owner_id: str
    role: Role


class AuthError(msgspec.Struct, frozen=True, kw_only=True):
    code: AuthErrorCode
    message: str
    retry_after_s: int | None = None  # Set for 429s: the value of the Retry-After header.

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    @property
    def binance_code(self) -> int:
        return BINANCE_CODE[self.code]
