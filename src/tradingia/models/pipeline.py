"""From candles to a Dataset and back to predictions: the glue between features and models.

`prepare_training` builds features, targets (incl. AMD's next phase when the AMD labeller
exists), baselines and ATR on the full candle frame, then aligns them; `predict_candles` runs a
fitted set over candles. Candles are handed in: nothing here reads a store or a file.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from tradingia.core.timeframes import Timeframe
from tradingia.features import build_features, build_targets, columns_hash, get_feature_set
from tradingia.models.baselines import atr_ratio, recent_baselines
from tradingia.models.dataset import (
    Dataset,
    add_derived_targets,
    amd_classes,
    longest_label_horizon,
)
from tradingia.models.level1 import ModelSet


@dataclass(frozen=True)
class Prepared:
    """Everything a training run needs, aligned on candle timestamps."""

    dataset: Dataset
    targets: pd.DataFrame
    baselines: pd.DataFrame
    atr: pd.Series
    feature_set: str
    feature_set_hash: str
    """`columns_hash` of the columns actually built (the set's plus the extra ones), i.e. the
    trained model set's `feature_hash`, not the named set's `.hash`."""


def amd_phases(candles: pd.DataFrame) -> pd.Series | None:
    """Rule-based causal AMD phase names ('none', 'accumulation', ...; NaN in the warm-up),
    or None when `tradingia.features.amd` is not available."""
    try:
        module = importlib.import_module("tradingia.features.amd")
    except ModuleNotFoundError:
        return None
    codes = pd.Series(module.amd_labels(candles), index=candles.index)
    enum = getattr(module, "AmdPhase", None)
    if enum is None:
        return codes
    names = {int(m): m.name.lower() for m in enum if int(m) >= 0}  # UNKNOWN (warm-up) -> NaN
    return codes.map(names)


MODEL_EXTRA_FEATURES: tuple[str, ...] = (
    "session_hour_sin", "session_hour_cos", "session_dow_sin", "session_dow_cos",
)
"""Columns the level-1 models add to any feature set: the UTC time of day and day of week
carry the intraday volatility profile that range forecasts need (causal: the candle's own
open time). Chosen on data before 2024-07-01 only."""


def model_columns(feature_set: str, extra: Sequence[str] = MODEL_EXTRA_FEATURES) -> list[str]:
    """The feature set's columns plus `extra` ones it lacks, in that order."""
    columns = list(get_feature_set(feature_set).columns)
    return columns + [c for c in extra if c not in columns]


def prepare_training(
    candles: pd.DataFrame,
    horizons: Sequence[int],
    feature_set: str = "full",
    timeframe: Timeframe | None = None,
    amd_horizon: int | None = None,
    with_amd: bool = True,
    extra_features: Sequence[str] = (),
) -> Prepared:
    """Features (the set's, plus `extra_features`), targets, causal baselines and ATR for a
    candle frame, aligned and checked."""
    fs = get_feature_set(feature_set)
    features = build_features(candles, model_columns(feature_set, extra_features),
                              timeframe=timeframe)
    raw = build_targets(candles, horizons=tuple(horizons))
    phases = amd_phases(candles) if with_amd else None
    targets = add_derived_targets(raw, tuple(horizons), phases, amd_horizon)
    labels = amd_classes(phases) if phases is not None else ()
    reach = longest_label_horizon(horizons, amd_horizon, with_amd=phases is not None)
    return Prepared(
        dataset=Dataset.from_frames(features, targets, labels, label_horizon=reach),
        targets=targets,
        baselines=recent_baselines(targets, tuple(horizons)),
        atr=atr_ratio(candles),
        feature_set=fs.name,
        feature_set_hash=columns_hash([str(c) for c in features.columns]),
    )


def predict_candles(model_set: ModelSet, candles: pd.DataFrame,
                    timeframe: Timeframe | None = None) -> pd.DataFrame:
    """Model outputs for every candle after the feature warm-up (features use past rows only)."""
    features = build_features(candles, list(model_set.feature_names), timeframe=timeframe)
    return model_set.predict(features)
