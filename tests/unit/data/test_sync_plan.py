"""Planning an incremental sync: only what the store lacks, only closed candles."""

from __future__ import annotations

import pandas as pd

from tradingia.core.timeframes import Timeframe
from tradingia.data.gaps import Gap
from tradingia.data.stores.base import SeriesSummary
from tradingia.data.sync import SyncReport, closed_until, plan_sync, run_sync

TF = Timeframe.M5
NOW = pd.Timestamp("2025-03-10 12:07:30", tz="UTC")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def summary(first: str, last: str) -> SeriesSummary:
    return SeriesSummary("BTCUSDT", TF, ts(first), ts(last), 100)


def test_candle_still_forming_is_excluded() -> None:
    assert closed_until(NOW, TF) == ts("2025-03-10 12:05")


def test_first_sync_starts_at_since_and_stops_before_the_forming_candle() -> None:
    windows = plan_sync(None, (), TF, NOW, since=ts("2025-03-01 00:02"))
    assert [(w.start, w.end, w.reason) for w in windows] == [
        (ts("2025-03-01 00:00"), ts("2025-03-10 12:05"), "initial")
    ]


def test_first_sync_without_since_takes_thirty_days() -> None:
    (window,) = plan_sync(None, (), TF, NOW)
    assert window.end - window.start == pd.Timedelta(days=30)


def test_sync_resumes_after_the_last_stored_candle() -> None:
    windows = plan_sync(summary("2025-03-01", "2025-03-10 11:00"), (), TF, NOW)
    assert [(w.start, w.end, w.reason) for w in windows] == [
        (ts("2025-03-10 11:05"), ts("2025-03-10 12:05"), "new")
    ]


def test_up_to_date_store_asks_for_nothing() -> None:
    assert plan_sync(summary("2025-03-01", "2025-03-10 12:00"), (), TF, NOW) == []


def test_recent_gaps_are_backfilled_and_old_ones_left_alone() -> None:
    old = Gap(ts("2025-03-01 01:00"), ts("2025-03-01 01:10"), 3)
    recent = Gap(ts("2025-03-09 10:00"), ts("2025-03-09 10:05"), 2)
    windows = plan_sync(summary("2025-03-01", "2025-03-10 12:00"), (old, recent), TF, NOW)
    assert [(w.start, w.end, w.reason) for w in windows] == [
        (ts("2025-03-09 10:00"), ts("2025-03-09 10:10"), "backfill")
    ]


def test_since_before_first_stored_candle_backfills_the_head_and_older_gaps() -> None:
    old = Gap(ts("2025-03-01 01:00"), ts("2025-03-01 01:10"), 3)
    windows = plan_sync(summary("2025-03-01", "2025-03-10 12:00"), (old,), TF, NOW,
                        since=ts("2025-02-20"))
    assert [(w.start, w.end, w.reason) for w in windows] == [
        (ts("2025-02-20"), ts("2025-03-01"), "backfill"),
        (ts("2025-03-01 01:00"), ts("2025-03-01 01:15"), "backfill"),
    ]


class _SummaryOnlyStore:
    """A store that only answers `summary`: a sync with no windows must not write."""

    def __init__(self, summary: SeriesSummary | None) -> None:
        self._summary = summary

    def summary(self, symbol: str, timeframe: Timeframe) -> SeriesSummary | None:
        return self._summary


class _NoPagesSource:
    def iter_pages(self, *args: object) -> object:
        raise AssertionError("no window, no request")


def test_sync_with_no_windows_reports_the_stored_last_candle() -> None:
    stored = summary("2025-03-01", "2025-03-10 12:00")
    report = run_sync(_SummaryOnlyStore(stored), _NoPagesSource(), "BTCUSDT", TF, [])  # type: ignore[arg-type]
    assert report == SyncReport("BTCUSDT", TF, windows=[], last=ts("2025-03-10 12:00"))
    empty = run_sync(_SummaryOnlyStore(None), _NoPagesSource(), "BTCUSDT", TF, [])  # type: ignore[arg-type]
    assert empty == SyncReport("BTCUSDT", TF)
