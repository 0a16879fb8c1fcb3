"""Cache TTLs and keys, rate limits and API keys, without a server."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest

from tradingia.api.auth import KeyChecker
from tradingia.api.errors import ApiError
from tradingia.api.ratelimit import RateLimit, RateLimiter
from tradingia.core.errors import ConfigError
from tradingia.core.timeframes import Timeframe
from tradingia.services.cache import (
    MemoryCache,
    last_closed_candle,
    prediction_key,
    seconds_until_next_close,
)
from tradingia.services.engine import MLEngine


class Tick:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_memory_cache_forgets_a_value_when_its_ttl_ends() -> None:
    tick = Tick()
    cache = MemoryCache(monotonic=tick)
    asyncio.run(cache.set("k", b"v", 10))
    tick.t += 9.9
    assert asyncio.run(cache.get("k")) == b"v"
    tick.t += 0.1
    assert asyncio.run(cache.get("k")) is None


def test_memory_cache_evicts_the_oldest_beyond_its_size() -> None:
    cache = MemoryCache(max_entries=2)
    for key in ("a", "b", "c"):
        asyncio.run(cache.set(key, key.encode(), 60))
    assert [asyncio.run(cache.get(k)) for k in ("a", "b", "c")] == [None, b"b", b"c"]


def test_counter_restarts_after_its_window() -> None:
    tick = Tick()
    cache = MemoryCache(monotonic=tick)
    assert [asyncio.run(cache.incr("n", 60)) for _ in range(3)] == [1, 2, 3]
    tick.t += 60
    assert asyncio.run(cache.incr("n", 60)) == 1


def test_prediction_expires_when_the_next_candle_closes() -> None:
    now = pd.Timestamp("2026-03-02 10:07:30", tz="UTC")
    assert last_closed_candle(now, Timeframe.M5) == pd.Timestamp("2026-03-02 10:00", tz="UTC")
    assert seconds_until_next_close(now, Timeframe.M5) == 150.0
    assert seconds_until_next_close(now, Timeframe.H1) == 52 * 60 + 30


def test_prediction_key_names_symbol_timeframe_horizon_and_candle() -> None:
    candle = pd.Timestamp("2026-03-02 10:00", tz="UTC")
    assert prediction_key("BTCUSDT", Timeframe.M5, 12, candle) == (
        f"prediction:BTCUSDT:5m:12:{int(candle.timestamp())}")
    assert prediction_key("BTCUSDT", Timeframe.M5, 12, int(candle.timestamp())) == (
        prediction_key("BTCUSDT", Timeframe.M5, 12, candle))


def test_the_engine_caches_under_prediction_key_at_the_last_closed_candle() -> None:
    engine = MLEngine.__new__(MLEngine)  # only the key and its window memo are exercised
    engine._windows = {}
    now = pd.Timestamp("2026-03-02 10:07:30", tz="UTC")
    assert engine._key("BTCUSDT", Timeframe.M5, 12, now.timestamp()) == prediction_key(
        "BTCUSDT", Timeframe.M5, 12, pd.Timestamp("2026-03-02 10:00", tz="UTC"))


@pytest.mark.parametrize(("text", "limit"), [("100/minute", RateLimit(100, 60)),
                                             ("5 / second", RateLimit(5, 1)),
                                             ("0", RateLimit(0, 60))])
def test_rate_limit_parses_count_per_period(text: str, limit: RateLimit) -> None:
    assert RateLimit.parse(text) == limit


def test_rate_limit_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="100/minute"):
        RateLimit.parse("lots")


def test_limiter_answers_429_with_seconds_until_the_window_ends() -> None:
    limiter = RateLimiter(MemoryCache(), wall=lambda: 120.0 + 45.2)
    for _ in range(2):
        asyncio.run(limiter.hit("prediction", "key", RateLimit(2, 60)))
    with pytest.raises(ApiError) as refused:
        asyncio.run(limiter.hit("prediction", "key", RateLimit(2, 60)))
    assert refused.value.status == 429 and refused.value.headers == {"Retry-After": "15"}
    asyncio.run(limiter.hit("prediction", "other-key", RateLimit(2, 60)))


def test_server_refuses_to_start_without_keys_outside_dev() -> None:
    with pytest.raises(ConfigError, match="TRADINGIA_API_KEYS"):
        KeyChecker([])
    assert KeyChecker([], dev=True).check(None) == "dev"


def test_key_checker_accepts_any_configured_key_and_hides_it() -> None:
    checker = KeyChecker(["alpha", "beta"])
    assert checker.check("beta") != "beta" and len(checker.check("alpha")) == 16
    for bad in (None, "", "alph", "alpha "):
        with pytest.raises(ApiError) as refused:
            checker.check(bad)
        assert refused.value.status == 401
