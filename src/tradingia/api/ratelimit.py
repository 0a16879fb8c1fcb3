"""Per-key rate limits in fixed windows: in-process, or in Redis when the cache is Redis."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from tradingia.api.errors import ApiError
from tradingia.services.cache import Cache

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """`count` requests per `period_seconds`; a count of 0 disables the limit."""

    count: int
    period_seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'100/minute', '10/second', '0' (off)."""
        if text.strip() == "0":
            return cls(0, 60)
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(second|minute|hour|day)\s*", text)
        if match is None:
            raise ValueError(f"bad rate limit {text!r}: use e.g. '100/minute' or '0' for none")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    def __str__(self) -> str:
        return "off" if self.count == 0 else f"{self.count} per {self.period_seconds}s"


class RateLimiter:
    """Counts requests per (scope, key id, window) in the engine's cache."""

    def __init__(self, cache: Cache, wall: Callable[[], float] = time.time) -> None:
        self._cache, self._wall = cache, wall

    async def hit(self, scope: str, key_id: str, limit: RateLimit) -> None:
        """Count one request; ApiError 429 with Retry-After once the window is used up."""
        if limit.count == 0:
            return
        now = self._wall()
        window = int(now // limit.period_seconds)
        used = await self._cache.incr(f"ratelimit:{scope}:{key_id}:{window}",
                                      limit.period_seconds)
        if used > limit.count:
            retry = max(1, math.ceil((window + 1) * limit.period_seconds - now))
            raise ApiError(
                429, "RateLimited",
                f"Rate limit of {limit.count} {scope} requests per {limit.period_seconds}s "
                f"exceeded; retry in {retry}s.",
                headers={"Retry-After": str(retry)},
            )
