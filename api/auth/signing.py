"""Verify HMAC-SHA256 signed requests: the native scheme and the Binance spot scheme.

Plain functions over the raw request, so they are tested without a server:
- Native: headers X-KK-APIKEY, X-KK-TIMESTAMP (ms), X-KK-SIGNATURE =
  hex HMAC-SHA256(secret, timestamp + METHOD + path[?query] + body).
- Binance: header X-MBX-APIKEY; params `timestamp`, optional `recvWindow` (default 5000,
  at most 60000) and `signature` = hex HMAC-SHA256(secret, totalParams), where totalParams
  is the raw query string concatenated with the raw body, with the signature param removed.
  Verified over the raw bytes, never a re-encoded dict: parameter order and encoding matter.

Order of checks: credentials present and well formed -> key known and active -> signature
(constant-time compare) -> timestamp inside [now - recvWindow, now + 1 s] -> not a replay.
The replay memory only ever records requests whose signature was valid.
"""
import hashlib
import hmac
from collections.abc import Mapping

from api.auth.keys import Credential, KeyLookup
from api.auth.replay import ReplayGuard
from api.auth.results import AuthError, AuthErrorCode, Authenticated

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60_000
FUTURE_TOLERANCE_MS = 1000  # Binance's rule: a timestamp may run at most 1 s ahead of ours.
_TIMESTAMP_DIGITS_MAX = 16


