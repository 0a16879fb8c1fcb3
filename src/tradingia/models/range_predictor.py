"""RangePredictor: how far price reaches up (`delta_high_h`) and down (`delta_low_h`) per horizon.

Targets are learnt in units of a causal volatility scale taken from the features (normalised
ATR, e.g. `atr_20`), so one model serves calm and wild regimes; rows are weighted by
`scale ** weight_power` (2 makes the loss the raw-space squared error, 0 the scaled one).
One squared-error booster per target gives the point forecast: the conditional mean, what R²
scores. The band comes from the ratio target / forecast on the validation slice of the same
train window: its 10th and 90th percentiles draw an 80% interval whose coverage is measured OOS,
and its median turns the mean into a median forecast (`_mid`), the point that minimises
absolute error (the targets are right-skewed, so the mean over-shoots most rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xgboost as xgb

from tradingia.models.boosting import (
    BoosterParams,
    FitMatrices,
    fit_booster,
    gain_importance,
    predict_booster,
)
from tradingia.models.dataset import Dataset, range_targets
from tradingia.models.scaling import VolatilityScale

BAND_QUANTILES = (0.1, 0.5, 0.9)
"""Lower edge, median and upper edge of the band, as quantiles of target / forecast."""


class RangePredictor:
    """Point forecast and 80% band of `delta_high_h` / `delta_low_h` for each horizon."""

    name = "range"

    def __init__(self, horizons: Sequence[int], params: BoosterParams | None = None,
                 scale: VolatilityScale | None = None) -> None:
        self.horizons = tuple(int(h) for h in horizons)
        self.params = params or BoosterParams()
        self.scale = scale or VolatilityScale(None)
        self.boosters: dict[str, xgb.Booster] = {}
        self.band: dict[str, tuple[float, float, float]] = {}

    @property
    def targets(self) -> list[str]:
        """Target columns this model learns."""
        return range_targets(self.horizons)

    def fit(self, mats: FitMatrices, train: Dataset, valid: Dataset) -> RangePredictor:
        """Fit every target on the train part; early stop and band on the validation slice."""
        s_train, s_valid = self.scale.values(train.x), self.scale.values(valid.x)
        weights = (self.scale.weights(s_train), self.scale.weights(s_valid))
        for col in self.targets:
            booster = fit_booster(mats, train.target(col) / s_train, valid.target(col) / s_valid,
                                  {"objective": "reg:squarederror"}, self.params, weights)
            self.boosters[col] = booster
            point = predict_booster(booster, valid.x) * s_valid
            self.band[col] = _ratio_band(valid.target(col), point)
        return self

    def predict(self, x: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Columns `delta_high_h` (mean), `delta_high_h_lo`, `_mid` (median), `_hi` (same for
        low)."""
        out: dict[str, np.ndarray] = {}
        scale = self.scale.values(x)
        for col, booster in self.boosters.items():
            point = np.clip(predict_booster(booster, x) * scale, 0.0, None)
            lo, mid, hi = self.band[col]
            out[col] = point
            out[f"{col}_lo"] = point * lo
            out[f"{col}_mid"] = point * mid
            out[f"{col}_hi"] = point * hi
        return pd.DataFrame(out, index=index)

    def importance(self, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Gain importance per target."""
        return {col: gain_importance(b, names) for col, b in self.boosters.items()}


def _ratio_band(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Quantiles of y / forecast on held-out rows; (1, 1, 1) when there are too few rows."""
    ok = np.isfinite(y) & (pred > 1e-9)
    if ok.sum() < 20:
        return (1.0, 1.0, 1.0)
    lo, mid, hi = np.quantile(y[ok] / pred[ok], BAND_QUANTILES)
    return (float(lo), float(mid), float(hi))
