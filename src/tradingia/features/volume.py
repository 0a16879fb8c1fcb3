"""Volume features in scale-free form (volume units cancel out)."""

from __future__ import annotations

import talib

from tradingia.features._memory import Memory, ema_settle, stable
from tradingia.features._prices import FloatArray, Prices, flag, lag, safe_div

_WINDOW = 20
_ANOMALY_Z = 2.0

COLUMNS: dict[str, Memory] = {
    "obv_slope_20": stable(_WINDOW),
    "ad_osc": Memory(9, ema_settle(10, lookback=9)),
    "mfi_14": stable(14),
    "cmf_20": stable(_WINDOW),
    "volume_z_20": stable(_WINDOW - 1),
    "volume_anomaly": stable(_WINDOW - 1),
}


def volume_features(p: Prices) -> dict[str, FloatArray]:
    """OBV and A/D as changes over 20 candles per unit of volume, A/D oscillator, MFI 14,
    Chaikin money flow 20, volume z-score and its anomaly flag.

    OBV and A/D are cumulative from the first candle; their raw level depends on where the
    series starts, so only their windowed changes are used. CMF 20 is exactly
    (AD[t] - AD[t-20]) / sum(volume over 20).
    """
    h, lo, c, v = p.high, p.low, p.close, p.volume
    vol_sum = talib.SUM(v, timeperiod=_WINDOW)
    obv = talib.OBV(c, v)
    ad = talib.AD(h, lo, c, v)
    vol_mean = talib.SMA(v, timeperiod=_WINDOW)
    vol_std = talib.STDDEV(v, timeperiod=_WINDOW)
    z = safe_div(v - vol_mean, vol_std)
    return {
        "obv_slope_20": safe_div(obv - lag(obv, _WINDOW), vol_sum),
        "ad_osc": safe_div(
            talib.ADOSC(h, lo, c, v, fastperiod=3, slowperiod=10), talib.SMA(v, timeperiod=10)
        ),
        "mfi_14": talib.MFI(h, lo, c, v, timeperiod=14) / 100.0,
        "cmf_20": safe_div(ad - lag(ad, _WINDOW), vol_sum),
        "volume_z_20": z,
        "volume_anomaly": flag(z > _ANOMALY_Z, z),
    }
