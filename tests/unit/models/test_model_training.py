"""Walk-forward training and the predict path on a small real slice: purge, OOS-only scores,
baselines on the same rows, and no look-ahead through build_features + predict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams
from tradingia.models.level1 import Level1Config
from tradingia.models.pipeline import predict_candles, prepare_training
from tradingia.models.scorecard import score_oos
from tradingia.models.training import (
    TrainConfig,
    WalkForwardConfig,
    plan_folds,
    train_walk_forward,
)

HORIZONS = (6, 12)
FAST = BoosterParams(max_rounds=20, max_depth=4, early_stopping_rounds=5)


@pytest.fixture(scope="module")
def candles(shared_data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data_dir / "ETHUSDT_5m.csv.gz", index_col="timestamp",
                        parse_dates=True, nrows=120_000)
    return frame.iloc[-7000:]


@pytest.fixture(scope="module")
def trained(candles: pd.DataFrame):  # type: ignore[no-untyped-def]
    prepared = prepare_training(candles, HORIZONS, "extended", with_amd=False)
    config = TrainConfig(
        level1=Level1Config(horizons=HORIZONS, models=("range", "tpsl"), booster=FAST),
        walk_forward=WalkForwardConfig(n_folds=3, oos_fraction=0.4, n_jobs=2),
    )
    return prepared, config, train_walk_forward(prepared.dataset, config, atr=prepared.atr)


def test_folds_leave_a_purge_of_the_longest_horizon_before_each_test_block() -> None:
    folds = plan_folds(10_000, WalkForwardConfig(n_folds=4, oos_fraction=0.5), purge=72)
    assert len(folds) == 4
    for fold in folds:
        assert fold.train.start == 0
        assert fold.test.start - fold.train.stop == 72
    assert folds[-1].test.stop == 10_000


def test_oos_predictions_cover_only_test_rows_after_their_train_window(trained) -> None:  # type: ignore[no-untyped-def]
    prepared, config, result = trained
    assert len(result.folds) == 3 and result.final is not None
    data = prepared.dataset.trainable(HORIZONS)
    oos = result.oos
    assert not oos.index.has_duplicates
    for fold in result.folds:
        rows = data.index[fold.fold.test]
        assert fold.predictions.index.equals(rows)
        gap = data.index.get_loc(rows[0]) - data.index.get_loc(fold.valid_range[1])
        assert gap >= config.level1.purge
    assert oos.index.min() > result.folds[0].train_range[1]


def test_scorecard_puts_model_and_baselines_on_the_same_rows(trained) -> None:  # type: ignore[no-untyped-def]
    prepared, _, result = trained
    card = score_oos(result.oos, prepared.targets, prepared.baselines, HORIZONS, n_boot=20)
    row = card.range.set_index("target").loc["delta_high_12"]
    assert row["rows"] > 1000
    assert np.isfinite([row["r2"], row["r2_recent"], row["r2_atr"], row["mae_recent"]]).all()
    assert row["mae_median_gain_vs_recent"] == pytest.approx(1 - row["mae_median"]
                                                             / row["mae_recent"])
    width = card.width.set_index("target").loc["width_12"]
    assert width["rows"] == row["rows"]
    assert width["mae_recent"] > row["mae_recent"]  # the sum of both sides is the wider range
    tp = card.tpsl.set_index("target").loc["tp_first_long_12"]
    assert tp["auc_lo"] <= tp["auc"] <= tp["auc_hi"]
    assert 0 <= tp["brier"] <= 1 and 0 <= tp["brier_base_rate"] <= 1
    assert len(card.per_fold) == 3
    assert set(card.calibration) == {f"tp_first_{s}_{h}" for s in ("long", "short")
                                     for h in HORIZONS}


def test_predictions_up_to_t_do_not_change_when_the_future_changes(trained, candles) -> None:  # type: ignore[no-untyped-def]
    _, _, result = trained
    cut = len(candles) - 500
    base = predict_candles(result.final, candles, Timeframe.M5)
    rng = np.random.default_rng(3)
    future = candles.copy()
    noise = rng.normal(1.0, 0.02, size=(len(candles) - cut, 1))
    future.iloc[cut:, :4] = candles.iloc[cut:, :4].to_numpy() * noise
    future["high"] = future[["open", "high", "low", "close"]].max(axis=1)
    future["low"] = future[["open", "high", "low", "close"]].min(axis=1)
    changed = predict_candles(result.final, future, Timeframe.M5)
    truncated = predict_candles(result.final, candles.iloc[:cut], Timeframe.M5)
    t = candles.index[cut - 1]
    pd.testing.assert_frame_equal(base.loc[:t], changed.loc[:t])
    pd.testing.assert_frame_equal(base.loc[:t], truncated)
    assert not base.iloc[-100:].equals(changed.iloc[-100:])
