"""Walk-forward backtest: every test window is traded with signals made from its past only.

`make_signals(train_candles, test_candles)` fits whatever it needs on `train_candles` and
returns signals stamped inside `test_candles`; a signal outside the test window is an error
(it would have been made with knowledge the fold must not have). Equity carries from one
fold to the next, so the curve is one out-of-sample history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from tradingia.backtest.config import BacktestConfig
from tradingia.backtest.engine import BacktestResult, OptimisticBound, run_backtest
from tradingia.core.errors import ConfigError, DataValidationError, UnsupportedError
from tradingia.models.splits import walk_forward

SignalMaker = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
Splitter = Callable[[int], Iterable[tuple[slice, slice]]]
FoldDone = Callable[[int, int], None]
"""on_fold(done, total): called in this process as each fold's signals arrive."""


@dataclass(frozen=True, slots=True)
class WalkForwardBacktest:
    """Per-fold results and the stitched out-of-sample run."""

    folds: list[BacktestResult]
    combined: BacktestResult


def _signals_for(make_signals: SignalMaker, train: pd.DataFrame,
                 test: pd.DataFrame) -> pd.DataFrame:
    return make_signals(train, test)


def walk_forward_backtest(
    candles: pd.DataFrame,
    make_signals: SignalMaker,
    splitter: Splitter,
    config: BacktestConfig | None = None,
    *,
    finer_candles: pd.DataFrame | None = None,
    n_jobs: int = 1,
    on_fold: FoldDone | None = None,
) -> WalkForwardBacktest:
    """Make signals per fold (in parallel when `n_jobs` != 1), then trade the folds in order.

    `splitter(n_rows)` yields positional (train, test) slices, e.g.
    `functools.partial(tradingia.models.splits.walk_forward, train=..., test=..., purge=72)`.
    """
    cfg = config or BacktestConfig()
    splits = list(splitter(len(candles)))
    if not splits:
        raise DataValidationError("The splitter yielded no fold for these candles.")
    pairs = [(candles.iloc[tr], candles.iloc[te]) for tr, te in splits]
    jobs = (delayed(_signals_for)(make_signals, tr, te) for tr, te in pairs)
    signal_sets: list[pd.DataFrame] = []
    done = on_fold or (lambda _done, _total: None)
    done(0, len(pairs))
    for signals in Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")(jobs):
        signal_sets.append(signals)
        done(len(signal_sets), len(pairs))
    folds: list[BacktestResult] = []
    equity = cfg.initial_equity
    for number, ((_, test), signals) in enumerate(zip(pairs, signal_sets, strict=True)):
        _check_inside(signals, test, number)
        fold_cfg = cfg.model_copy(update={"initial_equity": equity})
        result = run_backtest(test, signals, fold_cfg, finer_candles=finer_candles)
        folds.append(result)
        equity = float(result.equity.iloc[-1]) if len(result.equity) else equity
    return WalkForwardBacktest(folds=folds, combined=combine(folds, cfg))


def combine(folds: Sequence[BacktestResult], config: BacktestConfig) -> BacktestResult:
    """Stitch consecutive fold results into one run (trades, equity, candles, counters)."""
    counters = {name: sum(f.counters[name] for f in folds) for name in folds[0].counters}
    bounds = [f.optimistic for f in folds]
    optimistic = None
    if any(b is not None for b in bounds):
        total_r = sum(b.total_r if b else float(f.trades["r_multiple"].sum())
                      for b, f in zip(bounds, folds, strict=True))
        total_pnl = sum(b.total_pnl if b else float(f.trades["pnl"].sum())
                        for b, f in zip(bounds, folds, strict=True))
        optimistic = OptimisticBound(total_r=total_r, total_pnl=total_pnl,
                                     final_equity=config.initial_equity + total_pnl)
    trades = pd.concat([f.trades.assign(fold=i) for i, f in enumerate(folds)],
                       ignore_index=True)
    return BacktestResult(
        trades=trades,
        equity=pd.concat([f.equity for f in folds]),
        candles=pd.concat([f.candles for f in folds]),
        counters=counters,
        config=config,
        optimistic=optimistic,
        meta={"signals": sum(int(str(f.meta.get("signals", 0))) for f in folds),
              "candles": sum(len(f.candles) for f in folds), "folds": len(folds)},
    )


def _check_inside(signals: pd.DataFrame, test: pd.DataFrame, number: int) -> None:
    stamps = pd.DatetimeIndex(signals["timestamp"] if "timestamp" in signals.columns
                              else signals.index)
    if stamps.tz is None:
        stamps = stamps.tz_localize("UTC")
    first, last = test.index[0], test.index[-1]
    if len(stamps) and (stamps.min() < first or stamps.max() > last):
        raise DataValidationError(
            f"Fold {number}: the signal maker returned signals outside its test window "
            f"{first} .. {last}; signals must be made for the test candles only."
        )



def plan_folds(
    index: pd.DatetimeIndex,
    *,
    purge: int,
    folds: int | None = None,
    train_days: float | None = None,
    test_days: float | None = None,
    min_train: int = 1,
    oos_fraction: float = 0.5,
) -> list[tuple[slice, slice]]:
    """Positional (train, test) slices with `purge` candles between them.

    Either `folds` equal test blocks over the last `oos_fraction` of the candles, each trained
    on everything before it (expanding), or rolling windows of `train_days` / `test_days`
    (converted to candles with the series' own candles per day, so FX weekends count right).
    """
    n = len(index)
    if (train_days is None) != (test_days is None):
        raise ConfigError("Give both --train-days and --test-days (or neither, with --folds).")
    if train_days is not None and test_days is not None:
        if folds is not None:
            raise ConfigError("Give either --folds or --train-days/--test-days, not both.")
        if train_days <= 0 or test_days <= 0:
            raise ConfigError("--train-days and --test-days must be positive.")
        days = max((index[-1] - index[0]) / pd.Timedelta(days=1), 1e-9) if n > 1 else 1.0
        per_day = n / days
        train, test = round(train_days * per_day), max(1, round(test_days * per_day))
        expanding = False
    else:
        count = 4 if folds is None else folds
        if count < 1:
            raise ConfigError(f"--folds must be at least 1, got {count}.")
        test = int(n * oos_fraction) // count
        train, expanding = n - count * test - purge, True
        if test < 1:
            raise DataValidationError(f"{n} candles cannot hold {count} test folds.")
    if train < min_train:
        raise DataValidationError(
            f"Each fold must train on at least {min_train} candles but gets {max(train, 0)} "
            f"({n} candles, purge {purge}): use fewer folds, more --train-days, or more data."
        )
    try:
        splits = list(walk_forward(n, train=train, test=test, purge=purge, expanding=expanding))
    except UnsupportedError as exc:
        raise DataValidationError(str(exc)) from None
    return [(s.train, s.test) for s in splits]
