"""File registry: round trip, first-is-promoted, promote / rollback, feature checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.core.errors import NotFoundError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams
from tradingia.models.dataset import Dataset
from tradingia.models.level1 import FeatureMismatchError, Level1Config, ModelSet, fit_level1
from tradingia.models.registry import ModelRegistry, parse_version_id

TF = Timeframe.M5


def _synthetic_set(seed: int = 0) -> tuple[ModelSet, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 1500
    idx = pd.date_range("2024-01-01", periods=n, freq="5min", tz="UTC", name="timestamp")
    feats = pd.DataFrame(rng.normal(size=(n, 3)), index=idx, columns=["f_a", "f_b", "atr_10"])
    feats["atr_10"] = np.abs(feats["atr_10"]) * 0.01 + 0.001
    targets = pd.DataFrame({
        "delta_high_6": feats["atr_10"] * 2 + rng.random(n) * 1e-3,
        "delta_low_6": feats["atr_10"] * 1.5 + rng.random(n) * 1e-3,
        "tp_first_long_6": (feats["f_a"] + rng.normal(size=n) > 0.8).astype(float),
        "tp_first_short_6": (feats["f_b"] + rng.normal(size=n) > 0.8).astype(float),
    }, index=idx)
    config = Level1Config(horizons=(6,), models=("range", "tpsl"),
                          booster=BoosterParams(max_rounds=10, nthread=1))
    return fit_level1(Dataset.from_frames(feats, targets), config), feats


def test_round_trip_predicts_the_same_and_records_metadata(tmp_path: Path) -> None:
    model_set, feats = _synthetic_set()
    registry = ModelRegistry(tmp_path)
    entry = registry.register(model_set, "BTCUSDT", TF, {"train_end": "2024-01-06"})
    assert entry.id == "BTCUSDT-5m-v0001" and entry.promoted
    loaded = registry.load("BTCUSDT", TF)
    pd.testing.assert_frame_equal(loaded.predict(feats), model_set.predict(feats))
    meta = registry.get("BTCUSDT", TF, "v0001").metadata
    assert meta["features"] == ["f_a", "f_b", "atr_10"]
    assert meta["feature_hash"] == model_set.feature_hash
    assert meta["horizons"] == [6] and meta["train_end"] == "2024-01-06"


def test_promote_then_rollback_restores_the_previous_version(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    for seed in range(3):
        registry.register(_synthetic_set(seed)[0], "ETHUSDT", TF, {})
    assert registry.promoted("ETHUSDT", TF).version == "v0001"
    registry.promote("ETHUSDT", TF, "v0003")
    registry.promote("ETHUSDT", TF, "v0002")
    assert [v.promoted for v in registry.list("ETHUSDT", TF)] == [False, True, False]
    assert registry.rollback("ETHUSDT", TF).version == "v0003"
    assert registry.rollback("ETHUSDT", TF).version == "v0001"
    with pytest.raises(NotFoundError, match="Nothing to roll back"):
        registry.rollback("ETHUSDT", TF)


def test_loading_with_other_features_raises_a_clear_error(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    model_set, feats = _synthetic_set()
    registry.register(model_set, "BTCUSDT", TF, {})
    with pytest.raises(FeatureMismatchError, match=r"missing \['atr_10'\].*unexpected \['x'\]"):
        registry.load("BTCUSDT", TF, feature_names=["f_a", "f_b", "x"])
    reordered = registry.load("BTCUSDT", TF, feature_names=["atr_10", "f_a", "f_b"])
    pd.testing.assert_frame_equal(reordered.predict(feats[["atr_10", "f_b", "f_a"]]),
                                  model_set.predict(feats))


def test_missing_models_and_bad_ids_say_what_to_do(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    with pytest.raises(NotFoundError, match="tradingia train --symbol SOLUSDT"):
        registry.load("SOLUSDT", TF)
    with pytest.raises(NotFoundError, match="models list"):
        registry.promote("SOLUSDT", TF, "v0009")
    assert registry.list() == []
    assert parse_version_id("BTCUSDT-5m-v0012") == ("BTCUSDT", TF, "v0012")
    with pytest.raises(UnsupportedError, match="SYMBOL-TIMEFRAME-vNNNN"):
        parse_version_id("latest")
