"""Many backtests at once (symbols, parameter sets) through joblib, like training's folds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from tradingia.backtest.config import BacktestConfig
from tradingia.backtest.engine import BacktestResult, run_backtest


@dataclass(frozen=True, slots=True)
class BacktestTask:
    """One independent backtest: a symbol, or one parameter set."""

    name: str
    candles: pd.DataFrame
    signals: pd.DataFrame
    config: BacktestConfig
    finer_candles: pd.DataFrame | None = None


def _run(task: BacktestTask) -> tuple[str, BacktestResult]:
    return task.name, run_backtest(task.candles, task.signals, task.config,
                                   finer_candles=task.finer_candles)


def run_many(tasks: Sequence[BacktestTask], *, n_jobs: int | None = None,
             backend: str = "loky") -> dict[str, BacktestResult]:
    """Run `tasks` in parallel processes (joblib `backend`); results keyed by task name.

    `n_jobs=1` runs in this process (no pickling); names must be unique.
    """
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError("backtest task names must be unique")
    if n_jobs == 1 or len(tasks) <= 1:
        return dict(_run(t) for t in tasks)
    runner = Parallel(n_jobs=n_jobs or -1, backend=backend)
    return dict(runner(delayed(_run)(t) for t in tasks))
