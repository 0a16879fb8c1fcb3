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
from tradingia.core.errors import DataValidationError

SignalMaker = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
Splitter = Callable[[int], Iterable[tuple[slice, slice]]]


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
    signal_sets: list[pd.DataFrame] = list(Parallel(n_jobs=n_jobs, backend="loky")(jobs))
    folds: list[BacktestResult] = []
    equity = cfg.initial_equity
    for number, ((_, test), signals) in enumerate(zip(pairs, signal_sets, strict=True)):
        _check_inside(signals, test, number)
        fold_cfg = cfg.model_copy(update={"initial_equity": equity})
        result = run_backtest(test, signals, fold_cfg, finer_candles=_slice_finer(
            finer_candles, test))
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


def _slice_finer(finer: pd.DataFrame | None, test: pd.DataFrame) -> pd.DataFrame | None:
    if finer is None or len(test) == 0:
        return finer
    out: pd.DataFrame = finer.loc[finer.index >= test.index[0]]
    return out
