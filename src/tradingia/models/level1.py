"""The level-1 model set: range, TP-first, AMD phase and magnitude models fit on one window.

`fit_level1` is the one fit path (used by every walk-forward fold and by the final fit): the
window's last `valid_fraction` rows, after a purge of the longest horizon, are the validation
slice for early stopping, band widths and calibration; the rest is the train part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tradingia.core.errors import DataValidationError
from tradingia.features import columns_hash
from tradingia.models.amd_model import AMDPhaseModel
from tradingia.models.boosting import BoosterParams, FitMatrices, build_matrices
from tradingia.models.calibration import CalibrationMethod
from tradingia.models.dataset import Dataset
from tradingia.models.magnitude import MovementMagnitude
from tradingia.models.range_predictor import RangePredictor
from tradingia.models.scaling import VolatilityScale
from tradingia.models.tpsl_classifier import TPSLClassifier

ModelKind = Literal["range", "tpsl", "amd", "magnitude"]
ALL_MODELS: tuple[ModelKind, ...] = ("range", "tpsl", "amd", "magnitude")


class FeatureMismatchError(DataValidationError):
    """The features given to a model set differ from the ones it was trained on."""


class Level1Config(BaseModel):
    """What to fit and how: horizons, model kinds, booster settings, validation slice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizons: tuple[int, ...] = (6, 18, 36, 72)
    models: tuple[ModelKind, ...] = ALL_MODELS
    booster: BoosterParams = Field(default_factory=BoosterParams)
    calibration: CalibrationMethod = "isotonic"
    valid_fraction: float = Field(default=0.15, gt=0, lt=0.5)
    amd_horizon: int | None = Field(default=None, ge=1,
                                    description="Candles ahead for the AMD target; None: min h.")
    scale_features: tuple[str, ...] = Field(
        default=("atr_20", "atr_10", "atr_50", "atr_5"),
        description="Range / magnitude targets are learnt in units of the first of these "
                    "features present (normalised ATR); empty: raw targets.")
    scale_weight_power: float = Field(default=1.0, ge=0, le=2)

    @field_validator("horizons")
    @classmethod
    def _positive_sorted(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(h < 1 for h in value):
            raise ValueError("horizons must be positive candle counts")
        return tuple(sorted(set(value)))

    @property
    def purge(self) -> int:
        """Rows dropped between train part and validation slice: the longest target horizon
        (at least; fits use `purge_for`, which also covers the dataset's own label horizon)."""
        return max(max(self.horizons), self.amd_horizon or 0)

    def purge_for(self, data: Dataset) -> int:
        """The purge a fit on `data` uses: `purge`, or the furthest candle the data's labels
        look ahead when that is longer (e.g. an AMD step set when the data was prepared)."""
        return max(self.purge, data.label_horizon)


class Level1Model(Protocol):
    """What every level-1 model offers."""

    name: str

    @property
    def targets(self) -> list[str]: ...

    def fit(self, mats: FitMatrices, train: Dataset, valid: Dataset) -> Any: ...

    def predict(self, x: np.ndarray, index: pd.Index) -> pd.DataFrame: ...

    def importance(self, names: tuple[str, ...]) -> dict[str, dict[str, float]]: ...


def feature_hash(names: Sequence[str]) -> str:
    """Short, stable hash of an ordered feature list (`columns_hash`: includes FEATURES_VERSION,
    so it equals a feature set's `.hash` for the same columns)."""
    return columns_hash(names)


@dataclass
class ModelSet:
    """Fitted level-1 models plus the exact feature list they expect."""

    feature_names: tuple[str, ...]
    config: Level1Config
    models: dict[str, Level1Model]
    train_rows: tuple[pd.Timestamp, pd.Timestamp]
    valid_rows: tuple[pd.Timestamp, pd.Timestamp]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_hash(self) -> str:
        """Hash of the trained feature list."""
        return feature_hash(self.feature_names)

    def check_features(self, features: pd.DataFrame) -> pd.DataFrame:
        """The frame's columns in trained order; FeatureMismatchError says what differs."""
        given = [str(c) for c in features.columns]
        missing = [c for c in self.feature_names if c not in given]
        extra = [c for c in given if c not in self.feature_names]
        if missing or extra:
            raise FeatureMismatchError(
                f"features do not match the ones this model set was trained on "
                f"(hash {self.feature_hash}, {len(self.feature_names)} features; given "
                f"{feature_hash(given)}, {len(given)}): missing {missing[:8]}"
                f"{'...' if len(missing) > 8 else ''}, unexpected {extra[:8]}"
                f"{'...' if len(extra) > 8 else ''}. Build features with the same feature set "
                f"(metadata 'feature_set') or retrain."
            )
        return features.loc[:, list(self.feature_names)]

    def predict(self, features: pd.DataFrame) -> pd.DataFrame:
        """All model outputs for rows whose features are complete (warm-up rows dropped)."""
        data = Dataset.from_frames(self.check_features(features))
        parts = [m.predict(data.x, data.index) for m in self.models.values()]
        return pd.concat(parts, axis=1)

    def importance(self) -> dict[str, dict[str, float]]:
        """Gain importance per target, every model."""
        out: dict[str, dict[str, float]] = {}
        for model in self.models.values():
            out.update(model.importance(self.feature_names))
        return out


def split_window(n_rows: int, valid_fraction: float, purge: int) -> tuple[slice, slice]:
    """Train part and validation slice of one fit window, `purge` rows apart."""
    n_valid = max(1, round(n_rows * valid_fraction))
    train_end = n_rows - n_valid - purge
    if train_end < max(50, 2 * purge):
        raise DataValidationError(
            f"fit window of {n_rows} rows is too short for a validation slice of {n_valid} rows "
            f"and a purge of {purge}: give more candles"
        )
    return slice(0, train_end), slice(train_end + purge, n_rows)


def fast_params(params: BoosterParams, learning_rate: float, max_rounds: int) -> BoosterParams:
    """Coarser settings for the secondary models (TP-first, AMD, magnitude): a learning rate of
    at least `learning_rate` and at most `max_rounds` rounds, so they cost a fraction of the
    range model (a multiclass round grows one tree per class)."""
    return params.model_copy(update={"learning_rate": max(params.learning_rate, learning_rate),
                                     "max_rounds": min(params.max_rounds, max_rounds)})


def make_models(config: Level1Config, amd_labels: Sequence[str],
                feature_names: Sequence[str] = ()) -> dict[str, Level1Model]:
    """Fresh, unfitted models of the kinds the config names."""
    scale = VolatilityScale.pick(feature_names, config.scale_features, config.scale_weight_power)
    models: dict[str, Level1Model] = {}
    for kind in config.models:
        if kind == "range":
            models[kind] = RangePredictor(config.horizons, config.booster, scale)
        elif kind == "tpsl":
            models[kind] = TPSLClassifier(config.horizons, fast_params(config.booster, 0.1, 200),
                                          config.calibration)
        elif kind == "magnitude":
            models[kind] = MovementMagnitude(config.horizons, fast_params(config.booster, 0.1, 300),
                                             scale)
        elif kind == "amd" and len(amd_labels) >= 2:
            models[kind] = AMDPhaseModel(amd_labels, fast_params(config.booster, 0.2, 100))
    return models


def fit_level1(data: Dataset, config: Level1Config) -> ModelSet:
    """Fit every configured model on one window (rows in time order, targets known)."""
    train_sl, valid_sl = split_window(len(data), config.valid_fraction, config.purge_for(data))
    train, valid = data.rows(train_sl), data.rows(valid_sl)
    mats = build_matrices(train.x, valid.x, config.booster)
    models = make_models(config, data.amd_labels, data.feature_names)
    for model in models.values():
        model.fit(mats, train, valid)
    return ModelSet(
        feature_names=data.feature_names,
        config=config,
        models=models,
        train_rows=(train.index[0], train.index[-1]),
        valid_rows=(valid.index[0], valid.index[-1]),
    )
