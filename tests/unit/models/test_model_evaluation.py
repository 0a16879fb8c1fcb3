"""Metrics and baselines: known answers, causality of the recent-range baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from tradingia.models import evaluation as ev
from tradingia.models.baselines import recent_realised


def test_auc_matches_sklearn_and_its_intervals_contain_it() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(4000) < 0.3).astype(float)
    score = y * 0.5 + rng.normal(size=4000)
    value = ev.auc(y, score)
    assert abs(value - roc_auc_score(y, score)) < 1e-12
    lo, hi = ev.delong_ci(y, score)
    assert lo < value < hi and hi - lo < 0.1
    blo, bhi = ev.block_bootstrap_auc_ci(y, score, block=12, n_boot=100)
    assert blo < value < bhi


def test_regression_metrics_known_answers() -> None:
    y = np.array([1.0, 2.0, 3.0, np.nan])
    assert ev.r2(y, np.array([1.0, 2.0, 3.0, 5.0])) == 1.0
    assert ev.r2(y, np.full(4, 2.0)) == 0.0
    assert ev.mae(y, np.array([2.0, 2.0, 2.0, 0.0])) == 2 / 3
    assert ev.coverage(y, np.array([0.5, 2.5, 2.0, 0]), np.array([1.5, 3.0, 3.0, 1])) == 2 / 3


def test_calibration_table_and_brier() -> None:
    y = np.array([0, 0, 1, 1.0])
    p = np.array([0.05, 0.15, 0.85, 0.95])
    table = ev.calibration_table(y, p, bins=2)
    assert table["rows"].tolist() == [2, 2]
    assert table["observed"].tolist() == [0.0, 1.0]
    assert abs(ev.brier(y, p) - np.mean((p - y) ** 2)) < 1e-12


def test_directional_accuracy_ignores_flat_predictions() -> None:
    realised = np.array([0.01, -0.02, 0.03, -0.01])
    assert ev.directional_accuracy(realised, np.array([1, 1, 0, -1])) == 2 / 3


def test_recent_range_uses_only_windows_that_ended_by_t() -> None:
    target = pd.Series(np.arange(20, dtype=float))
    base = recent_realised(target, horizon=3, window=4)
    # at t=10 the completed windows start at 4..7 (the one at 7 ends at 10)
    assert base.iloc[10] == np.mean([4, 5, 6, 7])
    assert base.iloc[:6].isna().all()
    changed = target.copy()
    changed.iloc[8:] = 1e9  # windows starting after t - h must not matter
    assert recent_realised(changed, 3, 4).iloc[10] == base.iloc[10]
