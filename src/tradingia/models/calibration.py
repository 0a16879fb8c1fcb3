"""Probability calibration (isotonic or Platt), fit on a held-out slice of the train window only.

The fitted calibrator keeps the rows it was fit on (`fit_index`) so tests and reports can check
that no test row was ever used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

CalibrationMethod = Literal["isotonic", "platt", "none"]


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A monotone map from raw to calibrated probability, stored as plain arrays."""

    method: CalibrationMethod
    x: np.ndarray  # isotonic knots, or Platt (a, b)
    y: np.ndarray
    fit_index: np.ndarray  # timestamps (int64 ns) of the rows it was fit on

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, clipped into [0, 1]."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.method == "isotonic":
            out = np.interp(raw, self.x, self.y)
        elif self.method == "platt":
            logit = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / np.clip(1 - raw, 1e-6, 1))
            out = 1.0 / (1.0 + np.exp(-(self.x[0] * logit + self.x[1])))
        else:
            out = raw
        clipped: np.ndarray = np.clip(out, 0.0, 1.0)
        return clipped


def identity_calibrator() -> Calibrator:
    """A calibrator that changes nothing (used when the held-out slice has one class only)."""
    empty = np.zeros(0)
    return Calibrator("none", empty, empty, np.zeros(0, dtype=np.int64))


def fit_calibrator(
    raw: np.ndarray,
    y: np.ndarray,
    fit_index: np.ndarray,
    method: CalibrationMethod = "isotonic",
) -> Calibrator:
    """Fit on held-out rows (raw scores and 0/1 labels); unknown labels (NaN) are ignored."""
    known = np.isfinite(y) & np.isfinite(raw)
    raw_k, y_k = raw[known].astype(np.float64), y[known].astype(np.float64)
    idx = np.asarray(fit_index)[known].astype(np.int64)
    if method == "none" or len(np.unique(y_k)) < 2:
        return identity_calibrator()
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(raw_k, y_k)
        return Calibrator("isotonic", np.asarray(iso.X_thresholds_, dtype=np.float64),
                          np.asarray(iso.y_thresholds_, dtype=np.float64), idx)
    logit = np.log(np.clip(raw_k, 1e-6, 1 - 1e-6) / np.clip(1 - raw_k, 1e-6, 1))
    lr = LogisticRegression(C=1e6)
    lr.fit(logit.reshape(-1, 1), y_k.astype(int))
    coef = np.array([float(lr.coef_[0, 0]), float(lr.intercept_[0])])
    return Calibrator("platt", coef, np.zeros(0), idx)
