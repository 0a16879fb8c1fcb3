"""Backtest use case: load candles (store or file) and signals, run, write the report folder.

The one place that reads settings and opens the candle store for backtests; the CLI, the API
and the demo call `run_backtest_job` (or `run_model_backtest`). Signals come from a CSV or from
models with a signal preset: the promoted set over the candles it never saw, or walk-forward
fold models trained by the training pipeline (`backtest.model_backtest` does the honest part).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradingia.backtest import BacktestConfig, BacktestResult, read_signals_csv, run_backtest
from tradingia.backtest.metrics import compute_metrics
from tradingia.backtest.model_backtest import (
    ModelRun,
    promoted_backtest,
    traded_from,
    walk_forward_model_backtest,
)
from tradingia.backtest.report import write_report
from tradingia.backtest.walkforward import plan_folds
from tradingia.core.errors import ConfigError, DataValidationError, NotFoundError
from tradingia.core.settings import Settings, get_settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources import read_candle_file
from tradingia.data.validation import validate_candles
from tradingia.models.boosting import default_nthread
from tradingia.models.level1 import ALL_MODELS, ModelSet
from tradingia.models.registry import ModelRegistry
from tradingia.services.training import (
    TrainRequest,
    default_horizons,
    model_registry,
    train_on_candles,
)
from tradingia.signals import get_preset

StepFn = Callable[[str], None]
FoldFn = Callable[[int, int], None]
"""on_fold(done, total) while walk-forward folds train."""


@dataclass(frozen=True, slots=True)
class WalkForwardPlan:
    """How to cut a walk-forward model backtest: `folds` expanding folds over the last half
    of the candles (default 4), or rolling `train_days` / `test_days` windows."""

    folds: int | None = None
    train_days: float | None = None
    test_days: float | None = None
    n_jobs: int | None = None


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
    in_sample: bool = False
    walk_forward: WalkForwardPlan | None = None
    train: TrainRequest | None = None


@dataclass(frozen=True, slots=True)
class BacktestOutcome:
    """The run, its metrics and the files written."""

    result: BacktestResult
    metrics: dict[str, Any]
    files: dict[str, Path]

    @property
    def report(self) -> Path:
        """The HTML report."""
        return self.files["html"]


def run_backtest_job(job: BacktestJob, settings: Settings | None = None,
                     on_step: StepFn | None = None,
                     on_fold: FoldFn | None = None) -> BacktestOutcome:
    """Load, check, simulate and report; raises a TradingiaError saying what was wrong."""
    step = on_step or (lambda _msg: None)
    symbol = get_symbol(job.symbol).name
    if job.preset is not None and job.signals_path is not None:
        raise ConfigError("Give either --preset or --signals, not both.")
    if job.preset is None and (job.in_sample or job.walk_forward is not None):
        raise ConfigError("--in-sample and --walk-forward backtest model signals: add --preset.")
    if job.preset is not None:
        return _model_backtest(job, symbol, settings or get_settings(), step, on_fold)
    if job.signals_path is None:
        raise ConfigError("Nothing to trade: pass --signals FILE (or --preset NAME).")
    step("reading candles")
    candles = load_candles(job, symbol, settings)
    finer = load_finer_candles(job, symbol, candles.index[0], settings)
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


MIN_TRAIN_CANDLES = 2000
"""`train_on_candles` refuses fewer candles; every walk-forward fold trains on at least this."""


@dataclass(frozen=True, slots=True)
class FoldTrainer:
    """Fits one walk-forward fold with the training pipeline (`train_on_candles`) into a
    throw-away registry and returns the fitted set; picklable for worker processes."""

    request: TrainRequest

    def __call__(self, train: pd.DataFrame) -> ModelSet:
        """The model set fit on `train` only."""
        with tempfile.TemporaryDirectory(prefix="tradingia-fold-") as tmp:
            registry = ModelRegistry(Path(tmp))
            outcome = train_on_candles(train, self.request, registry)
            return registry.load(outcome.version.symbol, outcome.version.timeframe,
                                 outcome.version.version)


def fold_request(job: BacktestJob, symbol: str, settings: Settings) -> TrainRequest:
    """The fold training request: `job.train`, else the promoted set's features, horizons and
    models (training defaults without one); one inner fold, as only the final fit is used."""
    if job.train is not None:
        return replace(job.train, symbol=symbol, timeframe=job.timeframe, until=None)
    base = TrainRequest(symbol=symbol, timeframe=job.timeframe, n_folds=1, n_boot=20)
    try:
        meta = model_registry(settings).promoted(symbol, job.timeframe).metadata
    except NotFoundError:
        return base
    models = tuple(m for m in meta.get("models", ()) if m in ALL_MODELS) or base.models
    return replace(base, feature_set=str(meta.get("feature_set") or base.feature_set),
                   horizons=tuple(int(h) for h in meta.get("horizons") or ()) or None,
                   models=models)


def _model_backtest(job: BacktestJob, symbol: str, settings: Settings, step: StepFn,
                    on_fold: FoldFn | None) -> BacktestOutcome:
    preset = get_preset(str(job.preset))
    tf = job.timeframe
    if job.walk_forward is not None:
        if job.in_sample:
            raise ConfigError("--in-sample makes no sense with --walk-forward (all of it is "
                              "out of sample): drop one.")
        run = _walk_forward(job, symbol, settings, preset.name, step, on_fold)
        title = (f"Backtest {symbol} {tf} - preset {preset.id} - walk-forward, "
                 f"{len(run.folds)} folds, out of sample")
    else:
        registry = model_registry(settings)
        entry = registry.promoted(symbol, tf)
        step(f"loading model set {entry.id}")
        model_set = registry.load(symbol, tf, entry.version)
        step("reading candles")
        history = load_candles(replace(job, start=None), symbol, settings)
        begin = traded_from(model_set.metadata, pd.DatetimeIndex(history.index),
                            start=job.start, end=job.end, in_sample=job.in_sample)
        finer = load_finer_candles(job, symbol, begin, settings)
        step(f"predicting and trading with preset {preset.id}")
        run = promoted_backtest(model_set, history, symbol, tf, preset.name, job.config,
                                start=job.start, end=job.end, in_sample=job.in_sample,
                                finer_candles=finer)
        title = (f"Backtest {symbol} {tf} - {entry.id} - preset {preset.id} - "
                 + ("IN-SAMPLE" if run.banner else "out of sample"))
    step("computing metrics")
    metrics = compute_metrics(run.result)
    metrics["symbol"], metrics["timeframe"] = symbol, tf.value
    metrics["sample"] = run.sample
    if run.folds:
        metrics["folds"] = run.folds
    step(f"writing the report to {job.report_dir}")
    files = write_report(run.result, metrics, job.report_dir, title=title, banner=run.banner)
    return BacktestOutcome(result=run.result, metrics=metrics, files=files)


def _walk_forward(job: BacktestJob, symbol: str, settings: Settings, preset: str,
                  step: StepFn, on_fold: FoldFn | None) -> ModelRun:
    plan = job.walk_forward or WalkForwardPlan()
    step("reading candles")
    candles = load_candles(job, symbol, settings)
    request = fold_request(job, symbol, settings)
    purge = max(request.horizons or default_horizons(job.timeframe))
    splits = plan_folds(pd.DatetimeIndex(candles.index), purge=purge, folds=plan.folds,
                        train_days=plan.train_days, test_days=plan.test_days,
                        min_train=MIN_TRAIN_CANDLES)
    finer = load_finer_candles(job, symbol, candles.index[splits[0][1].start], settings)
    n_jobs = plan.n_jobs or min(len(splits), default_nthread())
    step(f"training {len(splits)} walk-forward folds ({n_jobs} at a time)")
    return walk_forward_model_backtest(
        candles, FoldTrainer(request), splits, symbol, job.timeframe, preset, job.config,
        purge=purge, finer_candles=finer, n_jobs=n_jobs, on_fold=on_fold)


def load_candles(job: BacktestJob, symbol: str,
                 settings: Settings | None = None) -> pd.DataFrame:
    """The job's candles from `--data` or the store, inside its span."""
    if job.data_path is not None:
        candles = _from_file(job.data_path, job.timeframe)
    else:
        candles = _from_store(symbol, job.timeframe, job.start, job.end,
                              settings or get_settings())
    candles = _inside(candles, job.start, job.end)
    if len(candles) == 0:
        raise NotFoundError(
            f"No {symbol} {job.timeframe} candles between {job.start or 'the start'} and "
            f"{job.end or 'the end'}: import them with `tradingia data import` or widen the span."
        )
    return candles


