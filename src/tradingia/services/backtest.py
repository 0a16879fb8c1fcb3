"""Backtest use case: load candles (store or file) and signals, run, write the report folder.

The one place that reads settings and opens the candle store for backtests; the CLI, the API
and the demo call `run_backtest_job`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradingia.backtest import BacktestConfig, BacktestResult, read_signals_csv, run_backtest
from tradingia.backtest.metrics import compute_metrics
from tradingia.backtest.report import write_report
from tradingia.core.errors import ConfigError, DataValidationError, NotFoundError
from tradingia.core.settings import Settings, get_settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources import read_candle_file
from tradingia.data.validation import validate_candles

StepFn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """What to backtest and where to write the report."""

    symbol: str
    timeframe: Timeframe
    report_dir: Path
    config: BacktestConfig
    signals_path: Path | None = None
    preset: str | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    data_path: Path | None = None
    finer_data_path: Path | None = None


@dataclass(frozen=True, slots=True)
class BacktestOutcome:
    """The run, its metrics and the files written."""

    result: BacktestResult
    metrics: dict[str, Any]
    files: dict[str, Path]


def run_backtest_job(job: BacktestJob, settings: Settings | None = None,
                     on_step: StepFn | None = None) -> BacktestOutcome:
    """Load, check, simulate and report; raises a TradingiaError saying what was wrong."""
    step = on_step or (lambda _msg: None)
    symbol = get_symbol(job.symbol).name
    if job.preset is not None and job.signals_path is not None:
        raise ConfigError("Give either --preset or --signals, not both.")
    if job.preset is not None:
        raise NotFoundError(
            f"No trained models for preset {job.preset!r} on {symbol} {job.timeframe}: "
            "run `tradingia train` first (or pass --signals FILE)."
        )
    if job.signals_path is None:
        raise ConfigError("Nothing to trade: pass --signals FILE (or --preset NAME).")
    step("reading candles")
    candles, finer = load_candles(job, symbol, settings)
    step(f"reading signals from {job.signals_path}")
    signals = _inside(read_signals_csv(job.signals_path), job.start, job.end)
    step(f"simulating {len(signals)} signals on {len(candles)} candles")
    result = run_backtest(candles, signals, job.config, finer_candles=finer)
    step("computing metrics")
    metrics = compute_metrics(result)
    metrics["symbol"], metrics["timeframe"] = symbol, job.timeframe.value
    step(f"writing the report to {job.report_dir}")
    files = write_report(result, metrics, job.report_dir,
                         title=f"Backtest {symbol} {job.timeframe}")
    return BacktestOutcome(result=result, metrics=metrics, files=files)


def load_candles(job: BacktestJob, symbol: str,
                 settings: Settings | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Candles from `--data` or the store, and finer candles (file, or the finest stored)."""
    if job.data_path is not None:
        candles = _from_file(job.data_path, job.timeframe)
        finer = None
        if job.finer_data_path is not None:
            finer = _from_file(job.finer_data_path, None)
    else:
        candles, finer = _from_store(symbol, job, settings or get_settings())
    candles = _inside(candles, job.start, job.end)
    if len(candles) == 0:
        raise NotFoundError(
            f"No {symbol} {job.timeframe} candles between {job.start or 'the start'} and "
            f"{job.end or 'the end'}: import them with `tradingia data import` or widen the span."
        )
    if finer is not None:
        finer = _inside(finer, candles.index[0], None)
    return candles, finer


def _from_file(path: Path, timeframe: Timeframe | None) -> pd.DataFrame:
    raw = read_candle_file(path, timeframe)
    tf = timeframe or _guess_timeframe(raw)
    return validate_candles(raw, tf).candles


def _guess_timeframe(frame: pd.DataFrame) -> Timeframe:
    index = pd.DatetimeIndex(frame.index)
    if len(index) < 2:
        raise DataValidationError("A finer-candle file needs at least two candles.")
    minutes = int(pd.Series(index).diff().min() / pd.Timedelta(minutes=1))
    for tf in Timeframe:
        if tf.minutes == minutes:
            return tf
    raise DataValidationError(f"Finer candles are {minutes} minutes apart: not a timeframe.")


def _from_store(symbol: str, job: BacktestJob,
                settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from tradingia.data.stores import (
        open_candle_store,
    )

    store = open_candle_store(settings)
    try:
        candles = store.read(symbol, job.timeframe, job.start, job.end)
        finer = None
        for tf in Timeframe:
            if tf.minutes >= job.timeframe.minutes or job.timeframe.minutes % tf.minutes:
                continue
            start = candles.index[0] if len(candles) else job.start
            finer = store.read(symbol, tf, start, job.end)
            if len(finer):
                break
            finer = None
        return candles, finer
    finally:
        store.close()


def _inside(frame: pd.DataFrame, start: pd.Timestamp | None,
            end: pd.Timestamp | None) -> pd.DataFrame:
    index = pd.DatetimeIndex(frame.index)
    keep = np.ones(len(index), dtype=bool)
    if start is not None:
        keep &= index >= _utc(start)
    if end is not None:
        keep &= index < _utc(end)
    return frame.loc[keep]


def _utc(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
