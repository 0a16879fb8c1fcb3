"""Known answers for individual features against their textbook formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib
from feature_helpers import CandleFactory

from tradingia.features import build_features


@pytest.fixture
def candles(candle_factory: CandleFactory) -> pd.DataFrame:
    return candle_factory(800, seed=11)


def _close(a: pd.Series, b: pd.Series) -> None:
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)


def test_returns_are_log_returns(candles: pd.DataFrame) -> None:
    f = build_features(candles, ["ret_1", "ret_20", "ret_accel"])
    log_ret = np.log(candles["close"] / candles["close"].shift(1))
    _close(f["ret_1"], log_ret)
    _close(f["ret_20"], np.log(candles["close"] / candles["close"].shift(20)))
    _close(f["ret_accel"], log_ret - log_ret.shift(1))


def test_cmf_matches_the_chaikin_formula(candles: pd.DataFrame) -> None:
    h, lo, c, v = (candles[k] for k in ("high", "low", "close", "volume"))
    money_flow = ((c - lo) - (h - c)) / (h - lo) * v
    expected = money_flow.rolling(20).sum() / v.rolling(20).sum()
    cmf = build_features(candles, ["cmf_20"])["cmf_20"]
    assert cmf.iloc[:20].isna().all()  # A/D differences need A/D 20 candles back
    _close(cmf.iloc[20:], expected.iloc[20:])


def test_obv_slope_is_signed_volume_over_total_volume(candles: pd.DataFrame) -> None:
    c, v = candles["close"], candles["volume"]
    signed = np.sign(c.diff()).fillna(0.0) * v
    expected = signed.rolling(20).sum() / v.rolling(20).sum()
    slope = build_features(candles, ["obv_slope_20"])["obv_slope_20"]
    assert slope.iloc[:20].isna().all()
    _close(slope.iloc[20:], expected.iloc[20:])


def test_scale_free_forms_of_price_unit_indicators(candles: pd.DataFrame) -> None:
    h, lo, c = (candles[k].to_numpy() for k in ("high", "low", "close"))
    f = build_features(candles, ["macd", "atr_10", "ema_dist_21", "rsi_14"])
    macd, _, _ = talib.MACD(c, 12, 26, 9)
    np.testing.assert_allclose(f["macd"], macd / c, equal_nan=True)
    np.testing.assert_allclose(f["atr_10"], talib.ATR(h, lo, c, 10) / c, equal_nan=True)
    np.testing.assert_allclose(f["ema_dist_21"], c / talib.EMA(c, 21) - 1, equal_nan=True)
    np.testing.assert_allclose(f["rsi_14"], talib.RSI(c, 14) / 100, equal_nan=True)


def test_bollinger_squeeze_flags_width_below_its_trailing_quantile(candles: pd.DataFrame) -> None:
    f = build_features(candles, ["bb_width_20", "bb_squeeze"])
    threshold = f["bb_width_20"].rolling(50).quantile(0.2)
    expected = (f["bb_width_20"] < threshold).astype("float64").where(threshold.notna())
    _close(f["bb_squeeze"], expected)


def test_compression_score_is_recent_min_range_over_longer_max(candles: pd.DataFrame) -> None:
    hl = (candles["high"] - candles["low"]) / candles["close"]
    expected = hl.rolling(10).min() / hl.rolling(50).max()
    _close(build_features(candles, ["compression_score"])["compression_score"], expected)


def _peaked(highs: list[float]) -> pd.DataFrame:
    high = np.array(highs, dtype="float64")
    index = pd.date_range("2024-01-01", periods=len(high), freq="5min", tz="UTC")
    return pd.DataFrame(
        {"open": high - 0.5, "high": high, "low": high - 1.0, "close": high - 0.5,
         "volume": 1.0},
        index=index,
    )


def test_fractal_high_is_known_two_candles_after_its_centre() -> None:
    candles = _peaked([2, 3, 4, 10, 4, 3, 2, 3, 4, 5, 6, 7])
    f = build_features(candles, ["fractal_up", "fractal_high_dist"])
    # Peak at position 3; confirmed by position 5, the second lower high after it.
    assert f["fractal_up"].iloc[5] == 1.0
    assert f["fractal_up"].iloc[4:].sum() == 1.0
    # Before confirmation the level is the running highest high (4 at position 2); after
    # confirmation it is the fractal's own high, 10: distance close / 10 - 1.
    assert f["fractal_high_dist"].iloc[2] == pytest.approx(3.5 / 4 - 1)
    assert f["fractal_high_dist"].iloc[6] == pytest.approx(1.5 / 10 - 1)
    assert f["fractal_high_dist"].iloc[11] == pytest.approx(6.5 / 10 - 1)


def test_volume_anomaly_flags_z_above_two(candles: pd.DataFrame) -> None:
    spiked = candles.copy()
    spiked.iloc[400, spiked.columns.get_loc("volume")] *= 50.0
    f = build_features(spiked, ["volume_z_20", "volume_anomaly"])
    assert f["volume_anomaly"].iloc[400] == 1.0
    assert f["volume_z_20"].iloc[400] > 2.0
    expected = (f["volume_z_20"] > 2.0).astype("float64").where(f["volume_z_20"].notna())
    _close(f["volume_anomaly"], expected)
