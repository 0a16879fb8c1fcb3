"""Targets: future range, future return and TP-first labels. They read the future BY DESIGN.

A target at row t uses close[t], ATR(14) at t (to size stop and target) and candles
t+1 .. t+h only; rows whose future is not fully known (the last h) are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import talib

from tradingia.core import UnsupportedError
from tradingia.features._prices import check_candles
from tradingia.features.kernels import tp_first_kernel

DEFAULT_HORIZONS: tuple[int, ...] = (6, 18, 36, 72)
ATR_PERIOD = 14


def _future_extreme(values: np.ndarray, horizon: int, *, highest: bool) -> np.ndarray:
    """max / min of values[t+1 .. t+horizon]; NaN for the last `horizon` rows."""
    if len(values) <= horizon:
        return np.full(values.shape[0], np.nan)
    rolling = talib.MAX(values, timeperiod=horizon) if highest else talib.MIN(values, horizon)
    out = np.full(values.shape[0], np.nan)
    out[: len(values) - horizon] = rolling[horizon:]
    return out


def tp_first_labels(
    candles: pd.DataFrame,
    atr: np.ndarray | pd.Series,
    horizon: int,
    *,
    stop_atr: float = 1.0,
    target_atr: float = 2.0,
) -> pd.DataFrame:
    """`tp_first_long_{h}` / `tp_first_short_{h}` for one horizon, given the ATR at entry."""
    check_candles(candles)
    high = np.ascontiguousarray(candles["high"].to_numpy(dtype="float64"))
    low = np.ascontiguousarray(candles["low"].to_numpy(dtype="float64"))
    close = np.ascontiguousarray(candles["close"].to_numpy(dtype="float64"))
    atr_arr = np.ascontiguousarray(np.asarray(atr, dtype="float64"))
    long_, short = tp_first_kernel(high, low, close, atr_arr, horizon, stop_atr, target_atr)
    return pd.DataFrame(
        {f"tp_first_long_{horizon}": long_, f"tp_first_short_{horizon}": short},
        index=candles.index,
    )


def _check(horizons: Sequence[int], stop_atr: float, target_atr: float) -> tuple[int, ...]:
    hs = tuple(int(h) for h in horizons)
    if not hs or any(h < 1 for h in hs) or len(set(hs)) != len(hs):
        raise UnsupportedError(f"Horizons must be distinct positive candle counts, got {horizons}.")
    if not (stop_atr > 0 and target_atr > 0):
        raise UnsupportedError(
            f"stop_atr and target_atr must be positive ATR multiples, got {stop_atr}, {target_atr}."
        )
    return hs


def build_targets(
    candles: pd.DataFrame,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    *,
    stop_atr: float = 1.0,
    target_atr: float = 2.0,
) -> pd.DataFrame:
    """For each horizon h: `delta_high_h`, `delta_low_h`, `return_h`, `tp_first_long_h`,
    `tp_first_short_h` (see the module docstring); NaN where the future is unknown."""
    hs = _check(horizons, stop_atr, target_atr)
    check_candles(candles)
    high, low, close = (
        np.ascontiguousarray(candles[c].to_numpy(dtype="float64"))
        for c in ("high", "low", "close")
    )
    atr = talib.ATR(high, low, close, timeperiod=ATR_PERIOD)
    out: dict[str, np.ndarray] = {}
    for h in hs:
        future_close = np.full(len(close), np.nan)
        future_close[: max(len(close) - h, 0)] = close[h:]
        out[f"delta_high_{h}"] = _future_extreme(high, h, highest=True) / close - 1.0
        out[f"delta_low_{h}"] = 1.0 - _future_extreme(low, h, highest=False) / close
        out[f"return_{h}"] = future_close / close - 1.0
        long_, short = tp_first_kernel(high, low, close, atr, h, stop_atr, target_atr)
        out[f"tp_first_long_{h}"], out[f"tp_first_short_{h}"] = long_, short
    return pd.DataFrame(out, index=candles.index)
