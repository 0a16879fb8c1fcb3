"""The one narrow interface every remote candle source implements (Binance via ccxt, Polygon)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import pandas as pd

from tradingia.core.timeframes import Timeframe


@runtime_checkable
class CandleSource(Protocol):
    """Fetches closed candles from a venue, page by page.

    `iter_pages` yields candle frames (contract of DESIGN.md, unvalidated beyond parsing) in time
    order from `start` (inclusive) to `end` (exclusive). Yielding per page lets the caller store
    each page as it arrives, so an interrupted sync resumes from the last stored candle.
    Only candles that have closed by `end` are returned. Retries with back-off on 429 / 5xx and
    raises SourceError when retries are exhausted.
    """

    name: str

    def iter_pages(
        self, symbol: str, timeframe: Timeframe, start: pd.Timestamp, end: pd.Timestamp
    ) -> Iterator[pd.DataFrame]: ...