def load_finer_candles(job: BacktestJob, symbol: str, start: pd.Timestamp | None,
                       settings: Settings | None = None) -> pd.DataFrame | None:
    """Finer candles from the first traded candle `start` on: `--finer-data` with `--data`,
    else the finest stored timeframe that divides the job's (None when there is none)."""
    if job.data_path is not None:
        if job.finer_data_path is None:
            return None
        return _inside(_from_file(job.finer_data_path, None), start, None)
    return _finest_stored(symbol, job, start, settings or get_settings())


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


def _from_store(symbol: str, timeframe: Timeframe, start: pd.Timestamp | None,
                end: pd.Timestamp | None, settings: Settings) -> pd.DataFrame:
    from tradingia.services.market_data import candle_store

    with candle_store(settings) as store:
        return store.read(symbol, timeframe, start, end)


def _finest_stored(symbol: str, job: BacktestJob, start: pd.Timestamp | None,
                   settings: Settings) -> pd.DataFrame | None:
    from tradingia.services.market_data import candle_store

    with candle_store(settings) as store:
        for tf in Timeframe:
            if tf.minutes >= job.timeframe.minutes or job.timeframe.minutes % tf.minutes:
                continue
            finer = store.read(symbol, tf, start, job.end)
            if len(finer):
                return finer
        return None


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


def run_model_backtest(
    symbol: str,
    timeframe: Timeframe,
    preset: str,
    report_dir: Path,
    *,
    config: BacktestConfig | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    walk_forward: WalkForwardPlan | None = None,
    train: TrainRequest | None = None,
    in_sample: bool = False,
    settings: Settings | None = None,
    on_step: StepFn | None = None,
    on_fold: FoldFn | None = None,
) -> BacktestOutcome:
    """Backtest model signals (`preset`) on the stored candles of one series; write the report.

    Without `walk_forward`: the promoted model set, from its first out-of-sample candle (an
    error when there is none, unless `in_sample`). With it: fold models trained by the training
    pipeline (`train` sets features, horizons, models and trees; defaults: the promoted set's
    features / horizons / models, else the training defaults), so the whole curve is out of
    sample. `outcome.report` is the HTML file; `outcome.metrics["sample"]` says what was out
    of sample.
    """
    job = BacktestJob(symbol=symbol, timeframe=timeframe, report_dir=report_dir,
                      config=config or BacktestConfig(), preset=preset, start=start, end=end,
                      in_sample=in_sample, walk_forward=walk_forward, train=train)
    return run_backtest_job(job, settings, on_step, on_fold)
