"""Token buckets per key and per client address: 429 with Retry-After when one runs dry.

Writes are limited per key (an editor's script in a loop cannot flood the history), and
failed authentications per client address (guessing keys gets slow at once). Reads are not
limited here: they are cheap, cached and public. The buckets live in this process; with
several workers each has its own, so the effective limit is that times the workers.
"""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import DomainError

MAX_TRACKED = 10_000  # buckets kept; the least recently used are forgotten beyond this


class TooManyRequestsError(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}  # type: ignore[misc]  # per instance: the wait differs


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}
        self.lock = threading.Lock()

    def take(self, who: str, what: str) -> None:
        """Spend one token of ``who``'s bucket, or raise a 429 saying when to come back."""
        if self.rate <= 0:
            return
        now = self.clock()
        with self.lock:
            bucket = self.buckets.pop(who, None) or _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self.buckets[who] = bucket  # most recently used last
            if len(self.buckets) > MAX_TRACKED:
                self.buckets.pop(next(iter(self.buckets)))
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise TooManyRequestsError(f"{what}: too many requests; retry in {wait} s", wait)
