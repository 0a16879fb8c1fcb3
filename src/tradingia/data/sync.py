"""Incremental sync: fetch only what a store lacks from a venue, page by page.

Pure planning (`plan_sync`) is kept apart from the loop that runs it (`run_sync`), and time is
passed in: this module never calls `now()` and never opens a connection on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from tradingia.core.errors import UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data.gaps import Gap, iso_utc
from tradingia.data.sources.base import CandleSource
from tradingia.data.stores.base import CandleStore, SeriesSummary
from tradingia.data.validation import validate_candles

DEFAULT_FIRST_SYNC = pd.Timedelta(days=30)
DEFAULT_BACKFILL_LOOKBACK = pd.Timedelta(days=7)


@dataclass(frozen=True, slots=True)
class SyncWindow:
    """A half-open time range [start, end) to fetch, and why."""

    start: pd.Timestamp
    end: pd.Timestamp
    reason: str  # "new", "initial" or "backfill"


@dataclass(slots=True)
class SyncReport:
    """What a sync did: windows asked for, candles received, rows inserted / updated."""

    symbol: str
    timeframe: Timeframe
    windows: list[SyncWindow] = field(default_factory=list)
    received: int = 0
    inserted: int = 0
    updated: int = 0
    last: pd.Timestamp | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary for the CLI and the job log."""
        return {
            "symbol": self.symbol,
            "timeframe": self.timeframe.value,
            "windows": [
                {"start": iso_utc(w.start), "end": iso_utc(w.end), "reason": w.reason}
                for w in self.windows
            ],
            "received": self.received,
            "inserted": self.inserted,
            "updated": self.updated,
            "last": None if self.last is None else iso_utc(self.last),
        }


def closed_until(now: pd.Timestamp, timeframe: Timeframe) -> pd.Timestamp:
    """Exclusive bound of closed candles at `now`: the open time of the candle still forming."""
    return timeframe.floor(now)


def plan_sync(
    summary: SeriesSummary | None,
    gaps: Sequence[Gap],
    timeframe: Timeframe,
    now: pd.Timestamp,
    since: pd.Timestamp | None = None,
    backfill_lookback: pd.Timedelta = DEFAULT_BACKFILL_LOOKBACK,
) -> list[SyncWindow]:
    """Windows to fetch: from the last stored candle to `now`, plus recent gaps to back-fill.

    With nothing stored, the series starts at `since` (default: 30 days before `now`).
    Gaps back-filled are those starting after `since` when given, otherwise within
    `backfill_lookback` of the last stored candle, so an outage the venue cannot fill is not
    asked for again every five minutes forever.
    """
    end = closed_until(now, timeframe)
    if summary is None:
        start = timeframe.floor(since) if since is not None else end - DEFAULT_FIRST_SYNC
        return [SyncWindow(start, end, "initial")] if start < end else []
    windows: list[SyncWindow] = []
    if since is not None and since < summary.first:
        start = timeframe.floor(since)
        windows.append(SyncWindow(start, summary.first, "backfill"))
    horizon = backfill_horizon(summary, since, backfill_lookback)
    for gap in gaps:
        if gap.end >= horizon:
            windows.append(SyncWindow(gap.start, gap.end + timeframe.delta, "backfill"))
    nxt = summary.last + timeframe.delta
    if nxt < end:
        windows.append(SyncWindow(nxt, end, "new"))
    return windows


def backfill_horizon(
    summary: SeriesSummary,
    since: pd.Timestamp | None = None,
    lookback: pd.Timedelta = DEFAULT_BACKFILL_LOOKBACK,
) -> pd.Timestamp:
    """Gaps ending before this time are not asked for again (see `plan_sync`)."""
    return since if since is not None else summary.last - lookback


ProgressFn = Callable[[int], None]


def run_sync(
    store: CandleStore,
    source: CandleSource,
    symbol: str,
    timeframe: Timeframe,
    windows: Sequence[SyncWindow],
    progress: ProgressFn | None = None,
) -> SyncReport:
    """Fetch each window page by page, validate each page, and upsert it as it arrives.

    Each page is its own transaction, so an interrupted sync keeps what it stored and the
    next run resumes from the last stored candle.
    """
    report = SyncReport(symbol, timeframe, windows=list(windows))
    for window in windows:
        if window.start >= window.end:
            raise UnsupportedError(f"empty sync window {window.start} .. {window.end}")
        for page in source.iter_pages(symbol, timeframe, window.start, window.end):
            if page.empty:
                continue
            candles = validate_candles(page, timeframe).candles
            result = store.write(symbol, timeframe, candles)
            report.received += len(candles)
            report.inserted += result.inserted
            report.updated += result.updated
            if progress is not None:
                progress(len(candles))
    summary = store.summary(symbol, timeframe)
    report.last = None if summary is None else summary.last
    return report
