"""Per-key token buckets, configurable per role, in integer milli-tokens.

A refusal carries `retry_after_s` (whole seconds, rounded up) for the HTTP Retry-After
header. Memory is bounded: only authenticated keys get a bucket, and idle buckets that have
refilled completely are dropped (a full bucket and no bucket behave the same), oldest first.
"""
from collections import OrderedDict

import msgspec

from exchange.access import Role

_MILLI = 1000


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    burst_requests: int  # Bucket capacity: requests allowed back to back.
    requests_per_s: int  # Refill rate.


DEFAULT_LIMITS: dict[Role, RateLimit] = {
    # Traders send orders in bursts; staff and auditors browse and export.
    Role.TRADER: RateLimit(burst_requests=200, requests_per_s=100),
    Role.OPERATOR: RateLimit(burst_requests=50, requests_per_s=20),
    Role.COMPLIANCE: RateLimit(burst_requests=50, requests_per_s=20),
    Role.AUDITOR: RateLimit(burst_requests=20, requests_per_s=5),
}


class _Bucket:
    __slots__ = ("milli_tokens", "updated_ms")

    def __init__(self, milli_tokens: int, updated_ms: int) -> None:
        self.milli_tokens = milli_tokens
        self.updated_ms = updated_ms


class RateLimiter:
    """`take(key_id, role, now_ms)` -> None when allowed, else seconds to wait. O(1) amortised."""

    def __init__(self, limits: dict[Role, RateLimit] | None = None,
                 buckets_max: int = 100_000) -> None:
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.buckets_max = buckets_max
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key_id: str, role: Role, now_ms: int) -> int | None:
        """Spend one request from the key's bucket; on refusal return retry_after_s (>= 1)."""
        limit = self.limits[role]
        capacity = limit.burst_requests * _MILLI
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = _Bucket(capacity, now_ms)
            self._buckets[key_id] = bucket
            self._trim(now_ms)
        else:
            self._buckets.move_to_end(key_id)
            elapsed_ms = max(0, now_ms - bucket.updated_ms)
            bucket.milli_tokens = min(capacity, bucket.milli_tokens + elapsed_ms * limit.requests_per_s)
            bucket.updated_ms = max(bucket.updated_ms, now_ms)
        if bucket.milli_tokens >= _MILLI:
            bucket.milli_tokens -= _MILLI
            return None
        missing = _MILLI - bucket.milli_tokens
        wait_ms = -(-missing // limit.requests_per_s)
        return max(1, -(-wait_ms // 1000))

    def _trim(self, now_ms: int) -> None:
        # Least recently used first; stop at the first bucket that still remembers a debt.
        while len(self._buckets) > self.buckets_max:
            key_id, bucket = next(iter(self._buckets.items()))
            if not self._refilled(bucket, now_ms):
                return
            del self._buckets[key_id]

    def _refilled(self, bucket: _Bucket, now_ms: int) -> bool:
        slowest = min(self.limits.values(), key=lambda limit: limit.requests_per_s)
        fullest = max(limit.burst_requests for limit in self.limits.values())
        elapsed_ms = max(0, now_ms - bucket.updated_ms)
        return bucket.milli_tokens + elapsed_ms * slowest.requests_per_s >= fullest * _MILLI
