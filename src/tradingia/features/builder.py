"""Build a feature frame from candles, and summarise one for reports."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tradingia.core import Timeframe
from tradingia.features._prices import prices_from_candles
from tradingia.features.registry import FeatureSet, get_feature_set


def build_features(
    candles: pd.DataFrame,
    feature_set: str | FeatureSet | Sequence[str] = "full",
    *,
    timeframe: Timeframe | str | None = None,
    with_session: bool = False,
) -> pd.DataFrame:
    """Features of `candles`: same index, one float64 column per feature, in set order.

    Every value at row t is computed from candles at or before t only. NaN appears only in
    the leading `FeatureSet.warmup_rows(timeframe)` rows. `timeframe` is inferred from the
    index when omitted; session (time-of-day) features are added only with `with_session`.
    """
    fs = get_feature_set(feature_set, with_session=with_session)
    prices = prices_from_candles(candles, timeframe)
    position = {name: i for i, name in enumerate(fs.columns)}
    # One (columns, rows) block: the frame wraps it without the copy a dict of columns costs.
    block = np.empty((len(fs.columns), prices.n), dtype="float64")
    for group in fs.groups():
        for name, values in group.compute(prices).items():
            if name in position:
                block[position[name]] = values
    return pd.DataFrame(block.T, index=candles.index, columns=list(fs.columns), copy=False)


def feature_summary(features: pd.DataFrame) -> pd.DataFrame:
    """Per feature: non-NaN count, leading NaN rows (warm-up), NaN after the warm-up,
    mean, std, min and max (over finite values)."""
    values = features.to_numpy(dtype="float64")
    nan = np.isnan(values)
    n = len(features)
    leading = np.where(nan.all(axis=0), n, np.argmin(nan, axis=0))
    finite = np.where(np.isfinite(values), values, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stats = {
            "count": (~nan).sum(axis=0),
            "nan_warmup": leading,
            "nan_after_warmup": nan.sum(axis=0) - leading,
            "mean": np.nanmean(finite, axis=0) if n else np.full(values.shape[1], np.nan),
            "std": np.nanstd(finite, axis=0, ddof=1) if n > 1 else np.full(values.shape[1], np.nan),
            "min": np.nanmin(finite, axis=0) if n else np.full(values.shape[1], np.nan),
            "max": np.nanmax(finite, axis=0) if n else np.full(values.shape[1], np.nan),
        }
    return pd.DataFrame(stats, index=pd.Index(features.columns, name="feature"))
