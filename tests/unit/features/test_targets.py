"""Targets: known answers for TP-first labelling, range and return formulas, mirror tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from feature_helpers import CandleFactory

from tradingia.core import UnsupportedError
from tradingia.features import build_targets, tp_first_labels


def _path(bars: list[tuple[float, float]], entry: float = 100.0) -> pd.DataFrame:
    """Entry candle closing at `entry`, then candles given as (high, low)."""
    highs = [entry] + [h for h, _ in bars]
    lows = [entry] + [lo for _, lo in bars]
    closes = [entry] + [(h + lo) / 2 for h, lo in bars]
    index = pd.date_range("2024-01-01", periods=len(highs), freq="5min", tz="UTC")
    return pd.DataFrame(
        {"open": closes, "high": highs, "low": lows, "close": closes, "volume": 1.0}, index=index
    )


def _label(bars: list[tuple[float, float]], horizon: int = 3) -> tuple[float, float]:
    candles = _path(bars)
    atr = np.ones(len(candles))  # stop 1 away, target 2 away
    out = tp_first_labels(candles, atr, horizon)
    return out[f"tp_first_long_{horizon}"].iloc[0], out[f"tp_first_short_{horizon}"].iloc[0]


def test_long_target_touched_before_stop_is_one() -> None:
    assert _label([(101.0, 99.5), (102.0, 100.5), (100.0, 98.0)]) == (1.0, 0.0)


def test_short_target_touched_before_stop_is_one() -> None:
    assert _label([(100.5, 99.0), (99.5, 98.0), (103.0, 99.0)]) == (0.0, 1.0)


def test_stop_and_target_in_the_same_candle_count_as_stop() -> None:
    assert _label([(102.5, 98.5), (105.0, 95.0), (100.0, 100.0)]) == (0.0, 0.0)


def test_neither_touched_within_the_horizon_is_zero() -> None:
    assert _label([(100.5, 99.5), (100.5, 99.5), (100.5, 99.5), (110.0, 100.0)]) == (0.0, 0.0)


def test_labels_are_nan_where_the_future_or_atr_is_unknown() -> None:
    candles = _path([(100.5, 99.5)] * 5)
    atr = np.ones(len(candles))
    atr[1] = np.nan
    out = tp_first_labels(candles, atr, 3)["tp_first_long_3"]
    assert np.isnan(out.iloc[1])
    assert out.iloc[-3:].isna().all()
    assert out.iloc[[0, 2]].notna().all()


def test_range_and_return_targets_match_their_formulas(candle_factory: CandleFactory) -> None:
    candles = candle_factory(400, seed=12)
    targets = build_targets(candles, horizons=(6, 72))
    h, lo, c = candles["high"], candles["low"], candles["close"]
    for k in (6, 72):
        future_high = h[::-1].rolling(k).max()[::-1].shift(-1)
        future_low = lo[::-1].rolling(k).min()[::-1].shift(-1)
        pd.testing.assert_series_equal(
            targets[f"delta_high_{k}"], future_high / c - 1, check_names=False
        )
        pd.testing.assert_series_equal(
            targets[f"delta_low_{k}"], 1 - future_low / c, check_names=False
        )
        pd.testing.assert_series_equal(
            targets[f"return_{k}"], c.shift(-k) / c - 1, check_names=False
        )
        assert targets[f"return_{k}"].iloc[-k:].isna().all()
        assert targets[f"tp_first_long_{k}"].iloc[-k:].isna().all()
        assert targets[f"tp_first_long_{k}"].iloc[:14].isna().all()  # ATR(14) warm-up


def test_target_columns_are_grouped_per_horizon(candle_factory: CandleFactory) -> None:
    targets = build_targets(candle_factory(100), horizons=(6, 18))
    assert list(targets.columns) == [
        f"{name}_{k}"
        for k in (6, 18)
        for name in ("delta_high", "delta_low", "return", "tp_first_long", "tp_first_short")
    ]


@pytest.mark.parametrize("horizons", [(), (0,), (6, 6), (-3,)])
def test_invalid_horizons_are_rejected(candle_factory: CandleFactory, horizons: tuple) -> None:
    with pytest.raises(UnsupportedError, match="Horizons"):
        build_targets(candle_factory(50), horizons=horizons)


def test_farther_target_lowers_the_long_hit_rate(
    candle_factory: CandleFactory,
) -> None:
    candles = candle_factory(3_000, seed=13)
    near = build_targets(candles, (36,), target_atr=1.0)["tp_first_long_36"].mean()
    far = build_targets(candles, (36,), target_atr=3.0)["tp_first_long_36"].mean()
    assert far < near
