"""Volatility, squeeze, compression and rolling-range features (scale-free)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib

from tradingia.features._memory import Memory, ema_settle, stable
from tradingia.features._prices import FloatArray, Prices, flag, safe_div

ATR_PERIODS: tuple[int, ...] = (5, 10, 20, 50)
RANGE_WINDOWS: tuple[int, ...] = (3, 12, 24)
_BB = 20
_SQUEEZE_WINDOW, _SQUEEZE_QUANTILE = 50, 0.2
_KELTNER_MULT = 1.5
_COMPRESSION_FAST, _COMPRESSION_SLOW, _EXPANSION_BELOW = 10, 50, 0.3


def _atr_memory(period: int) -> Memory:
    return Memory(period, ema_settle(period, wilder=True, lookback=period))


COLUMNS: dict[str, Memory] = {
    **{f"atr_{p}": _atr_memory(p) for p in ATR_PERIODS},
    "bb_width_20": stable(_BB - 1),
    "bb_pos_20": stable(_BB - 1),
    "bb_squeeze": stable(_BB - 1 + _SQUEEZE_WINDOW - 1),
    "keltner_squeeze": Memory(_BB, ema_settle(_BB, wilder=True, lookback=_BB)),
    "hl_range": stable(0),
    "hl_range_vs_atr": _atr_memory(10),
    "compression_score": stable(_COMPRESSION_SLOW - 1),
    "expansion_imminent": stable(_COMPRESSION_SLOW - 1),
    **{f"range_{w}": stable(w - 1) for w in RANGE_WINDOWS},
    **{f"range_pos_{w}": stable(w - 1) for w in RANGE_WINDOWS},
}


def _squeeze_flag(width: FloatArray) -> FloatArray:
    """1 where the Bollinger width is below its own trailing 20% quantile (50 candles)."""
    threshold = (
        pd.Series(width)
        .rolling(_SQUEEZE_WINDOW, min_periods=_SQUEEZE_WINDOW)
        .quantile(_SQUEEZE_QUANTILE)
        .to_numpy(dtype="float64")
    )
    return flag(width < threshold, width, threshold)


def volatility_features(p: Prices) -> dict[str, FloatArray]:
    """ATR 5/10/20/50 over close, Bollinger width / position / squeeze, Keltner squeeze,
    high-low range vs ATR, compression score and the expansion flag."""
    h, lo, c = p.high, p.low, p.close
    out: dict[str, FloatArray] = {
        f"atr_{n}": talib.NATR(h, lo, c, timeperiod=n) / 100.0 for n in ATR_PERIODS
    }
    upper, middle, lower = talib.BBANDS(c, timeperiod=_BB, nbdevup=2.0, nbdevdn=2.0)
    out["bb_width_20"] = safe_div(upper - lower, middle)
    out["bb_pos_20"] = safe_div(c - lower, upper - lower, fill=0.5)
    out["bb_squeeze"] = _squeeze_flag(out["bb_width_20"])
    kc_mid = talib.EMA(c, timeperiod=_BB)
    kc_band = _KELTNER_MULT * talib.ATR(h, lo, c, timeperiod=_BB)
    inside = (upper < kc_mid + kc_band) & (lower > kc_mid - kc_band)
    out["keltner_squeeze"] = flag(inside, kc_band, upper)
    hl = (h - lo) / c
    out["hl_range"] = hl
    out["hl_range_vs_atr"] = safe_div(h - lo, talib.ATR(h, lo, c, timeperiod=10))
    compression = safe_div(
        talib.MIN(hl, timeperiod=_COMPRESSION_FAST),
        talib.MAX(hl, timeperiod=_COMPRESSION_SLOW),
        fill=1.0,
    )
    compression[: _COMPRESSION_SLOW - 1] = np.nan
    out["compression_score"] = compression
    out["expansion_imminent"] = flag(compression < _EXPANSION_BELOW, compression)
    for w in RANGE_WINDOWS:
        top, bottom = talib.MAX(h, timeperiod=w), talib.MIN(lo, timeperiod=w)
        out[f"range_{w}"] = (top - bottom) / c
        out[f"range_pos_{w}"] = safe_div(c - bottom, top - bottom, fill=0.5)
    return out
