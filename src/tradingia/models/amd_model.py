"""AMD phase model: learns the rule-based AMD phase `amd_horizon` candles ahead from features.

The labels come from `tradingia.features.amd.amd_labels` (causal); the target at t is the label
at t + amd_horizon, so the model forecasts the next phase rather than restating the current one.
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
from tradingia.models.dataset import AMD_TARGET, Dataset


class AMDPhaseModel:
    """Multiclass probabilities of the next AMD phase; output `amd_phase` and `p_amd_{phase}`."""

    name = "amd"

    def __init__(self, classes: Sequence[str], params: BoosterParams | None = None) -> None:
        if len(classes) < 2:
            raise ValueError("the AMD model needs at least two phase labels")
        self.classes = tuple(classes)
        self.params = params or BoosterParams()
        self.booster: xgb.Booster | None = None

    @property
    def targets(self) -> list[str]:
        """The one target column this model learns."""
        return [AMD_TARGET]

    def fit(self, mats: FitMatrices, train: Dataset, valid: Dataset) -> AMDPhaseModel:
        """One softprob booster, early-stopped on the validation slice's log-loss."""
        objective = {"objective": "multi:softprob", "num_class": len(self.classes),
                     "eval_metric": "mlogloss"}
        self.booster = fit_booster(mats, train.target(AMD_TARGET), valid.target(AMD_TARGET),
                                   objective, self.params)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, one column per phase in `classes` order."""
        if self.booster is None:
            raise RuntimeError("AMDPhaseModel.predict before fit")
        proba = predict_booster(self.booster, x)
        return proba.reshape(len(x), len(self.classes))

    def predict(self, x: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Most likely next phase and every phase's probability."""
        proba = self.predict_proba(x)
        out = pd.DataFrame({f"p_amd_{c}": proba[:, i] for i, c in enumerate(self.classes)},
                           index=index)
        out.insert(0, "amd_phase", np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)])
        return out

    def importance(self, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Gain importance of the one booster."""
        return {} if self.booster is None else {AMD_TARGET: gain_importance(self.booster, names)}
