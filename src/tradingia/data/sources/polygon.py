"""Polygon.io aggregates (`/v2/aggs/ticker/...`) over httpx: keyed, paginated, retried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
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

DEFAULT_BASE_URL = "https://api.polygon.io"
MAX_LIMIT = 50_000  # Polygon's cap on base (minute) aggregates per request
# timeframe -> (multiplier, timespan) of the aggregates path
_RANGES: dict[Timeframe, tuple[int, str]] = {
    Timeframe.M1: (1, "minute"), Timeframe.M5: (5, "minute"), Timeframe.M15: (15, "minute"),
    Timeframe.M30: (30, "minute"), Timeframe.H1: (1, "hour"), Timeframe.H4: (4, "hour"),
    Timeframe.D1: (1, "day"), Timeframe.W1: (1, "week"),
}
_KEY_HINT = "check TRADINGIA_POLYGON_API_KEY (and that your plan covers this market)"


class PolygonSource:
    """Polygon.io candles for `iter_pages` (see `CandleSource`).

    Intraday ranges are requested in windows of at most 50,000 minutes (Polygon's `limit`
    counts base minute aggregates); each response is one page, and `next_url` is followed,
    re-based on `base_url` so the key only ever goes to the configured host. 429 (honouring
    `Retry-After`), 5xx and network errors are retried with back-off.
    """

    name = "polygon"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.Client | None = None,
        timeout_seconds: float = 30.0,
        policy: RetryPolicy = RetryPolicy(base_delay=2.0),
        sleep: SleepFn = time.sleep,
    ) -> None:
        if not api_key:
            raise ConfigError("Polygon needs an API key: set TRADINGIA_POLYGON_API_KEY.")
        self._key = api_key
        self._base = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout_seconds)
        self._owns_client = client is None
        self._policy = policy
        self._sleep = sleep

    def close(self) -> None:
        """Close the HTTP client if this source created it."""
        if self._owns_client:
            self._client.close()

    def iter_pages(
        self, symbol: str, timeframe: Timeframe, start: pd.Timestamp, end: pd.Timestamp
    ) -> Iterator[pd.DataFrame]:
        """Yield closed candles with open time in [start, end - one candle], page by page."""
        ticker = get_symbol(symbol).ticker("polygon")
        multiplier, timespan = _RANGES[timeframe]
        last_open = last_closed_open(timeframe, end)
        for window_start, window_end in _windows(utc(start), last_open, timespan):
            url: str | None = (
                f"{self._base}/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/"
                f"{epoch_ms(window_start)}/{epoch_ms(window_end)}"
            )
            params: dict[str, str | int] = {"adjusted": "true", "sort": "asc",
                                            "limit": MAX_LIMIT}
            while url is not None:
                body = self._get(url, params, f"Polygon {ticker} {timeframe} aggregates")
                results = body.get("results") or []
                page = candle_page(
                    [r["t"] for r in results],
                    [[r["o"], r["h"], r["l"], r["c"], r.get("v", 0.0)] for r in results],
                    start=window_start, last_open=window_end,
                )
                if not page.empty:
                    yield page
                next_url = self._next(body.get("next_url"))
                if next_url == url:
                    raise SourceError(f"Polygon sent {ticker} next_url {url} twice.")
                url, params = next_url, {}

    def _next(self, next_url: str | None) -> str | None:
        """`next_url` moved onto the configured base URL (same path and cursor)."""
        if not next_url:
            return None
        parts = urlsplit(next_url)
        return f"{self._base}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def _get(self, url: str, params: dict[str, str | int], what: str) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            try:
                # the key is merged into the URL's own query (next_url carries a cursor)
                full = httpx.URL(url).copy_merge_params({**params, "apiKey": self._key})
                response = self._client.get(full)
            except httpx.TransportError as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from exc
            return _json_or_raise(response, what)

        return call_with_retries(attempt, what=what, policy=self._policy, sleep=self._sleep)


def _json_or_raise(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON body of a 2xx answer; TransientError for 429 / 5xx, SourceError otherwise."""
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientError(f"HTTP {status} {_error_text(response)}",
                             parse_retry_after(response.headers.get("Retry-After")))
    if status in (401, 403):
        raise SourceError(f"{what}: Polygon refused the request (HTTP {status}: "
                          f"{_error_text(response)}); {_KEY_HINT}.")
    if status >= 400:
        raise SourceError(f"{what}: Polygon answered HTTP {status}: {_error_text(response)}.")
    try:
        body = response.json()
    except ValueError as exc:
        raise SourceError(f"{what}: Polygon answered something that is not JSON.") from exc
    if not isinstance(body, dict) or body.get("status") not in ("OK", "DELAYED"):
        raise SourceError(f"{what}: unexpected Polygon answer {str(body)[:200]!r}.")
    return body


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)[:200]
    return str(body)[:200]


def _windows(
    start: pd.Timestamp, last_open: pd.Timestamp, timespan: str
) -> Iterator[tuple[pd.Timestamp, pd.Timestamp]]:
    """[from, to] request windows (both inclusive) of at most MAX_LIMIT base minutes."""
    step = pd.Timedelta(minutes=MAX_LIMIT) if timespan in ("minute", "hour") else None
    while start <= last_open:
        window_end = last_open if step is None else min(last_open, start + step)
        yield start, window_end
        start = window_end + pd.Timedelta(milliseconds=1)
