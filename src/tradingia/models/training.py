"""Walk-forward training: independent folds plus the final fit, fanned out through joblib.

Each fold fits the level-1 set on its train window (early stopping and calibration on the
window's own validation slice) and predicts its test rows, which lie at least `purge` rows
after the window. Fold-specific baselines (ATR scale, base rate) are fit on the same window.
The final set is fit on all rows by the same path, as one more task, so the cores stay busy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from pydantic import BaseModel, ConfigDict, Field

from tradingia.core.errors import DataValidationError
from tradingia.models.baselines import base_rate, fit_scale
from tradingia.models.boosting import default_nthread
from tradingia.models.dataset import Dataset, range_targets, tp_targets
from tradingia.models.level1 import Level1Config, ModelSet, fit_level1
from tradingia.models.splits import walk_forward

TaskDone = Callable[[str], None]


class WalkForwardConfig(BaseModel):
    """How the out-of-sample period is cut: folds over the last `oos_fraction` of rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_folds: int = Field(default=4, ge=1, le=50)
    oos_fraction: float = Field(default=0.5, gt=0, lt=1)
    expanding: bool = Field(default=True, description="Train from the first row (else rolling).")
    embargo: int = Field(default=0, ge=0)
    n_jobs: int | None = Field(default=None, description="Parallel tasks; None: one per core.")


class TrainConfig(BaseModel):
    """Everything a training run needs besides the data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level1: Level1Config = Field(default_factory=Level1Config)
    walk_forward: WalkForwardConfig = Field(default_factory=WalkForwardConfig)


@dataclass(frozen=True, slots=True)
class Fold:
    """Row positions of one fold: a train window and the test rows after purge and embargo."""

    number: int
    train: slice
    test: slice


@dataclass
class FoldResult:
    """Out-of-sample predictions (with the fold's own baselines) and what the fit used."""

    fold: Fold
    predictions: pd.DataFrame
    train_range: tuple[pd.Timestamp, pd.Timestamp]
    valid_range: tuple[pd.Timestamp, pd.Timestamp]
    calibration_rows: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class WalkForwardResult:
    """All folds' OOS predictions in time order, the per-fold results and the final model set."""

    folds: list[FoldResult]
    final: ModelSet | None

    @property
    def oos(self) -> pd.DataFrame:
        """Concatenated OOS predictions, one row per test row, with a `fold` column."""
        parts = [f.predictions.assign(fold=f.fold.number) for f in self.folds]
        return pd.concat(parts).sort_index() if parts else pd.DataFrame()


def plan_folds(n_rows: int, config: WalkForwardConfig, purge: int) -> list[Fold]:
    """Equal test blocks over the last `oos_fraction` rows, each `purge + embargo` after train."""
    test = max(1, math.floor(n_rows * config.oos_fraction / config.n_folds))
    first_test = n_rows - test * config.n_folds
    train = first_test - purge - config.embargo
    if train < 200:
        raise DataValidationError(
            f"{n_rows} rows are too few for {config.n_folds} folds with a purge of {purge}: "
            "give more candles or fewer folds"
        )
    splits = walk_forward(n_rows, train=train, test=test, step=test, purge=purge,
                          embargo=config.embargo, expanding=config.expanding)
    folds = [Fold(number=i, train=tr, test=te) for i, (tr, te) in enumerate(splits)]
    return folds


def run_fold(data: Dataset, fold: Fold, config: Level1Config,
             atr: pd.Series | None = None) -> FoldResult:
    """Fit on the fold's train window and predict its test rows, with window-fit baselines."""
    window, test = data.rows(fold.train), data.rows(fold.test)
    if window.index[-1] >= test.index[0]:
        raise DataValidationError(f"fold {fold.number}: train window overlaps its test rows")
    models = fit_level1(window, config)
    parts = [m.predict(test.x, test.index) for m in models.models.values()]
    preds = pd.concat(parts, axis=1)
    for col in tp_targets(config.horizons):
        if col in window.targets.columns:
            preds[f"base_{col}"] = base_rate(window.target(col))
    if atr is not None:
        atr_w = atr.reindex(window.index).to_numpy(np.float64)
        atr_t = atr.reindex(test.index).to_numpy(np.float64)
        for col in range_targets(config.horizons):
            preds[f"atr_{col}"] = fit_scale(window.target(col), atr_w) * atr_t
    calib = {col: c.fit_index for col, c in getattr(models.models.get("tpsl"),
                                                    "calibrators", {}).items()}
    return FoldResult(fold=fold, predictions=preds, train_range=models.train_rows,
                      valid_range=models.valid_rows, calibration_rows=calib)


def _task(kind: str, data: Dataset, fold: Fold | None, config: Level1Config,
          atr: pd.Series | None, nthread: int) -> tuple[str, FoldResult | ModelSet]:
    cfg = config.model_copy(update={"booster": config.booster.model_copy(
        update={"nthread": nthread})})
    if fold is None:
        final = fit_level1(data, cfg)
        final.config = config
        return kind, final
    return kind, run_fold(data, fold, cfg, atr)


def train_walk_forward(
    data: Dataset,
    config: TrainConfig,
    folds: Sequence[Fold] | None = None,
    atr: pd.Series | None = None,
    fit_final: bool = True,
    on_done: TaskDone | None = None,
) -> WalkForwardResult:
    """Run every fold (and the final fit) as independent joblib tasks; results in fold order."""
    data = data.trainable(config.level1.horizons)
    folds = list(folds) if folds is not None else plan_folds(
        len(data), config.walk_forward, config.level1.purge_for(data))
    tasks: list[tuple[str, Fold | None]] = [(f"fold {f.number}", f) for f in folds]
    if fit_final:
        tasks.insert(0, ("final", None))
    cores = default_nthread()
    n_jobs = min(len(tasks), config.walk_forward.n_jobs or cores)
    nthread = config.level1.booster.nthread or max(1, cores // n_jobs)
    jobs = (delayed(_task)(name, data, fold, config.level1, atr, nthread) for name, fold in tasks)
    results: dict[str, FoldResult | ModelSet] = {}
    runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered", backend="loky")
    for name, result in runner(jobs):
        results[name] = result
        if on_done is not None:
            on_done(name)
    fold_results = [r for n, r in results.items() if n != "final" and isinstance(r, FoldResult)]
    fold_results.sort(key=lambda r: r.fold.number)
    final = results.get("final")
    return WalkForwardResult(folds=fold_results,
                             final=final if isinstance(final, ModelSet) else None)
