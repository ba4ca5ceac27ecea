"""Per-key token buckets, configurable per role, in integer units (1 request = 60,000 units,
so a refill of `requests_per_minute` units per millisecond stays exact).

A refusal carries `retry_after_s` (whole seconds, rounded up) for the HTTP Retry-After
header. Memory is bounded: only authenticated keys get a bucket, and idle buckets that have
refilled completely are dropped (a full bucket and no bucket behave the same), oldest first.
"""
from collections import OrderedDict

import msgspec

from exchange.access import Role

_UNITS_PER_REQUEST = 60_000  # Milliseconds per minute: refill is rate x elapsed_ms.


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    burst_requests: int  # Bucket capacity: requests allowed back to back.
    requests_per_minute: int  # Refill rate.


DEFAULT_LIMITS: dict[Role, RateLimit] = {
    # Traders send orders in bursts; staff and auditors browse and export.
    Role.TRADER: RateLimit(burst_requests=200, requests_per_minute=6000),
    Role.OPERATOR: RateLimit(burst_requests=50, requests_per_minute=1200),
    Role.COMPLIANCE: RateLimit(burst_requests=50, requests_per_minute=1200),
    Role.AUDITOR: RateLimit(burst_requests=20, requests_per_minute=300),
}


class _Bucket:
    __slots__ = ("units", "updated_ms")

    def __init__(self, units: int, updated_ms: int) -> None:
        self.units = units
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
        capacity = limit.burst_requests * _UNITS_PER_REQUEST
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = _Bucket(capacity, now_ms)
            self._buckets[key_id] = bucket
            self._trim(now_ms)
        else:
            self._buckets.move_to_end(key_id)
            elapsed_ms = max(0, now_ms - bucket.updated_ms)
            bucket.units = min(capacity, bucket.units + elapsed_ms * limit.requests_per_minute)
            bucket.updated_ms = max(bucket.updated_ms, now_ms)
        if bucket.units >= _UNITS_PER_REQUEST:
            bucket.units -= _UNITS_PER_REQUEST
            return None
        missing = _UNITS_PER_REQUEST - bucket.units
        wait_ms = -(-missing // limit.requests_per_minute)
        return max(1, -(-wait_ms // 1000))

    def _trim(self, now_ms: int) -> None:
        # Least recently used first; stop at the first bucket that still remembers a debt.
        while len(self._buckets) > self.buckets_max:
            key_id, bucket = next(iter(self._buckets.items()))
            if not self._refilled(bucket, now_ms):
                return
            del self._buckets[key_id]

    def _refilled(self, bucket: _Bucket, now_ms: int) -> bool:
        # The bucket does not know its role: assume the slowest refill and the largest burst.
        slowest = min(limit.requests_per_minute for limit in self.limits.values())
        fullest = max(limit.burst_requests for limit in self.limits.values())
        elapsed_ms = max(0, now_ms - bucket.updated_ms)
        return bucket.units + elapsed_ms * slowest >= fullest * _UNITS_PER_REQUEST
