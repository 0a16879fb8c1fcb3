"""Higher-timeframe features aligned onto base rows using closed higher-timeframe candles only.

A higher-timeframe (HTF) candle opening at T with length L is complete once the base candle
that closes at T + L has closed, i.e. from the base row labelled T + L - base (a 1h candle
opening 10:00 is usable from the 5m row labelled 10:55, which closes at 11:00). Each HTF
value is stamped with that availability label and carried forward onto later base rows, so a
partial bucket (the one still forming, or one cut short by a gap before its last base candle
arrives) is never read before it could have been known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib

from tradingia.core import Timeframe, UnsupportedError
from tradingia.features._memory import Memory, ema_settle
from tradingia.features._prices import FloatArray, Prices, prices_from_candles

HIGHER_TIMEFRAMES: tuple[Timeframe, ...] = (Timeframe.M15, Timeframe.H1, Timeframe.H4)

# Per HTF: (feature suffix, lookback in HTF candles, settle in HTF candles).
_BLOCK: tuple[tuple[str, int, int], ...] = (
    ("ret_1", 1, 1),
    ("rsi_14", 14, ema_settle(14, wilder=True, lookback=14)),
    ("atr_14", 14, ema_settle(14, wilder=True, lookback=14)),
    ("ema_dist_21", 20, ema_settle(21, lookback=20)),
    ("ema_cross_9_21", 20, ema_settle(21, lookback=20)),
    ("adx_14", 27, ema_settle(14, wilder=True, stages=2, lookback=27)),
)


def _name(tf: Timeframe, suffix: str) -> str:
    return f"mtf_{tf.value}_{suffix}"


COLUMNS: dict[str, Memory] = {
    _name(tf, suffix): Memory(lookback, settle, per=tf)
    for tf in HIGHER_TIMEFRAMES
    for suffix, lookback, settle in _BLOCK
}
COLUMNS["mtf_alignment"] = Memory(20, ema_settle(21, lookback=20), per=HIGHER_TIMEFRAMES[-1])
COLUMNS["mtf_conflict"] = COLUMNS["mtf_alignment"]


def resample_closed_buckets(candles: pd.DataFrame, to: Timeframe) -> pd.DataFrame:
    """OHLCV of `to` built from the base candles that exist (empty buckets dropped).

    Buckets are anchored on the Unix epoch, so they do not depend on where the series starts.
    The last bucket may be partial; `align_to_base` never reads it before it closes.
    """
    grouped = candles.resample(to.pandas_freq, label="left", closed="left", origin="epoch")
    out = grouped.agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    counts = grouped["close"].count()
    return out.loc[counts.to_numpy() > 0]


def align_to_base(
    values: pd.DataFrame, htf: Timeframe, base: Timeframe, base_index: pd.DatetimeIndex
) -> pd.DataFrame:
    """Carry each HTF row forward onto the base rows at and after its availability label."""
    available = (pd.DatetimeIndex(values.index) + (htf.delta - base.delta)).as_unit("ns").asi8
    targets = base_index.as_unit("ns").asi8
    pos = np.searchsorted(available, targets, side="right") - 1
    data = values.to_numpy(dtype="float64")
    aligned = np.full((len(targets), data.shape[1]), np.nan)
    ok = pos >= 0
    aligned[ok] = data[pos[ok]]
    return pd.DataFrame(aligned, index=base_index, columns=values.columns)


def _htf_block(p: Prices) -> pd.DataFrame:
    h, lo, c = p.high, p.low, p.close
    ema9, ema21 = talib.EMA(c, timeperiod=9), talib.EMA(c, timeperiod=21)
    block = {
        "ret_1": np.log(talib.ROCR(c, timeperiod=1)),
        "rsi_14": talib.RSI(c, timeperiod=14) / 100.0,
        "atr_14": talib.NATR(h, lo, c, timeperiod=14) / 100.0,
        "ema_dist_21": c / ema21 - 1.0,
        "ema_cross_9_21": np.sign(ema9 - ema21),
        "adx_14": talib.ADX(h, lo, c, timeperiod=14) / 100.0,
    }
    return pd.DataFrame(block, index=p.frame.index)


def check_base_timeframe(base: Timeframe) -> None:
    """Raise unless every higher timeframe is a strict multiple of `base`."""
    for tf in HIGHER_TIMEFRAMES:
        if tf.minutes <= base.minutes or tf.minutes % base.minutes:
            raise UnsupportedError(
                f"Multi-timeframe features ({', '.join(t.value for t in HIGHER_TIMEFRAMES)}) "
                f"need base candles finer than {HIGHER_TIMEFRAMES[0].value} (got {base.value}). "
                "Pass 1m or 5m candles, or use feature_set='extended'."
            )


def multitimeframe_features(p: Prices) -> dict[str, FloatArray]:
    """15m / 1h / 4h returns, RSI, ATR, EMA distance and cross, ADX on base rows, plus the
    agreement of EMA 9/21 trend direction across base and higher timeframes."""
    check_base_timeframe(p.timeframe)
    out: dict[str, FloatArray] = {}
    base_cross = np.sign(talib.EMA(p.close, timeperiod=9) - talib.EMA(p.close, timeperiod=21))
    crosses = [base_cross]
    for tf in HIGHER_TIMEFRAMES:
        htf_prices = prices_from_candles(resample_closed_buckets(p.frame, tf), tf)
        aligned = align_to_base(
            _htf_block(htf_prices), tf, p.timeframe, pd.DatetimeIndex(p.frame.index)
        )
        for suffix in aligned.columns:
            out[_name(tf, str(suffix))] = aligned[suffix].to_numpy(dtype="float64")
        crosses.append(out[_name(tf, "ema_cross_9_21")])
    alignment = np.mean(np.vstack(crosses), axis=0)
    out["mtf_alignment"] = alignment
    out["mtf_conflict"] = 1.0 - np.abs(alignment)
    return out
