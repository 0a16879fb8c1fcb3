"""Known-answer and causality tests for the rule-based AMD phases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.core import UnsupportedError
from tradingia.features.amd import AMD_COLUMNS, AmdParams, AmdPhase, amd_features, amd_labels

Bar = tuple[float, float, float, float]
P = AmdParams()
HISTORY: Bar = (100.0, 101.0, 99.0, 100.0)  # constant 2.0 range: never compressed
TIGHT: Bar = (100.0, 100.2, 99.8, 100.0)  # 0.4 range: compressed once a window is full of it
N_HISTORY, N_TIGHT = 400, 30
BOX_START = N_HISTORY + P.window - 1  # first row whose whole window is tight
SWEEP = N_HISTORY + N_TIGHT  # first row after the tight candles


def bars(rows: list[Bar]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(rows), freq="5min", tz="UTC",
                          name="timestamp")
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index)
    frame["volume"] = 1.0
    return frame


def accumulation(*after: Bar) -> pd.DataFrame:
    """Volatile history, then a tight range, then `after`."""
    return bars([HISTORY] * N_HISTORY + [TIGHT] * N_TIGHT + list(after))


SWEEP_LOW: Bar = (100.0, 100.1, 99.0, 100.0)  # wick under the 99.8 box low, close inside
INSIDE: Bar = (100.0, 100.15, 99.9, 100.1)
EXPAND: list[Bar] = [
    (100.1, 100.6, 100.05, 100.5),  # close above the 100.2 box high: distribution up
    (100.5, 101.2, 100.4, 101.1),
    (101.1, 101.8, 101.0, 101.7),
]


def phases(frame: pd.DataFrame, start: int) -> list[int]:
    return [int(x) for x in amd_labels(frame).iloc[start:]]


def test_accumulation_starts_when_the_window_range_falls_below_compression_x_its_mean() -> None:
    frame = accumulation(INSIDE)
    labels = amd_labels(frame).to_numpy()
    width = (frame["high"].rolling(P.window).max() - frame["low"].rolling(P.window).min())
    ratio = (width / width.rolling(P.history).mean()).to_numpy()
    first = int(np.flatnonzero(ratio <= P.compression)[0])
    assert first == BOX_START
    assert (labels[P.warmup : first] == AmdPhase.NONE).all()
    assert (labels[first:] == AmdPhase.ACCUMULATION).all()
    assert (labels[: P.warmup] == AmdPhase.UNKNOWN).all()


def test_sweep_of_the_box_low_is_manipulation_then_a_close_above_the_box_is_distribution() -> None:
    frame = accumulation(SWEEP_LOW, INSIDE, INSIDE, *EXPAND)
    a, m, d = AmdPhase.ACCUMULATION, AmdPhase.MANIPULATION, AmdPhase.DISTRIBUTION
    assert phases(frame, SWEEP - 1) == [a, m, m, m, d, d, d]
    f = amd_features(frame)
    assert f["amd_direction"].iloc[SWEEP] == 1.0  # low side swept: expect an up move
    assert f["amd_direction"].iloc[SWEEP + 3] == 1.0
    assert f["amd_bars_in_phase"].iloc[SWEEP + 2] == 2.0
    assert f["amd_range_width"].iloc[SWEEP] > 0.0
    assert f["amd_breakout_dist"].iloc[SWEEP + 4] > 0.0


def test_phase_is_known_at_its_candle_not_before() -> None:
    frame = accumulation(SWEEP_LOW, INSIDE, INSIDE, *EXPAND)
    before = amd_labels(frame.iloc[:SWEEP])
    assert before.iloc[-1] == AmdPhase.ACCUMULATION
    pd.testing.assert_series_equal(before, amd_labels(frame).iloc[:SWEEP])


def test_false_break_closing_outside_then_back_inside_is_manipulation_the_other_way() -> None:
    out_up: Bar = (100.0, 100.45, 99.95, 100.4)  # closes above 100.2, less than 1 ATR out
    back: Bar = (100.4, 100.5, 99.9, 100.0)
    frame = accumulation(out_up, back)
    assert phases(frame, SWEEP) == [AmdPhase.ACCUMULATION, AmdPhase.MANIPULATION]
    f = amd_features(frame)
    assert f["amd_false_break_pending"].iloc[SWEEP] == 1.0
    assert f["amd_direction"].iloc[SWEEP + 1] == -1.0


def test_breakout_beyond_one_atr_without_a_sweep_is_no_amd_cycle() -> None:
    frame = accumulation((100.0, 102.6, 99.95, 102.5))
    assert phases(frame, SWEEP) == [AmdPhase.NONE]


def test_close_beyond_the_sweep_extreme_voids_the_manipulation() -> None:
    frame = accumulation(SWEEP_LOW, (100.0, 100.05, 98.5, 98.8))
    assert phases(frame, SWEEP) == [AmdPhase.MANIPULATION, AmdPhase.NONE]


def test_distribution_ends_after_stall_bars_without_a_new_extreme() -> None:
    hold: Bar = (101.6, 101.75, 101.3, 101.5)  # below the 101.8 high, above the box
    frame = accumulation(SWEEP_LOW, *EXPAND, *[hold] * P.stall_bars)
    labels = phases(frame, SWEEP + 1)
    last_extreme = 2  # third EXPAND candle, relative to SWEEP + 1
    d = AmdPhase.DISTRIBUTION
    assert labels[: last_extreme + P.stall_bars] == [d] * (last_extreme + P.stall_bars)
    assert labels[last_extreme + P.stall_bars] == AmdPhase.NONE


def test_features_are_float_nan_only_in_warm_up_and_one_hot_matches_labels(
    candle_factory,
) -> None:
    candles = candle_factory(5_000, seed=2)
    f = amd_features(candles)
    labels = amd_labels(candles)
    assert list(f.columns) == list(AMD_COLUMNS)
    assert (f.dtypes == "float64").all()
    assert f.iloc[: P.warmup].isna().all().all()
    assert np.isfinite(f.iloc[P.warmup :].to_numpy()).all()
    assert labels.dtype == "int8"
    assert (f["amd_phase"].iloc[P.warmup :] == labels.iloc[P.warmup :]).all()
    for name, phase in (("amd_accumulation", 1), ("amd_manipulation", 2),
                        ("amd_distribution", 3)):
        assert (f[name].iloc[P.warmup :] == (labels.iloc[P.warmup :] == phase)).all()
    assert set(np.unique(labels.iloc[P.warmup :])) == {0, 1, 2, 3}


def test_future_candles_do_not_change_past_phases(candle_factory) -> None:
    candles = candle_factory(4_000, seed=8)
    cut = 2_500
    mutated = candles.copy()
    mutated.iloc[cut + 1 :] = candle_factory(4_000, seed=9).iloc[cut + 1 :].to_numpy()
    base = amd_features(candles).iloc[: cut + 1]
    pd.testing.assert_frame_equal(amd_features(mutated).iloc[: cut + 1], base)
    pd.testing.assert_frame_equal(amd_features(candles.iloc[: cut + 1]), base)
    pd.testing.assert_series_equal(amd_labels(mutated).iloc[: cut + 1],
                                   amd_labels(candles).iloc[: cut + 1])


def test_params_reject_non_positive_values() -> None:
    with pytest.raises(UnsupportedError):
        AmdParams(window=0)
    with pytest.raises(UnsupportedError):
        AmdParams(compression=0.0)
