"""Market-data use cases: import, sync, gaps, resample, show.

The one place that reads settings and wires stores and sources for data work; the CLI, the
API, the jobs and the agent's tools all call these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tradingia.core.errors import NotFoundError
from tradingia.core.settings import Settings, get_settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import calendar_for
from tradingia.data.fill import FillResult, fill_gaps
from tradingia.data.gaps import Gap, GapReport, find_gaps, iso_utc
from tradingia.data.resample import resample_candles
from tradingia.data.sources import make_source, read_candle_file
from tradingia.data.sources.base import CandleSource
from tradingia.data.stores import open_candle_store
from tradingia.data.stores.base import CandleStore, SeriesSummary, WriteResult
from tradingia.data.sync import SyncReport, backfill_horizon, plan_sync, run_sync
from tradingia.data.validation import validate_candles

ProgressFn = Callable[[int], None]
log = logging.getLogger(__name__)


@contextmanager
def candle_store(settings: Settings | None = None) -> Iterator[CandleStore]:
    """Open the configured candle store (DuckDB embedded, PostgreSQL in server mode)."""
    store = open_candle_store(settings or get_settings())
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Outcome of an import: rows read, repairs applied, and what the store did."""

    symbol: str
    timeframe: Timeframe
    rows_read: int
    repairs: tuple[str, ...]
    written: WriteResult
    summary: SeriesSummary | None


def canonical_symbol(symbol: str) -> str:
    """Canonical name of a symbol ('btc/usdt' -> 'BTCUSDT'); unknown ones raise with the list."""
    return get_symbol(symbol).name


def import_candles(
    store: CandleStore,
    candles: pd.DataFrame,
    symbol: str,
    timeframe: Timeframe,
    *,
    repair: bool = False,
) -> ImportReport:
    """Validate candles where they enter, then upsert them in one transaction.

    A frame that breaks the contract raises DataValidationError before the store is touched;
    with `repair` the fixes are applied and listed in the report.
    """
    name = canonical_symbol(symbol)
    checked = validate_candles(candles, timeframe, repair=repair)
    written = store.write(name, timeframe, checked.candles)
    return ImportReport(
        symbol=name,
        timeframe=timeframe,
        rows_read=len(candles),
        repairs=checked.repairs,
        written=written,
        summary=store.summary(name, timeframe),
    )


def import_file(
    store: CandleStore, path: Path, symbol: str, timeframe: Timeframe, *, repair: bool = False
) -> ImportReport:
    """Read a CSV / CSV.gz / Parquet / MT4 export and import it (see `import_candles`)."""
    candles = read_candle_file(path, timeframe)
    return import_candles(store, candles, symbol, timeframe, repair=repair)


def series_gaps(
    store: CandleStore,
    symbol: str,
    timeframe: Timeframe,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> GapReport:
    """Missing candles of a stored series, judged by its asset class's trading calendar."""
    name = canonical_symbol(symbol)
    summary = require_series(store, name, timeframe)
    candles = store.read(name, timeframe, start, end)
    calendar = calendar_for(get_symbol(name).asset_class)
    return find_gaps(
        candles.index, timeframe, calendar,
        start=start if start is not None else summary.first,
        end=end if end is not None else summary.last + timeframe.delta,
        symbol=name,
    )


def require_series(store: CandleStore, symbol: str, timeframe: Timeframe) -> SeriesSummary:
    """Summary of a stored series, or NotFoundError saying how to get it."""
    summary = store.summary(symbol, timeframe)
    if summary is None:
        stored = ", ".join(f"{s.symbol} {s.timeframe.value}" for s in store.series()) or "none"
        raise NotFoundError(
            f"No {symbol} {timeframe.value} candles stored (stored series: {stored}). "
            f"Import some with `tradingia data import PATH --symbol {symbol} "
            f"--timeframe {timeframe.value}` or `tradingia data sync`."
        )
    return summary


def resample_series(
    store: CandleStore, symbol: str, source: Timeframe, target: Timeframe
) -> ImportReport:
    """Build `target` candles from stored `source` candles and store them (idempotent)."""
    name = canonical_symbol(symbol)
    require_series(store, name, source)
    lower = store.read(name, source)
    higher = resample_candles(lower, target, source=source)
    return import_candles(store, higher, name, target)


def show_series(store: CandleStore, symbol: str, timeframe: Timeframe) -> dict[str, Any]:
    """First and last candle, row count, and the last candle's values."""
    name = canonical_symbol(symbol)
    summary = require_series(store, name, timeframe)
    last = store.read(name, timeframe, start=summary.last)
    row = last.iloc[-1]
    return {
        "symbol": name,
        "timeframe": timeframe.value,
        "first": iso_utc(summary.first),
        "last": iso_utc(summary.last),
        "rows": summary.rows,
        "last_candle": {"timestamp": iso_utc(summary.last),
                        **{k: float(row[k]) for k in last.columns}},
    }


def sync_series(
    store: CandleStore,
    symbol: str,
    timeframe: Timeframe,
    *,
    now: pd.Timestamp,
    source: CandleSource | None = None,
    source_name: str = "binance",
    since: pd.Timestamp | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
) -> SyncReport:
    """Fetch what the store lacks: new candles since the last one, and recent gaps."""
    name = canonical_symbol(symbol)
    venue = source or make_source(source_name, settings or get_settings())
    summary = store.summary(name, timeframe)
    gaps: tuple[Gap, ...] = ()
    if summary is not None:  # scan only the span whose gaps the plan would back-fill
        scan_from = max(timeframe.floor(backfill_horizon(summary, since)), summary.first)
        gaps = series_gaps(store, name, timeframe, start=scan_from).gaps
    windows = plan_sync(summary, gaps, timeframe, now, since)
    return run_sync(store, venue, name, timeframe, windows, progress)


def fill_series(
    store: CandleStore,
    symbol: str,
    timeframe: Timeframe,
    *,
    max_gap: int | None = None,
    dry_run: bool = False,
) -> FillResult:
    """Fill a stored series' calendar gaps with flat candles at the previous close (volume 0).

    Explicit and logged, never silent: every filled and skipped gap is logged, and only the
    new flat candles are written (existing candles are never touched). Gaps longer than
    `max_gap` candles are left alone and reported.
    """
    name = canonical_symbol(symbol)
    require_series(store, name, timeframe)
    candles = store.read(name, timeframe)
    calendar = calendar_for(get_symbol(name).asset_class)
    result = fill_gaps(candles, timeframe, calendar, max_gap=max_gap)
    for line in result.log_lines():
        log.info("%s %s: %s", name, timeframe.value, line)
    if not dry_run and result.rows_filled:
        added = result.candles.loc[~result.candles.index.isin(candles.index)]
        store.write(name, timeframe, added)
    return result
