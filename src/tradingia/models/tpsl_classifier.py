"""TPSLClassifier: probability that the target is hit before the stop, long and short.

Raw booster scores are calibrated (isotonic by default) on the validation slice of the same
train window: the rows held out for early stopping, never a test row.
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
from tradingia.models.calibration import CalibrationMethod, Calibrator, fit_calibrator
from tradingia.models.dataset import Dataset, tp_targets


class TPSLClassifier:
    """Calibrated P(TP before SL) per horizon and side; output `p_tp_first_{side}_{h}`."""

    name = "tpsl"

    def __init__(
        self,
        horizons: Sequence[int],
        params: BoosterParams | None = None,
        calibration: CalibrationMethod = "isotonic",
    ) -> None:
        self.horizons = tuple(int(h) for h in horizons)
        self.params = params or BoosterParams()
        self.calibration: CalibrationMethod = calibration
        self.boosters: dict[str, xgb.Booster] = {}
        self.calibrators: dict[str, Calibrator] = {}

    @property
    def targets(self) -> list[str]:
        """Label columns this model learns."""
        return tp_targets(self.horizons)

    def fit(self, mats: FitMatrices, train: Dataset, valid: Dataset) -> TPSLClassifier:
        """Fit each label on the train part, calibrate on the validation slice."""
        valid_ns = valid.index.as_unit("ns").asi8
        for col in self.targets:
            booster = fit_booster(
                mats, train.target(col), valid.target(col),
                {"objective": "binary:logistic", "eval_metric": "logloss"}, self.params,
            )
            self.boosters[col] = booster
            raw = predict_booster(booster, valid.x)
            self.calibrators[col] = fit_calibrator(raw, valid.target(col), valid_ns,
                                                   self.calibration)
        return self

    def predict(self, x: np.ndarray, index: pd.Index) -> pd.DataFrame:
        """Calibrated probabilities, columns `p_tp_first_long_h` / `p_tp_first_short_h`."""
        out = {f"p_{col}": self.calibrators[col](predict_booster(b, x))
               for col, b in self.boosters.items()}
        return pd.DataFrame(out, index=index)

    def importance(self, names: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Gain importance per label."""
        return {col: gain_importance(b, names) for col, b in self.boosters.items()}
