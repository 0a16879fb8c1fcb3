"""Level-1 fit path on a small real slice: dataset alignment, validation slice, calibration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.models.boosting import BoosterParams
from tradingia.models.dataset import Dataset
from tradingia.models.level1 import FeatureMismatchError, Level1Config, fit_level1, split_window
from tradingia.models.pipeline import prepare_training
from tradingia.models.training import Fold, run_fold

HORIZONS = (6, 12)
FAST = BoosterParams(max_rounds=25, max_depth=4, early_stopping_rounds=5, nthread=1)


@pytest.fixture(scope="module")
def candles(shared_data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data_dir / "BTCUSDT_5m.csv.gz", index_col="timestamp",
                        parse_dates=True, nrows=160_000)
    return frame.iloc[-6000:]


@pytest.fixture(scope="module")
def prepared(candles: pd.DataFrame):  # type: ignore[no-untyped-def]
    return prepare_training(candles, HORIZONS, "extended", with_amd=False)


def test_dataset_drops_warmup_rows_and_keeps_unknown_future_as_nan(prepared) -> None:  # type: ignore[no-untyped-def]
    data = prepared.dataset
    assert not data.features.isna().any().any()
    assert data.features.dtypes.eq(np.float32).all()
    assert data.targets["delta_high_12"].iloc[-12:].isna().all()
    trainable = data.trainable(HORIZONS)
    assert trainable.targets[["delta_high_12", "delta_low_12"]].notna().all().all()
    assert len(trainable) == len(data) - 12


def test_validation_slice_is_purged_from_the_train_part() -> None:
    train, valid = split_window(1000, 0.2, purge=72)
    assert valid.start - train.stop == 72
    assert valid.stop == 1000


def test_purge_covers_the_amd_step_set_when_preparing(candles: pd.DataFrame) -> None:
    # The AMD label step (30) is longer than the config's purge (max horizon 12): the fit's
    # validation slice and every walk-forward test block must still start 30+ rows later.
    from tradingia.models.training import TrainConfig, WalkForwardConfig, train_walk_forward

    step = 30
    prep = prepare_training(candles, HORIZONS, "minimal", amd_horizon=step)
    data = prep.dataset.trainable(HORIZONS)
    assert data.label_horizon == step
    config = Level1Config(horizons=HORIZONS, models=("range",), booster=FAST)
    assert config.purge < step
    assert config.purge_for(data) == step
    models = fit_level1(data, config)
    train_end = data.index.get_loc(models.train_rows[1])
    valid_start = data.index.get_loc(models.valid_rows[0])
    assert valid_start - train_end - 1 >= step
    result = train_walk_forward(data, TrainConfig(level1=config, walk_forward=WalkForwardConfig(
        n_folds=2, oos_fraction=0.3, n_jobs=1)), fit_final=False)
    assert len(result.folds) == 2
    for fold in result.folds:
        assert fold.fold.test.start - fold.fold.train.stop >= step
        assert data.index.get_loc(fold.valid_range[0]) - data.index.get_loc(
            fold.train_range[1]) - 1 >= step
    assert prepare_training(candles, HORIZONS, "minimal", with_amd=False,
                            amd_horizon=step).dataset.label_horizon == max(HORIZONS)


def test_calibration_uses_only_validation_rows_of_the_train_window(prepared) -> None:  # type: ignore[no-untyped-def]
    data = prepared.dataset.trainable(HORIZONS)
    n = len(data)
    fold = Fold(number=0, train=slice(0, n // 2), test=slice(n // 2 + 12, n))
    result = run_fold(data, fold, Level1Config(horizons=HORIZONS, models=("tpsl",),
                                               booster=FAST))
    test_start = data.index[fold.test.start]
    valid_start, valid_end = result.valid_range
    assert result.calibration_rows
    for col, rows in result.calibration_rows.items():
        stamps = pd.to_datetime(rows, utc=True)
        assert len(stamps) > 0, col
        assert stamps.min() >= valid_start and stamps.max() <= valid_end
        assert stamps.max() < test_start
        assert not set(stamps).intersection(data.index[fold.test])
    assert result.train_range[1] < valid_start


def test_model_set_predicts_every_output_and_rejects_other_features(prepared) -> None:  # type: ignore[no-untyped-def]
    data = prepared.dataset.trainable(HORIZONS)
    models = fit_level1(data, Level1Config(horizons=HORIZONS, models=("range", "tpsl",
                                                                      "magnitude"), booster=FAST))
    out = models.predict(prepared.dataset.features)
    expected = {"delta_high_6", "delta_low_12_hi", "p_tp_first_long_12", "magnitude_6"}
    assert expected <= set(out.columns)
    assert (out["delta_high_12"] >= 0).all()
    assert out["p_tp_first_short_6"].between(0, 1).all()
    assert (out["delta_high_12_lo"] <= out["delta_high_12_mid"]).all()
    assert (out["delta_high_12_mid"] <= out["delta_high_12_hi"]).all()
    with pytest.raises(FeatureMismatchError, match="missing"):
        models.predict(prepared.dataset.features.drop(columns=["rsi_14"]))


def test_band_median_is_the_median_ratio_of_target_to_forecast_on_held_out_rows() -> None:
    from tradingia.models.range_predictor import _ratio_band

    pred = np.full(1001, 2.0)
    y = np.linspace(0.0, 4.0, 1001) ** 2 / 4.0  # right-skewed: median 1.0 below mean 1.33
    lo, mid, hi = _ratio_band(y, pred)
    assert mid == pytest.approx(np.median(y) / 2.0)
    assert lo < mid < hi
    assert _ratio_band(y[:5], pred[:5]) == (1.0, 1.0, 1.0)


def test_dataset_refuses_frames_that_are_all_warmup() -> None:
    idx = pd.date_range("2024-01-01", periods=5, freq="5min", tz="UTC")
    with pytest.raises(ValueError, match="warm-up"):
        Dataset.from_frames(pd.DataFrame({"a": [np.nan] * 5}, index=idx))


def test_model_columns_add_session_columns_once() -> None:
    from tradingia.features import get_feature_set
    from tradingia.models.pipeline import MODEL_EXTRA_FEATURES, model_columns

    base = list(get_feature_set("extended").columns)
    cols = model_columns("extended")
    assert cols[: len(base)] == base
    assert cols[len(base):] == list(MODEL_EXTRA_FEATURES)
    assert model_columns("extended", ()) == base
    assert len(set(model_columns("extended", (*MODEL_EXTRA_FEATURES, base[0])))) == len(cols)


def test_prepare_training_with_extra_features_keeps_them_causal_columns(
        candles: pd.DataFrame) -> None:
    from tradingia.models.pipeline import MODEL_EXTRA_FEATURES

    prep = prepare_training(candles, HORIZONS, "minimal", with_amd=False,
                            extra_features=MODEL_EXTRA_FEATURES)
    names = prep.dataset.feature_names
    assert names[-len(MODEL_EXTRA_FEATURES):] == MODEL_EXTRA_FEATURES
    hours = prep.dataset.features["session_hour_sin"].to_numpy()
    assert np.all(np.abs(hours) <= 1.0)
    # The candle's own UTC open time: 06:00 -> sin 1, 18:00 -> sin -1, 00:00 -> cos 1.
    feats = prep.dataset.features
    at = feats.index
    six, eighteen, midnight = (at.hour == 6) & (at.minute == 0), (at.hour == 18) & (
        at.minute == 0), (at.hour == 0) & (at.minute == 0)
    assert six.any() and eighteen.any() and midnight.any()
    np.testing.assert_allclose(feats.loc[six, "session_hour_sin"], 1.0, atol=1e-6)
    np.testing.assert_allclose(feats.loc[eighteen, "session_hour_sin"], -1.0, atol=1e-6)
    np.testing.assert_allclose(feats.loc[midnight, "session_hour_cos"], 1.0, atol=1e-6)
    # Causal: rows up to t do not change when every candle after t is altered.
    cut = len(candles) - 500
    future = candles.copy()
    future.iloc[cut:, :4] = future.iloc[cut:, :4] * 1.5
    again = prepare_training(future, HORIZONS, "minimal", with_amd=False,
                             extra_features=MODEL_EXTRA_FEATURES).dataset.features
    before = feats.index < candles.index[cut]
    pd.testing.assert_frame_equal(again.loc[before], feats.loc[before])
    assert not again.loc[~before].equals(feats.loc[~before])


def test_prepared_hash_describes_the_columns_actually_built(candles: pd.DataFrame) -> None:
    from tradingia.features import columns_hash, get_feature_set
    from tradingia.models.level1 import feature_hash
    from tradingia.models.pipeline import MODEL_EXTRA_FEATURES

    prep = prepare_training(candles, HORIZONS, "minimal", with_amd=False,
                            extra_features=MODEL_EXTRA_FEATURES)
    assert prep.feature_set == "minimal"
    assert prep.feature_set_hash == columns_hash(prep.dataset.feature_names)
    assert prep.feature_set_hash == feature_hash(prep.dataset.feature_names)
    assert prep.feature_set_hash != get_feature_set("minimal").hash
    plain = prepare_training(candles, HORIZONS, "minimal", with_amd=False)
    assert plain.feature_set_hash == get_feature_set("minimal").hash


def test_fast_params_cap_rounds_and_raise_learning_rate_only() -> None:
    from tradingia.models.level1 import fast_params

    slow = BoosterParams(learning_rate=0.05, max_rounds=600)
    fast = fast_params(slow, 0.1, 200)
    assert (fast.learning_rate, fast.max_rounds) == (0.1, 200)
    small = fast_params(FAST, 0.1, 200)
    assert small.max_rounds == FAST.max_rounds
    assert small.max_depth == FAST.max_depth


def test_min_child_weight_is_capped_on_small_windows_only() -> None:
    from tradingia.models.boosting import min_child_weight

    params = BoosterParams(min_child_weight=200.0)
    assert min_child_weight(params, 3000) == 15.0
    assert min_child_weight(params, 200_000) == 200.0
    assert min_child_weight(params, 10) == 1.0


def test_amd_phases_reuse_the_built_feature_and_match_the_labeller(candles: pd.DataFrame) -> None:
    from tradingia.features import build_features
    from tradingia.features.amd import AMD_COLUMNS
    from tradingia.models.pipeline import amd_phases

    features = build_features(candles, ["rsi_14", *AMD_COLUMNS])
    reused, direct = amd_phases(candles, features), amd_phases(candles)
    assert reused.equals(direct)
    assert reused.isna().any() and reused.notna().sum() > len(candles) // 2
    assert set(reused.dropna()) <= {"none", "accumulation", "manipulation", "distribution"}


def test_amd_codes_follow_the_class_order_and_leave_unknowns_nan() -> None:
    from tradingia.models.dataset import amd_classes, amd_codes

    phase = pd.Series(["none", np.nan, "accumulation", "distribution", None, "none"])
    assert amd_classes(phase) == ("accumulation", "distribution", "none")
    np.testing.assert_array_equal(amd_codes(phase), [2.0, np.nan, 0.0, 1.0, np.nan, 2.0])
    np.testing.assert_array_equal(amd_codes(phase, ("none", "zzz")),
                                  [0.0, np.nan, np.nan, np.nan, np.nan, 0.0])
    empty = amd_codes(pd.Series([np.nan, np.nan]))
    assert empty.shape == (2,) and np.isnan(empty).all()


def test_dataset_rows_slice_the_matrix_without_rebuilding_it(prepared) -> None:  # type: ignore[no-untyped-def]
    data = prepared.dataset
    part = data.rows(slice(10, 110))
    assert np.shares_memory(part.x, data.x)
    assert part.x.flags.c_contiguous and part.x.dtype == np.float32
    np.testing.assert_array_equal(part.x, part.features.to_numpy(dtype=np.float32))
    picked = data.rows(np.array([3, 1, 7]))
    np.testing.assert_array_equal(picked.x, data.x[[3, 1, 7]])
    assert picked.index.equals(data.index[[3, 1, 7]])
    assert picked.targets.index.equals(picked.index)
    assert (picked.amd_labels, picked.label_horizon) == (data.amd_labels, data.label_horizon)
    stepped = data.rows(slice(0, 20, 2))
    assert stepped.x.flags.c_contiguous
    np.testing.assert_array_equal(stepped.x, data.x[0:20:2])
