"""build_features: shape, dtype, warm-up, scale-freeness, input checks, summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from feature_helpers import CandleFactory

from tradingia.core import DataValidationError, UnsupportedError
from tradingia.features import FEATURE_SETS, build_features, feature_summary, get_feature_set

SETS = ("minimal", "extended", "full")


def _leading_nan(column: np.ndarray) -> int:
    nan = np.isnan(column)
    return len(column) if nan.all() else int(np.argmin(nan))


def assert_nan_only_in_warmup(features: pd.DataFrame, warmup: int) -> None:
    """Every column: NaN only as a leading block no longer than `warmup`; never inf."""
    values = features.to_numpy()
    assert not np.isinf(values).any(), "inf in features"
    for name in features.columns:
        column = features[name].to_numpy()
        lead = _leading_nan(column)
        assert lead <= warmup, f"{name}: {lead} leading NaN > declared warm-up {warmup}"
        assert not np.isnan(column[lead:]).any(), f"{name}: NaN after its warm-up"


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SETS)
def test_real_series_has_nan_only_inside_declared_warmup(bnb_5m: pd.DataFrame, name: str) -> None:
    features = build_features(bnb_5m, name)
    fs = FEATURE_SETS[name]
    assert list(features.columns) == list(fs.columns)
    assert features.index.equals(bnb_5m.index)
    assert (features.dtypes == "float64").all()
    assert_nan_only_in_warmup(features, fs.warmup_rows("5m"))


@pytest.mark.shared_data
def test_series_with_a_gap_keeps_nan_inside_warmup(btc_5m_with_gap: pd.DataFrame) -> None:
    features = build_features(btc_5m_with_gap, "full")
    assert_nan_only_in_warmup(features, FEATURE_SETS["full"].warmup_rows("5m"))


@pytest.mark.shared_data
def test_hourly_fx_with_weekend_gaps_builds_the_extended_set(shared_data_dir: Path) -> None:
    candles = pd.read_csv(
        shared_data_dir / "EURUSD_1h.csv.gz", index_col="timestamp", parse_dates=True,
        nrows=3_000,
    )
    features = build_features(candles, "extended")
    assert_nan_only_in_warmup(features, FEATURE_SETS["extended"].warmup_rows("1h"))


def test_features_are_scale_free_across_price_levels(candle_factory: CandleFactory) -> None:
    candles = candle_factory(1_500, seed=3)
    scaled = candles.copy()
    scaled[["open", "high", "low", "close"]] *= 1_000.0
    scaled["volume"] *= 0.01
    a = build_features(candles, "full")
    b = build_features(scaled, "full")
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6, atol=1e-9, equal_nan=True)


def test_flat_market_gives_finite_values_after_warmup(candle_factory: CandleFactory) -> None:
    candles = candle_factory(1_600, seed=4)
    candles.iloc[600:900, :4] = 50.0  # 300 identical candles: zero ranges, zero variance
    features = build_features(candles, "full")
    assert_nan_only_in_warmup(features, FEATURE_SETS["full"].warmup_rows("5m"))


def test_session_features_are_off_by_default_and_added_on_request(
    candle_factory: CandleFactory,
) -> None:
    candles = candle_factory(300, seed=1)
    plain = build_features(candles, "minimal")
    with_session = build_features(candles, "minimal", with_session=True)
    assert not any(c.startswith("session_") for c in plain.columns)
    assert list(with_session.columns[: plain.shape[1]]) == list(plain.columns)
    assert with_session.filter(like="session_").shape[1] == 4
    noon = with_session.loc["2024-01-01 12:00", "session_hour_cos"]
    assert noon == pytest.approx(-1.0)


def test_recorded_column_list_rebuilds_the_same_columns(candle_factory: CandleFactory) -> None:
    candles = candle_factory(400, seed=2)
    recorded = ["rsi_14", "ret_1", "atr_50"]
    features = build_features(candles, recorded)
    assert list(features.columns) == recorded
    pd.testing.assert_series_equal(features["rsi_14"], build_features(candles, "minimal")["rsi_14"])


def test_full_set_refuses_base_candles_coarser_than_15m(candle_factory: CandleFactory) -> None:
    candles = candle_factory(500, freq="1h")
    with pytest.raises(UnsupportedError, match="finer than 15m"):
        build_features(candles, "full")


def test_missing_columns_are_reported_with_a_fix(candle_factory: CandleFactory) -> None:
    candles = candle_factory(50).drop(columns=["volume"])
    with pytest.raises(DataValidationError, match=r"lack columns \['volume'\]"):
        build_features(candles, "minimal")


def test_unsorted_candles_are_rejected(candle_factory: CandleFactory) -> None:
    candles = candle_factory(50).iloc[::-1]
    with pytest.raises(DataValidationError, match="strictly increasing"):
        build_features(candles, "minimal")


def test_unknown_timeframe_step_is_rejected(candle_factory: CandleFactory) -> None:
    candles = candle_factory(50, freq="7min")
    with pytest.raises(UnsupportedError, match="no supported timeframe"):
        build_features(candles, "minimal")


def test_summary_reports_warmup_and_statistics(candle_factory: CandleFactory) -> None:
    features = build_features(candle_factory(500, seed=5), "minimal")
    summary = feature_summary(features)
    assert list(summary.index) == list(get_feature_set("minimal").columns)
    assert list(summary.columns) == [
        "count", "nan_warmup", "nan_after_warmup", "mean", "std", "min", "max",
    ]
    assert summary.loc["ret_20", "nan_warmup"] == 20
    assert summary.loc["ret_20", "count"] == 480
    assert (summary["nan_after_warmup"] == 0).all()
    assert summary.loc["rsi_14", "min"] >= 0.0
    assert summary.loc["rsi_14", "max"] <= 1.0
