"""Higher-timeframe alignment: a HTF candle is usable only once its last base candle closed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_helpers import CandleFactory

from tradingia.core import Timeframe
from tradingia.features import build_features
from tradingia.features.multitimeframe import align_to_base, resample_closed_buckets


def _hour_markers(base_index: pd.DatetimeIndex) -> pd.DataFrame:
    hours = pd.date_range(base_index[0].floor("1h"), base_index[-1], freq="1h")
    return pd.DataFrame({"hour": hours.hour.astype("float64")}, index=hours)


def test_hour_opening_10_00_is_first_seen_on_the_5m_row_labelled_10_55() -> None:
    base = pd.date_range("2024-03-04 08:00", "2024-03-04 12:00", freq="5min", tz="UTC")
    aligned = align_to_base(_hour_markers(base), Timeframe.H1, Timeframe.M5, base)["hour"]
    assert aligned["2024-03-04 10:50"] == 9.0
    assert aligned["2024-03-04 10:55"] == 10.0
    assert aligned["2024-03-04 11:00"] == 10.0
    assert np.isnan(aligned["2024-03-04 08:50"])  # nothing has closed yet
    assert aligned["2024-03-04 08:55"] == 8.0


def test_missing_last_base_candle_delays_the_hour_to_the_next_row() -> None:
    base = pd.date_range("2024-03-04 08:00", "2024-03-04 12:00", freq="5min", tz="UTC")
    base = base.drop(pd.Timestamp("2024-03-04 10:55", tz="UTC"))
    aligned = align_to_base(_hour_markers(base), Timeframe.H1, Timeframe.M5, base)["hour"]
    assert aligned["2024-03-04 10:50"] == 9.0
    assert aligned["2024-03-04 11:00"] == 10.0


def test_resampled_buckets_aggregate_ohlcv_and_skip_empty_ones(
    candle_factory: CandleFactory,
) -> None:
    candles = candle_factory(48, start="2024-03-04 00:00")
    candles = candles.drop(candles.index[12:24])  # the whole 01:00 hour is missing
    hourly = resample_closed_buckets(candles, Timeframe.H1)
    assert list(hourly.index.hour) == [0, 2, 3]
    first = candles.iloc[:12]
    assert hourly.iloc[0].to_dict() == {
        "open": first["open"].iloc[0], "high": first["high"].max(), "low": first["low"].min(),
        "close": first["close"].iloc[-1], "volume": pytest.approx(first["volume"].sum()),
    }


def test_four_hour_buckets_are_anchored_on_midnight_utc(candle_factory: CandleFactory) -> None:
    candles = candle_factory(200, start="2024-03-04 01:35")
    four_hourly = resample_closed_buckets(candles, Timeframe.H4)
    assert set(four_hourly.index.hour) <= {0, 4, 8, 12, 16, 20}


def test_hourly_return_feature_uses_the_last_closed_hour(candle_factory: CandleFactory) -> None:
    candles = candle_factory(3_000, seed=6)
    f = build_features(candles, ["mtf_1h_ret_1"])["mtf_1h_ret_1"]
    close = candles["close"]
    at = pd.Timestamp("2024-01-05 10:55", tz="UTC")
    expected = np.log(close[at] / close[pd.Timestamp("2024-01-05 09:55", tz="UTC")])
    assert f[at] == pytest.approx(expected, rel=1e-12)
    # At 10:50 the 10:00 hour is still forming: the value is the 09:00 hour's return.
    assert f[at - pd.Timedelta("5min")] == f[pd.Timestamp("2024-01-05 09:55", tz="UTC")]


def test_alignment_counts_agreeing_trends_across_timeframes(
    candle_factory: CandleFactory,
) -> None:
    candles = candle_factory(3_000, seed=8)
    f = build_features(candles, "full")
    crosses = f[[f"mtf_{tf}_ema_cross_9_21" for tf in ("15m", "1h", "4h")]]
    valid = f["mtf_alignment"].notna()
    assert valid.sum() > 1_000
    base_cross = f.loc[valid, "mtf_alignment"] * 4 - crosses[valid].sum(axis=1)
    assert set(np.round(base_cross.unique(), 9)) <= {-1.0, 0.0, 1.0}
    np.testing.assert_allclose(
        f.loc[valid, "mtf_conflict"], 1 - f.loc[valid, "mtf_alignment"].abs()
    )
