"""From candles to a Dataset and back to predictions: the glue between features and models.

`prepare_training` builds features, targets (incl. AMD's next phase unless `with_amd=False`),
baselines and ATR on the full candle frame, then aligns them; `predict_candles` runs a
fitted set over candles. Candles are handed in: nothing here reads a store or a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from tradingia.core.timeframes import Timeframe
from tradingia.features import build_features, build_targets, columns_hash, get_feature_set
from tradingia.features.amd import AmdPhase, amd_labels
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


PHASE_NAMES: dict[int, str] = {int(m): m.name.lower() for m in AmdPhase if int(m) >= 0}
"""AmdPhase code -> label name; UNKNOWN (warm-up) is absent, so it maps to NaN."""


def amd_phases(candles: pd.DataFrame, features: pd.DataFrame | None = None) -> pd.Series:
    """Rule-based causal AMD phase names ('none', 'accumulation', ...; NaN in the warm-up).

    Reuses the `amd_phase` column of `features` (the same AmdPhase codes, NaN in the warm-up)
    when it holds one; otherwise runs the AMD labeller on `candles`.
    """
    if features is not None and "amd_phase" in features.columns:
        codes = features["amd_phase"].reindex(candles.index)
    else:
        codes = amd_labels(candles)
    return codes.map(PHASE_NAMES)


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
    phases = amd_phases(candles, features) if with_amd else None
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
