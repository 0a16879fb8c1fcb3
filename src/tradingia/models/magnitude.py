"""MovementMagnitude: expected absolute move |close[t+h] / close[t] - 1| over each horizon."""

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
from tradingia.models.dataset import Dataset, magnitude_targets
from tradingia.models.scaling import VolatilityScale


class MovementMagnitude:
    """Point forecast of the absolute return per horizon; output `magnitude_h` (a fraction)."""

    name = "magnitude"

    def __init__(self, horizons: Sequence[int], params: BoosterParams | None = None,
                 scale: VolatilityScale | None = None) -> None:
        self.horizons = tuple(int(h) for h in horizons)
        self.params = params or BoosterParams()
        self.scale = scale or VolatilityScale(None)
        self.boosters: dict[int, xgb.Booster] = {}

    @property
    def targets(self) -> list[str]:
        """Target columns this model learns."""
        return magnitude_targets(self.horizons)

    def fit(self, mats: FitMatrices, train: Dataset, valid: Dataset) -> MovementMagnitude:
        """One squared-error booster per horizon (in volatility units), early-stopped."""
        s_train, s_valid = self.scale.values(train.x), self.scale.values(valid.x)
        weights = (self.scale.weights(s_train), self.scale.weights(s_valid))
        for h, col in zip(self.horizons, self.targets, strict=True):
            self.boosters[h] = fit_booster(mats, train.target(col) / s_train,
                                           valid.target(col) / s_valid,
                                           {"objective": "reg:squarederror"}, self.params,
                                           weights)
        return self

    def predict(self, x: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Columns `magnitude_h`, clipped at zero."""
        scale = self.scale.values(x)
        out = {f"magnitude_{h}": np.clip(predict_booster(b, x) * scale, 0.0, None)
               for h, b in self.boosters.items()}
        return pd.DataFrame(out, index=index)

    def importance(self, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Gain importance per horizon."""
        return {f"magnitude_{h}": gain_importance(b, names) for h, b in self.boosters.items()}
