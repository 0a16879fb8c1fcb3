"""Return features: log returns, acceleration, return volatility and higher moments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import talib

from tradingia.features._memory import Memory, stable
from tradingia.features._prices import FloatArray, Prices, lag

RETURN_LAGS: tuple[int, ...] = (1, 5, 10, 20)
_MOMENT_WINDOW = 50

COLUMNS: dict[str, Memory] = {
    **{f"ret_{k}": stable(k) for k in RETURN_LAGS},
    "ret_accel": stable(2),
    "ret_vol_20": stable(5 + 19),
    "ret_skew_50": stable(10 + _MOMENT_WINDOW - 1),
    "ret_kurt_50": stable(10 + _MOMENT_WINDOW - 1),
    "hist_vol_20": stable(1 + 19),
}


def log_return(close: FloatArray, k: int) -> FloatArray:
    """ln(close[t] / close[t-k]) through TA-Lib's ROCR."""
    return np.asarray(np.log(talib.ROCR(close, timeperiod=k)), dtype="float64")


def _rolling_moment(values: FloatArray, window: int, which: str, lookback: int) -> FloatArray:
    """Rolling skew or excess kurtosis (no TA-Lib equivalent); 0 for a flat window."""
    rolling = pd.Series(values).rolling(window, min_periods=window)
    moment = rolling.skew() if which == "skew" else rolling.kurt()
    out = np.array(moment.to_numpy(dtype="float64"), copy=True)
    # After the warm-up the inputs are finite, so a NaN here means zero variance.
    out[lookback:] = np.nan_to_num(out[lookback:], nan=0.0)
    return out


def returns_features(p: Prices) -> dict[str, FloatArray]:
    """Log returns over 1/5/10/20 candles and statistics of returns (scale-free)."""
    c = p.close
    out: dict[str, FloatArray] = {f"ret_{k}": log_return(c, k) for k in RETURN_LAGS}
    out["ret_accel"] = out["ret_1"] - lag(out["ret_1"], 1)
    out["ret_vol_20"] = talib.STDDEV(talib.ROCP(c, timeperiod=5), timeperiod=20)
    ret_10 = talib.ROCP(c, timeperiod=10)
    lb = COLUMNS["ret_skew_50"].lookback
    out["ret_skew_50"] = _rolling_moment(ret_10, _MOMENT_WINDOW, "skew", lb)
    out["ret_kurt_50"] = _rolling_moment(ret_10, _MOMENT_WINDOW, "kurt", lb)
    # The spec's sqrt(252) scaling: a fixed constant, not a true annualisation on intraday bars.
    out["hist_vol_20"] = talib.STDDEV(out["ret_1"], timeperiod=20) * math.sqrt(252.0)
    return out
