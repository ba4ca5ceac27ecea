"""The replay memory forgets by time and has a hard size limit that refuses, not grows."""
from api.auth import AuthErrorCode, Authenticated, ReplayGuard, sign_native, verify_native

from access_keys import NOW_MS, TRADER_SECRET


def test_entries_expire_after_their_window():
    guard = ReplayGuard()
    guard.remember("k", "sig-a", expires_ms=1000)
    guard.remember("k", "sig-b", expires_ms=2000)
    assert guard.seen("k", "sig-a", 1000) and len(guard) == 2
    assert not guard.seen("k", "sig-a", 1001) and len(guard) == 1
    assert not guard.seen("k", "sig-b", 2001) and len(guard) == 0


def test_the_same_signature_under_another_key_is_not_a_replay():
    guard = ReplayGuard()
    guard.remember("k1", "sig", expires_ms=1000)
    assert not guard.seen("k2", "sig", 0)


def test_memory_stays_bounded_over_a_long_steady_stream():
    guard = ReplayGuard()
    for now_ms in range(0, 100_000, 10):
        guard.seen("k", f"s{now_ms}", now_ms)
        guard.remember("k", f"s{now_ms}", now_ms + 5000)
    assert len(guard) <= 501


def test_a_full_memory_refuses_with_retry_after_until_entries_expire(directory):
    guard = ReplayGuard(entries_max=2)

    def request(timestamp_ms, now_ms, path):
        headers = {"X-KK-APIKEY": "k-trader", "X-KK-TIMESTAMP": str(timestamp_ms),
                   "X-KK-SIGNATURE": sign_native(TRADER_SECRET, timestamp_ms, "GET", path)}
        return verify_native("GET", path, "", b"", headers, now_ms, directory.lookup, guard)

    assert isinstance(request(NOW_MS, NOW_MS, "/v1/a"), Authenticated)
    assert isinstance(request(NOW_MS, NOW_MS, "/v1/b"), Authenticated)
    full = request(NOW_MS, NOW_MS + 2000, "/v1/c")
    assert (full.code, full.retry_after_s, full.http_status) == (AuthErrorCode.REPLAY_CACHE_FULL, 3, 429)
    assert len(guard) == 2
    assert isinstance(request(NOW_MS + 5001, NOW_MS + 5001, "/v1/c"), Authenticated)