def sign_native(secret: str, timestamp_ms: int, method: str, path_with_query: str,
                body: bytes = b"") -> str:
    """The X-KK-SIGNATURE a client sends (also used by tests, benchmarks and demo scripts)."""
    message = f"{timestamp_ms}{method.upper()}{path_with_query}".encode("utf-8") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_binance(secret: str, total_params: str) -> str:
    """The Binance `signature` param over totalParams (query string + body, unsigned)."""
    return hmac.new(secret.encode("utf-8"), total_params.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_native(method: str, path: str, query: str, body: bytes, headers: Mapping[str, str],
                  now_ms: int, lookup: KeyLookup, replay_guard: ReplayGuard,
                  recv_window_ms: int = DEFAULT_RECV_WINDOW_MS) -> Authenticated | AuthError:
    """Authenticate a native /v1 request. `query` is the raw query string without '?'."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return verify_native_credentials(method, path, query, body, lowered.get("x-kk-apikey", ""),
                                     lowered.get("x-kk-timestamp", ""), lowered.get("x-kk-signature", ""),
                                     now_ms, lookup, replay_guard, recv_window_ms)


def verify_native_credentials(method: str, path: str, query: str, body: bytes, key_id: str, timestamp_text: str,
                              signature: str, now_ms: int, lookup: KeyLookup, replay_guard: ReplayGuard,
                              recv_window_ms: int = DEFAULT_RECV_WINDOW_MS) -> Authenticated | AuthError:
    """`verify_native` with the three X-KK-* header values already picked out ("" when absent)."""
    if not key_id or not timestamp_text or not signature:
        return _error(AuthErrorCode.MISSING_CREDENTIALS,
                      "X-KK-APIKEY, X-KK-TIMESTAMP and X-KK-SIGNATURE are required")
    timestamp_ms = _parse_millis(timestamp_text)
    if timestamp_ms is None:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "X-KK-TIMESTAMP must be milliseconds")
    path_with_query = f"{path}?{query}" if query else path
    message = f"{timestamp_text}{method.upper()}{path_with_query}".encode("utf-8") + body
    return _verify(key_id, message, signature, timestamp_ms, recv_window_ms, now_ms, lookup,
                   replay_guard)


def verify_binance(query: str, body: bytes, headers: Mapping[str, str], now_ms: int,
                   lookup: KeyLookup, replay_guard: ReplayGuard, request_line: str = "") -> Authenticated | AuthError:
    """Authenticate a Binance-style SIGNED request (/api/v3/...).

    Binance signs the parameters only, not the method and path, so two different requests with
    the same parameters in the same millisecond (say GET and DELETE of one order) carry the same
    signature: the replay memory tells them apart by `request_line` ("DELETE /api/v3/order")."""
    lowered = {name.lower(): value for name, value in headers.items()}
    key_id = lowered.get("x-mbx-apikey", "")
    if not key_id:
        return _error(AuthErrorCode.MISSING_CREDENTIALS, "X-MBX-APIKEY header is required")
    try:
        body_text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "the body is not UTF-8")
    query_parts, body_parts = _split_params(query), _split_params(body_text)
    signatures = [part for part in query_parts + body_parts if part.startswith("signature=")]
    if not signatures:
        return _error(AuthErrorCode.MISSING_CREDENTIALS, "the signature parameter is required")
    if len(signatures) > 1:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "signature was sent more than once")
    unsigned_query = "&".join(part for part in query_parts if not part.startswith("signature="))
    unsigned_body = "&".join(part for part in body_parts if not part.startswith("signature="))
    timing = _binance_timing(query_parts + body_parts)
    if isinstance(timing, AuthError):
        return timing
    timestamp_ms, recv_window_ms = timing
    message = (unsigned_query + unsigned_body).encode("utf-8")
    return _verify(key_id, message, signatures[0][len("signature="):], timestamp_ms,
                   recv_window_ms, now_ms, lookup, replay_guard, request_line)


def _split_params(raw: str) -> list[str]:
    return [part for part in raw.split("&") if part] if raw else []


def _binance_timing(parts: list[str]) -> tuple[int, int] | AuthError:
    # Only the two timing params are read here (their values must be plain digits, so no
    # URL-decoding is needed); the route parses the rest. Cheaper than parse_qsl on every call.
    timestamps = [part[len("timestamp="):] for part in parts if part.startswith("timestamp=")]
    windows = [part[len("recvWindow="):] for part in parts if part.startswith("recvWindow=")]
    if len(timestamps) != 1:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "exactly one timestamp parameter is required")
    if len(windows) > 1:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "recvWindow was sent more than once")
    timestamp_ms = _parse_millis(timestamps[0])
    if timestamp_ms is None:
        return _error(AuthErrorCode.MALFORMED_REQUEST, "timestamp must be milliseconds")
    recv_window_ms = _parse_millis(windows[0]) if windows else DEFAULT_RECV_WINDOW_MS
    if recv_window_ms is None or not 0 < recv_window_ms <= MAX_RECV_WINDOW_MS:
        return _error(AuthErrorCode.INVALID_RECV_WINDOW,
                      f"recvWindow must be an integer in 1..{MAX_RECV_WINDOW_MS}")
    return timestamp_ms, recv_window_ms


def _verify(key_id: str, message: bytes, signature: str, timestamp_ms: int, recv_window_ms: int,
            now_ms: int, lookup: KeyLookup, replay_guard: ReplayGuard,
            request_line: str = "") -> Authenticated | AuthError:
    credential = lookup(key_id)
    if credential is None:
        return _error(AuthErrorCode.UNKNOWN_API_KEY, "unknown API key")
    if not credential.active:
        return _error(AuthErrorCode.API_KEY_REVOKED, "this API key was revoked")
    if not _signature_matches(credential, message, signature):
        return _error(AuthErrorCode.INVALID_SIGNATURE, "signature for this request is not valid")
    if timestamp_ms > now_ms + FUTURE_TOLERANCE_MS or now_ms - timestamp_ms > recv_window_ms:
        return _error(AuthErrorCode.TIMESTAMP_OUTSIDE_RECV_WINDOW,
                      "timestamp for this request is outside of the receive window")
    key_id = credential.key_id  # The stored object: the replay memory shares it, not a copy.
    replay_key = f"{request_line} {signature}" if request_line else signature
    if replay_guard.seen(key_id, replay_key, now_ms):
        return _error(AuthErrorCode.REPLAYED_REQUEST, "this signed request was already received")
    if replay_guard.full(now_ms):
        retry_after_s = -(-replay_guard.retry_after_ms(now_ms) // 1000)
        return AuthError(code=AuthErrorCode.REPLAY_CACHE_FULL, retry_after_s=retry_after_s,
                         message="too many signed requests in the receive window; retry later")
    replay_guard.remember(key_id, replay_key, timestamp_ms + recv_window_ms)
    return Authenticated(key_id=credential.key_id, owner_kind=credential.owner_kind,
                         owner_id=credential.owner_id, role=credential.role)


def _signature_matches(credential: Credential, message: bytes, signature: str) -> bool:
    if not signature.isascii():
        return False
    expected = hmac.digest(credential.secret, message, "sha256").hex()  # The one-shot C path.
    # Constant time: the comparison must not reveal how many leading characters matched.
    return hmac.compare_digest(expected, signature.lower())


def _parse_millis(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > _TIMESTAMP_DIGITS_MAX:
        return None
    return int(text)


def _error(code: AuthErrorCode, message: str) -> AuthError:
    return AuthError(code=code, message=message)
