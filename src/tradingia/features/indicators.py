"""Momentum, trend and level indicators through TA-Lib, in scale-free form.

Oscillators bounded 0-100 are divided by 100; price-unit outputs (MACD, moving averages,
SAR, fractal levels) are expressed relative to the close, so the same model can read BTC and
EURUSD. EMA / Wilder / SAR values remember the start of the series (see `_memory`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib

from tradingia.features._memory import Memory, ema_settle, stable
from tradingia.features._prices import FloatArray, Prices, safe_div

EMA_PERIODS: tuple[int, ...] = (9, 21, 50, 200)
EMA_CROSSES: tuple[tuple[int, int], ...] = ((9, 21), (21, 50), (50, 200))
SMA_PERIODS: tuple[int, ...] = (10, 20)
ROC_PERIODS: tuple[int, ...] = (5, 10, 20)
_SAR_SETTLE = 500  # path-dependent: both runs agree exactly after their first shared reversal
_FRACTAL_SETTLE = 500  # until the first fractal, the level is the running extreme


def _wilder(period: int, lookback: int, stages: int = 1) -> Memory:
    return Memory(lookback, ema_settle(period, wilder=True, stages=stages, lookback=lookback))


def _ema(period: int, lookback: int, stages: int = 1) -> Memory:
    return Memory(lookback, ema_settle(period, stages=stages, lookback=lookback))


MOMENTUM_COLUMNS: dict[str, Memory] = {
    "rsi_14": _wilder(14, 14),
    "rsi_28": _wilder(28, 28),
    "macd": _ema(26, 25),
    "macd_signal": _ema(26, 33, stages=2),
    "macd_hist": _ema(26, 33, stages=2),
    **{f"roc_{k}": stable(k) for k in ROC_PERIODS},
    "adx_14": _wilder(14, 27, stages=2),
    "plus_di_14": _wilder(14, 14),
    "minus_di_14": _wilder(14, 14),
}

TREND_COLUMNS: dict[str, Memory] = {
    **{f"ema_cross_{a}_{b}": _ema(b, b - 1) for a, b in EMA_CROSSES},
    **{f"ema_dist_{p}": _ema(p, p - 1) for p in EMA_PERIODS},
    **{f"sma_dist_{p}": stable(p - 1) for p in SMA_PERIODS},
}

LEVEL_COLUMNS: dict[str, Memory] = {
    "sar_dist": Memory(1, _SAR_SETTLE),
    "fractal_up": stable(4),
    "fractal_down": stable(4),
    "fractal_high_dist": Memory(0, _FRACTAL_SETTLE),
    "fractal_low_dist": Memory(0, _FRACTAL_SETTLE),
}


def momentum_features(p: Prices) -> dict[str, FloatArray]:
    """RSI 14/28, MACD 12/26/9 (relative to close), ROC 5/10/20, ADX and +DI / -DI."""
    h, lo, c = p.high, p.low, p.close
    macd, signal, hist = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    out: dict[str, FloatArray] = {
        "rsi_14": talib.RSI(c, timeperiod=14) / 100.0,
        "rsi_28": talib.RSI(c, timeperiod=28) / 100.0,
        "macd": macd / c,
        "macd_signal": signal / c,
        "macd_hist": hist / c,
    }
    for k in ROC_PERIODS:
        out[f"roc_{k}"] = talib.ROCP(c, timeperiod=k)
    out["adx_14"] = talib.ADX(h, lo, c, timeperiod=14) / 100.0
    out["plus_di_14"] = talib.PLUS_DI(h, lo, c, timeperiod=14) / 100.0
    out["minus_di_14"] = talib.MINUS_DI(h, lo, c, timeperiod=14) / 100.0
    return out


def trend_features(p: Prices) -> dict[str, FloatArray]:
    """EMA 9/21/50/200 crossovers (sign) and distances, SMA 10/20 distances (close / MA - 1)."""
    c = p.close
    ema = {n: talib.EMA(c, timeperiod=n) for n in EMA_PERIODS}
    out: dict[str, FloatArray] = {}
    for a, b in EMA_CROSSES:
        out[f"ema_cross_{a}_{b}"] = np.sign(ema[a] - ema[b])
    for n in EMA_PERIODS:
        out[f"ema_dist_{n}"] = c / ema[n] - 1.0
    for n in SMA_PERIODS:
        out[f"sma_dist_{n}"] = c / talib.SMA(c, timeperiod=n) - 1.0
    return out


def _last_level(flags: FloatArray, level: FloatArray, fallback: FloatArray) -> FloatArray:
    """The level at the most recent flagged row, forward-filled (causal); `fallback` before."""
    known = pd.Series(np.where(flags > 0, level, np.nan)).ffill().to_numpy(dtype="float64")
    return np.where(np.isnan(known), fallback, known)


def level_features(p: Prices) -> dict[str, FloatArray]:
    """Parabolic SAR distance and 5-bar Williams fractals, known 2 candles after their centre.

    TA-Lib's FRACTAL marks the confirming candle (centre + 2), so the flags are causal. The
    distances compare the close with the last confirmed fractal high / low (before the first
    one: the highest high / lowest low so far).
    """
    h, lo, c = p.high, p.low, p.close
    up, down = (np.asarray(x, dtype="float64") / 100.0 for x in talib.FRACTAL(h, lo))
    high_2 = np.concatenate([np.full(2, np.nan), h[:-2]])[: p.n]
    low_2 = np.concatenate([np.full(2, np.nan), lo[:-2]])[: p.n]
    high_level = _last_level(up, high_2, np.maximum.accumulate(h))
    low_level = _last_level(down, low_2, np.minimum.accumulate(lo))
    up[:4] = np.nan
    down[:4] = np.nan
    return {
        "sar_dist": safe_div(c - talib.SAR(h, lo, acceleration=0.02, maximum=0.2), c),
        "fractal_up": up,
        "fractal_down": down,
        "fractal_high_dist": c / high_level - 1.0,
        "fractal_low_dist": c / low_level - 1.0,
    }
