"""The candle arrays every feature group reads, checked once where candles enter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingia.core import CANDLE_COLUMNS, DataValidationError, Timeframe, UnsupportedError

FloatArray = np.ndarray


@dataclass(frozen=True)
class Prices:
    """Contiguous float64 OHLCV arrays of one candle frame, plus its index and timeframe."""

    frame: pd.DataFrame
    timeframe: Timeframe
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    @property
    def n(self) -> int:
        """Number of candles."""
        return len(self.close)


def check_candles(candles: pd.DataFrame) -> None:
    """Raise DataValidationError, saying how to fix it, unless `candles` meets the contract
    this package relies on (OHLCV columns, strictly increasing DatetimeIndex)."""
    missing = [c for c in CANDLE_COLUMNS if c not in candles.columns]
    if missing:
        raise DataValidationError(
            f"Candles lack columns {missing}; expected {list(CANDLE_COLUMNS)}. "
            "Rename the columns or load the file with tradingia.data.sources."
        )
    index = candles.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(
            "Candles need a DatetimeIndex of candle open times; "
            "read them with index_col='timestamp', parse_dates=True."
        )
    if not (index.is_monotonic_increasing and index.is_unique):
        raise DataValidationError(
            "Candle timestamps must be strictly increasing with no duplicates; "
            "sort the frame and drop duplicated rows first."
        )


def prices_from_candles(candles: pd.DataFrame, timeframe: Timeframe | str | None = None) -> Prices:
    """Check the candle contract once and extract the arrays (timeframe inferred if None)."""
    check_candles(candles)
    index = pd.DatetimeIndex(candles.index)
    tf = Timeframe.parse(timeframe) if timeframe is not None else infer_timeframe(index)

    def col(name: str) -> FloatArray:
        return np.ascontiguousarray(candles[name].to_numpy(dtype="float64"))

    return Prices(candles, tf, col("open"), col("high"), col("low"), col("close"), col("volume"))


def infer_timeframe(index: pd.DatetimeIndex) -> Timeframe:
    """The timeframe whose length is the most common step between consecutive candles."""
    if len(index) < 2:
        raise UnsupportedError(
            "Cannot infer the timeframe of fewer than 2 candles; pass timeframe=... explicitly."
        )
    steps = np.diff(index.asi8)
    values, counts = np.unique(steps, return_counts=True)
    step = pd.Timedelta(int(values[np.argmax(counts)]), unit=index.unit)
    for tf in Timeframe:
        if tf.delta == step:
            return tf
    raise UnsupportedError(
        f"The most common candle step is {step}, which is no supported timeframe "
        f"({', '.join(t.value for t in Timeframe)}); resample the candles first."
    )


def safe_div(num: FloatArray, den: FloatArray, fill: float = 0.0) -> FloatArray:
    """num / den, with `fill` where den == 0 (NaN inputs stay NaN: warm-up is preserved)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den)
    zero = den == 0
    if zero.any():
        out = np.where(zero & ~np.isnan(num), fill, out)
    return np.asarray(out, dtype="float64")


def flag(condition: FloatArray, *inputs: FloatArray) -> FloatArray:
    """A boolean condition as 0.0 / 1.0, NaN where any input is NaN (still warming up)."""
    out = np.asarray(condition, dtype="float64")
    for arr in inputs:
        out = np.where(np.isnan(arr), np.nan, out)
    return out


def lag(values: FloatArray, k: int) -> FloatArray:
    """values[t - k], NaN for the first k rows (a causal shift)."""
    out = np.full_like(values, np.nan)
    if k < len(values):
        out[k:] = values[: len(values) - k]
    return out
