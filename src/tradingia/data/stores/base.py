"""The one narrow interface every candle store implements (DuckDB embedded, PostgreSQL server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pandas as pd

from tradingia.core.timeframes import Timeframe


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What an upsert did: rows new to the store, rows whose values changed, rows already equal."""

    inserted: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """First and last candle open time and row count of one stored (symbol, timeframe)."""

    symbol: str
    timeframe: Timeframe
    first: pd.Timestamp
    last: pd.Timestamp
    rows: int


@runtime_checkable
class CandleStore(Protocol):
    """Stores candle frames per (symbol, timeframe).

    `write` is an idempotent upsert inside one transaction: writing the same frame twice changes
    nothing, and a write that fails leaves the store exactly as it was. `read` returns the candle
    frame of DESIGN.md (UTC `timestamp` index, float64 OHLCV, increasing), empty when nothing
    matches. `start` is inclusive, `end` exclusive.
    """

    def write(self, symbol: str, timeframe: Timeframe, candles: pd.DataFrame) -> WriteResult: ...

    def read(
        self,
        symbol: str,
        timeframe: Timeframe,
        start: pd.Timestamp | None = None,
        end: pd.Timestamp | None = None,
    ) -> pd.DataFrame: ...

    def summary(self, symbol: str, timeframe: Timeframe) -> SeriesSummary | None: ...

    def series(self) -> list[SeriesSummary]: ...

    def delete(self, symbol: str, timeframe: Timeframe) -> int: ...

    def close(self) -> None: ...
