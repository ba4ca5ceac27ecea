"""Per-key token buckets: refusal with retry_after_s, refill, per-role limits, bounded memory."""
import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from api.auth import AuthErrorCode, Authenticated, Authenticator, RateLimit, RateLimiter, ReplayGuard, sign_native
from exchange.access import Permission, Role

from access_keys import NOW_MS, TRADER_SECRET

TIGHT = {role: RateLimit(burst_requests=3, requests_per_minute=60) for role in Role}


def test_a_burst_beyond_capacity_is_refused_with_retry_after():
    limiter = RateLimiter(TIGHT)
    assert [limiter.take("k", Role.TRADER, 0) for _ in range(3)] == [None, None, None]
    assert limiter.take("k", Role.TRADER, 0) == 1


def test_tokens_refill_with_time():
    limiter = RateLimiter(TIGHT)
    for _ in range(3):
        limiter.take("k", Role.TRADER, 0)
    assert limiter.take("k", Role.TRADER, 999) == 1
    assert limiter.take("k", Role.TRADER, 1000) is None
    assert limiter.take("k", Role.TRADER, 1000) == 1


def test_retry_after_rounds_up_to_whole_seconds_for_slow_refill():
    limiter = RateLimiter({Role.AUDITOR: RateLimit(burst_requests=1, requests_per_minute=6)})
    assert limiter.take("a", Role.AUDITOR, 0) is None
    assert limiter.take("a", Role.AUDITOR, 0) == 10
    assert limiter.take("a", Role.AUDITOR, 8_500) == 2
    assert limiter.take("a", Role.AUDITOR, 10_000) is None


def test_keys_have_separate_buckets_and_roles_separate_limits():
    limiter = RateLimiter({Role.TRADER: RateLimit(burst_requests=2, requests_per_minute=60),
                           Role.AUDITOR: RateLimit(burst_requests=1, requests_per_minute=60)})
    assert [limiter.take("t1", Role.TRADER, 0) for _ in range(3)] == [None, None, 1]
    assert limiter.take("t2", Role.TRADER, 0) is None
    assert [limiter.take("a1", Role.AUDITOR, 0) for _ in range(2)] == [None, 1]


def test_idle_full_buckets_are_dropped_so_memory_stays_bounded():
    limiter = RateLimiter(TIGHT, buckets_max=100)
    for index in range(1000):
        limiter.take(f"k{index}", Role.TRADER, index * 10_000)
    assert len(limiter) <= 101


def test_a_bucket_that_owes_tokens_is_not_forgotten():
    limiter = RateLimiter(TIGHT, buckets_max=1)
    for _ in range(3):
        limiter.take("busy", Role.TRADER, 0)
    limiter.take("other", Role.TRADER, 1)
    assert limiter.take("busy", Role.TRADER, 2) == 1


def test_authenticator_refuses_with_rate_limited_and_retry_after(directory):
    authenticator = Authenticator(directory.lookup, limiter=RateLimiter(TIGHT), replay_guard=ReplayGuard())
    results = []
    for offset in range(4):
        timestamp_ms = NOW_MS + offset
        headers = {"X-KK-APIKEY": "k-trader", "X-KK-TIMESTAMP": str(timestamp_ms),
                   "X-KK-SIGNATURE": sign_native(TRADER_SECRET, timestamp_ms, "GET", "/v1/balances")}
        results.append(authenticator.native("GET", "/v1/balances", "", b"", headers,
                                            Permission.READ_OWN, now_ms=timestamp_ms))
    assert all(isinstance(result, Authenticated) for result in results[:3])
    assert results[3].code == AuthErrorCode.RATE_LIMITED
    assert results[3].retry_after_s == 1 and results[3].http_status == 429
    assert results[3].binance_code == -1003


@settings(max_examples=80, deadline=None)
@given(burst=st.integers(1, 5), per_minute=st.integers(1, 600),
       gaps_ms=st.lists(st.integers(0, 3000), min_size=1, max_size=60))
def test_never_more_than_burst_plus_refill_and_retry_after_is_honest(burst, per_minute, gaps_ms):
    limiter = RateLimiter({Role.TRADER: RateLimit(burst_requests=burst, requests_per_minute=per_minute)})
    now_ms, accepted = 0, 0
    for gap_ms in gaps_ms:
        now_ms += gap_ms
        retry_after_s = limiter.take("k", Role.TRADER, now_ms)
        if retry_after_s is None:
            accepted += 1
        else:
            assert retry_after_s >= 1
            waited = copy.deepcopy(limiter)
            assert waited.take("k", Role.TRADER, now_ms + retry_after_s * 1000) is None
        assert accepted <= burst + now_ms * per_minute // 60_000
