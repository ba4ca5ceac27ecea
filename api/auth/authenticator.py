"""One object the routes share: signature checks, replay memory, rate limits, permissions.

Order for every signed request: authenticate (signing.py) -> rate limit per key -> role has
the permission. A refused request costs no sequencer work.
"""
import time
from collections.abc import Callable, Mapping

from api.auth.keys import KeyLookup
from api.auth.ratelimit import RateLimiter
from api.auth.replay import ReplayGuard
from api.auth.results import AuthError, AuthErrorCode, Authenticated
from api.auth.signing import DEFAULT_RECV_WINDOW_MS, verify_binance, verify_native, verify_native_credentials
from exchange.access import Permission, allowed


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Authenticator:
    """Authenticate and authorise requests; `now_ms` may be passed for tests and replays."""

    def __init__(self, lookup: KeyLookup, limiter: RateLimiter | None = None,
                 replay_guard: ReplayGuard | None = None,
                 clock_ms: Callable[[], int] = wall_clock_ms,
                 native_recv_window_ms: int = DEFAULT_RECV_WINDOW_MS) -> None:
        self.lookup = lookup
        self.limiter = RateLimiter() if limiter is None else limiter
        self.replay_guard = ReplayGuard() if replay_guard is None else replay_guard
        self.clock_ms = clock_ms
        self.native_recv_window_ms = native_recv_window_ms

    def native(self, method: str, path: str, query: str, body: bytes,
               headers: Mapping[str, str], permission: Permission | None,
               now_ms: int | None = None) -> Authenticated | AuthError:
        now_ms = self.clock_ms() if now_ms is None else now_ms
        result = verify_native(method, path, query, body, headers, now_ms, self.lookup,
                               self.replay_guard, self.native_recv_window_ms)
        return self._authorise(result, permission, now_ms)

    def native_credentials(self, method: str, path: str, query: str, body: bytes, key_id: str, timestamp_text: str,
                           signature: str, permission: Permission | None) -> Authenticated | AuthError:
        """`native` with the X-KK-* header values already picked out (api/fastpath.py reads the raw headers)."""
        now_ms = self.clock_ms()
        result = verify_native_credentials(method, path, query, body, key_id, timestamp_text, signature, now_ms,
                                           self.lookup, self.replay_guard, self.native_recv_window_ms)
        return self._authorise(result, permission, now_ms)

    def binance(self, query: str, body: bytes, headers: Mapping[str, str],
                permission: Permission | None, now_ms: int | None = None,
                request_line: str = "") -> Authenticated | AuthError:
        """`request_line` ("METHOD /path") keeps the replay memory per route: Binance signs no path."""
        now_ms = self.clock_ms() if now_ms is None else now_ms
        result = verify_binance(query, body, headers, now_ms, self.lookup, self.replay_guard, request_line)
        return self._authorise(result, permission, now_ms)

    def _authorise(self, result: Authenticated | AuthError, permission: Permission | None,
                   now_ms: int) -> Authenticated | AuthError:
        if isinstance(result, AuthError):
            return result
        retry_after_s = self.limiter.take(result.key_id, result.role, now_ms)
        if retry_after_s is not None:
            return AuthError(code=AuthErrorCode.RATE_LIMITED, retry_after_s=retry_after_s,
                             message=f"rate limit of this API key reached; retry in {retry_after_s} s")
        if permission is not None and not allowed(result.role, permission):
            return AuthError(code=AuthErrorCode.FORBIDDEN,
                             message=f"the {result.role.value} role may not {permission.value}")
        return result
