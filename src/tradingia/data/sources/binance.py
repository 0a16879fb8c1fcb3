"""Binance spot klines through ccxt: public, no key, paginated, rate-limit aware, retried.

ccxt is an optional extra (`pip install tradingia[exchange]`), imported when a source is built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import pandas as pd

from tradingia.core.errors import ConfigError, SourceError
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources._pages import candle_page, epoch_ms, last_closed_open, utc
from tradingia.data.sources.retry import (
    RetryPolicy,
    SleepFn,
    TransientError,
    call_with_retries,
    parse_retry_after,
)

T = TypeVar("T")
PAGE_LIMIT = 1000  # Binance's maximum klines per spot request
_REST_APIS = ("public", "private", "v1")  # the spot REST roots, all under /api


class BinanceSource:
    """Binance spot candles for `iter_pages` (see `CandleSource`).

    Each page is one `fetch_ohlcv` call of up to 1000 candles; the next page starts one candle
    after the last one received, so a caller that stores every page can restart from any
    `start`. Rate limits, 5xx and network failures are retried with back-off (honouring
    `Retry-After`); `base_url` points the client at a mirror or a test server.
    """

    name = "binance"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout_seconds: float = 30.0,
        policy: RetryPolicy = RetryPolicy(),
        sleep: SleepFn = time.sleep,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        try:
            import ccxt
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise ConfigError(
                "The Binance source needs ccxt: pip install 'tradingia[exchange]'."
            ) from None
        self._ccxt = ccxt
        self._exchange = ccxt.binance({
            "enableRateLimit": True,
            "timeout": int(timeout_seconds * 1000),
            "options": {
                "defaultType": "spot",
                "fetchMarkets": {"types": ["spot"]},  # no futures / options endpoints
                "fetchMargins": False,
                "fetchCurrencies": False,
            },
        })
        if base_url:
            root = base_url.rstrip("/")
            apis = self._exchange.urls["api"]
            for key in _REST_APIS:
                apis[key] = f"{root}/api/{apis[key].rsplit('/', 1)[-1]}"
        self._policy = policy
        self._sleep = sleep
        self._limit = page_limit

    def iter_pages(
        self, symbol: str, timeframe: Timeframe, start: pd.Timestamp, end: pd.Timestamp
    ) -> Iterator[pd.DataFrame]:
        """Yield closed candles with open time in [start, end - one candle], page by page."""
        ticker = get_symbol(symbol).ticker("binance")
        last_open = last_closed_open(timeframe, end)
        since, until = epoch_ms(start), epoch_ms(last_open)
        if since > until:
            return
        self._call(f"Binance markets for {ticker}", self._exchange.load_markets)
        while since <= until:
            rows: list[list[Any]] = self._call(
                f"Binance {ticker} {timeframe} klines from {pd.Timestamp(since, unit='ms')}",
                partial(self._exchange.fetch_ohlcv, ticker, timeframe.value, since=since,
                        limit=self._limit, params={"until": until}),
            )
            if not rows:
                return
            page = candle_page([r[0] for r in rows], [r[1:6] for r in rows],
                               start=utc(start), last_open=last_open)
            if not page.empty:
                yield page
            next_since = int(rows[-1][0]) + int(timeframe.delta.total_seconds() * 1000)
            if next_since <= since:  # a venue that ignores startTime would loop forever
                raise SourceError(f"Binance returned {ticker} klines before {since} again.")
            since = next_since

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """Run one ccxt call, retrying its transient failures; others become SourceError."""
        ccxt = self._ccxt

        def attempt() -> T:
            try:
                return call()
            except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as exc:  # 429 / 418
                raise TransientError(str(exc), self._retry_after()) from exc
            except ccxt.OperationFailed as exc:  # network, timeouts, 5xx, "internal error"
                raise TransientError(str(exc)) from exc
            except ccxt.BadSymbol as exc:
                raise SourceError(f"{what}: Binance spot does not list it ({exc}).") from exc
            except ccxt.BaseError as exc:
                raise SourceError(f"{what} failed: {exc}") from exc

        return call_with_retries(attempt, what=what, policy=self._policy, sleep=self._sleep)

    def _retry_after(self) -> float | None:
        """The `Retry-After` seconds of the rate-limit answer just received, if any."""
        headers = self._exchange.last_response_headers or {}
        return parse_retry_after(headers.get("Retry-After"))
