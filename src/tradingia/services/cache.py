"""Prediction cache: in-process TTL cache by default, Redis when `TRADINGIA_REDIS_URL` is set.

Both implement the narrow `Cache` protocol. A prediction is keyed by (symbol, timeframe,
horizon, candle time) and expires when the next candle closes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import pandas as pd

from tradingia.core.settings import Settings
from tradingia.core.timeframes import Timeframe

KEY_PREFIX = "tradingia:"


class Cache(Protocol):
    """Bytes by key, each with its own time to live."""

    kind: str

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None: ...

    async def incr(self, key: str, ttl_seconds: float) -> int: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """A bounded in-process TTL cache (least recently set entries evicted first)."""

    kind = "memory"

    def __init__(self, max_entries: int = 10_000,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries
        self._monotonic = monotonic

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= self._monotonic():
            self._data.pop(key, None)
            return None
        return item[1]

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` for `ttl_seconds` (nothing stored when the TTL is not positive)."""
        if ttl_seconds <= 0:
            return
        self._data[key] = (self._monotonic() + ttl_seconds, value)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def incr(self, key: str, ttl_seconds: float) -> int:
        """Add one to a counter that expires `ttl_seconds` after it was created."""
        item = self._data.get(key)
        now = self._monotonic()
        if item is None or item[0] <= now:
            expires, count = now + ttl_seconds, 1
        else:
            expires, count = item[0], int(item[1]) + 1
        self._data[key] = (expires, str(count).encode())
        return count

    async def ping(self) -> None:
        """Always reachable."""

    async def close(self) -> None:
        """Drop every entry."""
        self._data.clear()


class RedisCache:
    """Redis-backed cache (`redis.asyncio`), keys prefixed with `tradingia:`."""

    kind = "redis"

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.from_url(url)

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        value = await self._client.get(KEY_PREFIX + key)
        if value is None:
            return None
        return value.encode() if isinstance(value, str) else bytes(value)

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        """Store `value` with a millisecond TTL (nothing stored when it is not positive)."""
        ms = int(ttl_seconds * 1000)
        if ms > 0:
            await self._client.set(KEY_PREFIX + key, value, px=ms)

    async def incr(self, key: str, ttl_seconds: float) -> int:
        """Add one to a counter that expires `ttl_seconds` after it was created."""
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(KEY_PREFIX + key)
            pipe.expire(KEY_PREFIX + key, max(1, int(ttl_seconds + 0.999)), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def ping(self) -> None:
        """Raise when Redis does not answer."""
        await self._client.ping()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def make_cache(settings: Settings, seconds: Callable[[], float] = time.monotonic) -> Cache:
    """Redis when `redis_url` is set, otherwise the in-process cache (timed by `seconds`)."""
    return RedisCache(settings.redis_url) if settings.redis_url else MemoryCache(
        monotonic=seconds)


def last_closed_candle(now: pd.Timestamp, timeframe: Timeframe) -> pd.Timestamp:
    """Open time of the last candle that has closed at `now`."""
    return timeframe.floor(now) - timeframe.delta


def seconds_until_next_close(now: pd.Timestamp, timeframe: Timeframe) -> float:
    """Seconds from `now` until the candle now forming closes."""
    return float((timeframe.floor(now) + timeframe.delta - now).total_seconds())


def prediction_key(symbol: str, timeframe: Timeframe, horizon: int,
                   candle: pd.Timestamp | int) -> str:
    """Cache key of the prediction at `candle` (its open time, or that in epoch seconds)."""
    seconds = candle if isinstance(candle, int) else int(candle.timestamp())
    return f"prediction:{symbol}:{timeframe.value}:{horizon}:{seconds}"
