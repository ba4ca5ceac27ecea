"""Refuse an exact replay of a signed request while its timestamp is still acceptable.

A signature is remembered until its request's timestamp leaves the receive window; after
that the window check alone refuses it, so memory is bounded by (requests accepted per
window), and by `entries_max` as a hard limit. Eviction is by expiry time (a heap).
An entry costs about 275 bytes (the 32-byte digest, not its 64-character hex; the caller
passes the key id object held by the key store, so it is shared, not copied per entry):
the default limit of 250,000 is ~70 MB, and 25,000 requests/s sustained at a 10 s window.
"""
import heapq


class ReplayGuard:
    """Remember (key_id, signature) pairs until they expire. O(log n) per request."""

    def __init__(self, entries_max: int = 250_000) -> None:
        self.entries_max = entries_max
        self._expiry_ms: dict[tuple[str, bytes], int] = {}
        self._heap: list[tuple[int, tuple[str, bytes]]] = []

    def __len__(self) -> int:
        return len(self._expiry_ms)

    def seen(self, key_id: str, signature_hex: str, now_ms: int) -> bool:
        """True when this signature was already used and has not expired yet."""
        self._evict(now_ms)
        return (key_id, _digest(signature_hex)) in self._expiry_ms

    def full(self, now_ms: int) -> bool:
        self._evict(now_ms)
        return len(self._expiry_ms) >= self.entries_max

    def retry_after_ms(self, now_ms: int) -> int:
        """How long until the oldest entry expires and frees room."""
        self._evict(now_ms)
        return max(1, self._heap[0][0] - now_ms) if self._heap else 1

    def remember(self, key_id: str, signature_hex: str, expires_ms: int) -> None:
        """Record an accepted signature; the caller checked `seen` and `full` first."""
        entry = (key_id, _digest(signature_hex))
        self._expiry_ms[entry] = expires_ms
        heapq.heappush(self._heap, (expires_ms, entry))

    def _evict(self, now_ms: int) -> None:
        heap = self._heap
        while heap and heap[0][0] < now_ms:
            expires_ms, entry = heapq.heappop(heap)
            if self._expiry_ms.get(entry) == expires_ms:
                del self._expiry_ms[entry]


def _digest(signature_hex: str) -> bytes:
    # Verified signatures are hex; anything else is kept as its UTF-8 bytes (still exact).
    try:
        return bytes.fromhex(signature_hex)
    except ValueError:
        return signature_hex.encode("utf-8")
