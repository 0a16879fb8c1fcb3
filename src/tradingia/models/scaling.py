"""Volatility scale read from a feature column (normalised ATR), so targets become unit-free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class VolatilityScale:
    """Column position of the scale feature (None: no scaling) and the loss-weight power."""

    column: int | None
    weight_power: float = 1.0
    name: str | None = None

    @classmethod
    def pick(cls, feature_names: Sequence[str], candidates: Sequence[str],
             weight_power: float = 1.0) -> VolatilityScale:
        """The first candidate present among the features; no scaling when none is."""
        for name in candidates:
            if name in feature_names:
                return cls(list(feature_names).index(name), weight_power, name)
        return cls(None, weight_power, None)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Per-row scale (ones when unscaled); non-positive values are floored at a tiny eps."""
        if self.column is None:
            return np.ones(len(x), dtype=np.float64)
        return np.maximum(x[:, self.column].astype(np.float64), 1e-6)

    def weights(self, scale: np.ndarray) -> np.ndarray | None:
        """Row weights scale ** power, normalised to mean 1 (None when unscaled or power 0)."""
        if self.column is None or self.weight_power == 0:
            return None
        w = scale ** self.weight_power
        mean = float(np.mean(w)) if len(w) else 1.0
        out: np.ndarray = w / mean if mean > 0 else w
        return out
