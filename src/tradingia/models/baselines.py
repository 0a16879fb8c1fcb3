"""Naive baselines every model is reported beside, computed causally on the same rows.

- recent realised range: mean of the last `window` *completed* windows' realised target, i.e.
  only windows whose horizon ended at or before t (`target.shift(h)`), as in the issue;
- ATR persistence: ATR(14)/close scaled by a factor fit on the fold's train rows;
- base rate: the TP-first frequency of the fold's train rows;
- momentum: the sign of the last h-candle return, for direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib

RECENT_WINDOW = 288


def recent_realised(target: pd.Series, horizon: int, window: int = RECENT_WINDOW) -> pd.Series:
    """Mean realised value of the last `window` windows that had ended by t (causal)."""
    return target.shift(horizon).rolling(window, min_periods=window).mean()


def past_return(targets: pd.DataFrame, horizon: int) -> pd.Series:
    """close[t] / close[t-h] - 1, read from the h-step return target shifted by h (causal)."""
    return targets[f"return_{horizon}"].shift(horizon)


def atr_ratio(candles: pd.DataFrame, period: int = 14) -> pd.Series:
    """ATR(period) / close at each candle (TA-Lib, causal)."""
    atr = talib.ATR(candles["high"].to_numpy(np.float64), candles["low"].to_numpy(np.float64),
                    candles["close"].to_numpy(np.float64), timeperiod=period)
    return pd.Series(atr / candles["close"].to_numpy(np.float64), index=candles.index)


def fit_scale(y: np.ndarray, x: np.ndarray) -> float:
    """Least-squares factor k of y ≈ k·x on rows where both are known (train rows only)."""
    ok = np.isfinite(y) & np.isfinite(x)
    denom = float(np.dot(x[ok], x[ok]))
    return float(np.dot(x[ok], y[ok]) / denom) if denom > 0 else float("nan")


def base_rate(y: np.ndarray) -> float:
    """Frequency of 1 among known labels."""
    known = y[np.isfinite(y)]
    return float(known.mean()) if len(known) else float("nan")


def recent_baselines(targets: pd.DataFrame, horizons: tuple[int, ...],
                     window: int = RECENT_WINDOW) -> pd.DataFrame:
    """`recent_{col}` for every range and magnitude target, plus `momentum_{h}` (past return).

    Compute it on the full, gap-free target frame (before any row is dropped), then align.
    """
    out: dict[str, pd.Series] = {}
    for h in horizons:
        for col in (f"delta_high_{h}", f"delta_low_{h}", f"abs_return_{h}"):
            if col in targets.columns:
                out[f"recent_{col}"] = recent_realised(targets[col], h, window)
        if f"return_{h}" in targets.columns:
            out[f"momentum_{h}"] = past_return(targets, h)
    return pd.DataFrame(out, index=targets.index)
