"""Aligned features and targets: the one object level-1 models fit and predict on (Qlib style).

Rows inside the feature warm-up (any feature NaN) are dropped; targets stay NaN where their
future is unknown, and `trainable()` keeps only rows whose longest-horizon future is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradingia.core.errors import DataValidationError

AMD_TARGET = "amd_next"
AMD_NOW = "amd_now"


def range_targets(horizons: Sequence[int]) -> list[str]:
    """Target columns of the range predictor, in model order."""
    return [f"delta_{side}_{h}" for h in horizons for side in ("high", "low")]


def tp_targets(horizons: Sequence[int]) -> list[str]:
    """TP-before-stop label columns, long and short per horizon."""
    return [f"tp_first_{side}_{h}" for h in horizons for side in ("long", "short")]


def magnitude_targets(horizons: Sequence[int]) -> list[str]:
    """Absolute-move target columns per horizon."""
    return [f"abs_return_{h}" for h in horizons]


def add_derived_targets(
    targets: pd.DataFrame,
    horizons: Sequence[int],
    amd_phase: pd.Series | None = None,
    amd_horizon: int | None = None,
) -> pd.DataFrame:
    """Add `abs_return_h` and, given rule-based AMD phases, `amd_next` (phase `amd_horizon` ahead)
    and `amd_now` (the current phase, for the persistence baseline).

    `amd_next` holds phase codes (float, NaN where the future phase is unknown); the code order
    is the sorted list of phase labels, returned by `amd_classes`.
    """
    out = targets.copy()
    for h in horizons:
        out[f"abs_return_{h}"] = out[f"return_{h}"].abs()
    if amd_phase is not None:
        step = amd_step(horizons, amd_horizon)
        codes = amd_codes(amd_phase.reindex(out.index))
        out[AMD_NOW] = codes
        out[AMD_TARGET] = pd.Series(codes, index=out.index).shift(-step)
    return out


def amd_step(horizons: Sequence[int], amd_horizon: int | None = None) -> int:
    """Candles ahead of the `amd_next` label: `amd_horizon`, or the shortest horizon."""
    return amd_horizon or min(horizons)


def longest_label_horizon(horizons: Sequence[int], amd_horizon: int | None = None,
                  with_amd: bool = False) -> int:
    """The furthest candle the targets look ahead: the longest horizon, or the AMD step."""
    return max(max(horizons), amd_step(horizons, amd_horizon) if with_amd else 0)


def amd_classes(amd_phase: pd.Series) -> tuple[str, ...]:
    """Sorted distinct phase labels (as strings), NaN excluded."""
    return tuple(sorted({str(v) for v in amd_phase.dropna().unique()}))


def amd_codes(amd_phase: pd.Series, classes: Sequence[str] | None = None) -> np.ndarray:
    """Phase labels -> float codes in `classes` order (NaN stays NaN)."""
    classes = tuple(classes) if classes is not None else amd_classes(amd_phase)
    values = amd_phase.to_numpy(dtype=object)
    known = ~pd.isna(values)
    out = np.full(len(values), np.nan, dtype=np.float64)
    if known.any():
        # Index lookup of the labels as strings: -1 (not a class) stays NaN.
        found = pd.Index([str(c) for c in classes]).get_indexer(pd.Index(values[known].astype(str)))
        out[known] = np.where(found >= 0, found, np.nan)
    return out


@dataclass(frozen=True)
class Dataset:
    """Features (float32, no NaN) and targets on the same index, in time order.

    `label_horizon` is the furthest candle any target looks ahead (the longest horizon, or the
    AMD step when it is longer): fits purge at least this many rows before validation / test.
    """

    features: pd.DataFrame
    targets: pd.DataFrame
    amd_labels: tuple[str, ...] = ()
    label_horizon: int = 0
    _x: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.features.index.equals(self.targets.index):
            raise DataValidationError("features and targets must share one index")
        x = np.ascontiguousarray(self.features.to_numpy(dtype=np.float32))
        object.__setattr__(self, "_x", x)
        if self.label_horizon < 0:
            raise DataValidationError("label_horizon must be a candle count >= 0")

    @classmethod
    def from_frames(
        cls,
        features: pd.DataFrame,
        targets: pd.DataFrame | None = None,
        amd_labels: Sequence[str] = (),
        label_horizon: int = 0,
    ) -> Dataset:
        """Align on the features' index and drop the warm-up (rows with any NaN feature).
        `label_horizon`: the furthest candle the targets look ahead (see the class)."""
        if features.empty:
            raise DataValidationError("no feature rows: the candle series is empty")
        if not features.index.is_monotonic_increasing or features.index.has_duplicates:
            raise DataValidationError("feature index must be strictly increasing")
        ready = features.notna().all(axis=1).to_numpy()
        feats = features.loc[ready].astype(np.float32)
        if feats.empty:
            raise DataValidationError(
                f"all {len(features)} rows are inside the feature warm-up: give more candles"
            )
        tgt = (targets.reindex(feats.index) if targets is not None
               else pd.DataFrame(index=feats.index))
        return cls(features=feats, targets=tgt, amd_labels=tuple(amd_labels),
                   label_horizon=label_horizon)

    @property
    def index(self) -> pd.DatetimeIndex:
        """The row timestamps."""
        return pd.DatetimeIndex(self.features.index)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Feature columns in model order."""
        return tuple(str(c) for c in self.features.columns)

    @property
    def x(self) -> np.ndarray:
        """The feature matrix, float32, C-contiguous."""
        return self._x

    def __len__(self) -> int:
        return len(self.features)

    def rows(self, positions: np.ndarray | slice) -> Dataset:
        """The rows at these positions (a slice or integer array), as a new Dataset; its float32
        matrix is this one's rows (a view for a plain slice), not rebuilt from the frame."""
        out = object.__new__(Dataset)
        for name, value in (("features", self.features.iloc[positions]),
                            ("targets", self.targets.iloc[positions]),
                            ("amd_labels", self.amd_labels),
                            ("label_horizon", self.label_horizon),
                            ("_x", np.ascontiguousarray(self._x[positions]))):
            object.__setattr__(out, name, value)
        return out

    def target(self, column: str) -> np.ndarray:
        """One target column as float64 (NaN where unknown); raises when it is missing."""
        if column not in self.targets.columns:
            raise DataValidationError(f"target column {column!r} missing from the dataset")
        return self.targets[column].to_numpy(dtype=np.float64)

    def trainable(self, horizons: Sequence[int]) -> Dataset:
        """Rows whose targets of every horizon are known (drops the unknown-future tail)."""
        cols = [c for c in range_targets(horizons) if c in self.targets.columns]
        if not cols:
            raise DataValidationError("dataset has no range targets to train on")
        known = self.targets[cols].notna().all(axis=1).to_numpy()
        return self.rows(np.flatnonzero(known))
