"""Known-answer and causality tests for market-structure features (hand-made candles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.core import DataValidationError, UnsupportedError
from tradingia.features.structure import (
    BARS_CAP,
    DIST_CAP,
    POI_FVG,
    STRUCTURE_COLUMNS,
    WARMUP_ROWS,
    ZONE_MAX_AGE,
    fair_value_gaps,
    order_blocks,
    structure_events,
    structure_features,
    swing_points,
)

Bar = tuple[float, float, float, float]
FLAT: Bar = (100.0, 100.1, 99.9, 100.0)


def bars(rows: list[Bar], *, prefix: int = 0, flat: Bar = FLAT) -> pd.DataFrame:
    """Candles from (open, high, low, close) rows, after `prefix` identical flat candles
    (identical candles create no swing, gap or break: they only warm the ATR up)."""
    all_rows = [flat] * prefix + rows
    index = pd.date_range("2024-01-01", periods=len(all_rows), freq="5min", tz="UTC",
                          name="timestamp")
    frame = pd.DataFrame(all_rows, columns=["open", "high", "low", "close"], index=index)
    frame["volume"] = 1.0
    return frame


def zigzag(pivots: list[float], *, prefix: int = 0) -> tuple[pd.DataFrame, list[int]]:
    """Candles walking between pivot closes in steps of 1.0, each with 0.1 wicks.

    Returns the frame and the row of each pivot candle after the first. The candle closing
    at a pivot is the swing (the next candle ties its extreme; the earliest wins).
    """
    rows: list[Bar] = []
    turns: list[int] = []
    price = pivots[0]
    for target in pivots[1:]:
        step = 1.0 if target > price else -1.0
        while price != target:
            nxt = price + step
            rows.append((price, max(price, nxt) + 0.1, min(price, nxt) - 0.1, nxt))
            price = nxt
        turns.append(prefix + len(rows) - 1)
    return bars(rows, prefix=prefix, flat=(pivots[0], pivots[0] + 0.1, pivots[0] - 0.1,
                                           pivots[0])), turns


def row_of(frame: pd.DataFrame, when: pd.Timestamp) -> int:
    return int(frame.index.get_loc(when))


# --- swings ------------------------------------------------------------------------------

PEAK_L2: list[Bar] = [
    (100.0, 101.0, 99.0, 100.5),
    (100.5, 102.0, 100.0, 101.5),
    (101.5, 105.0, 101.0, 104.0),  # the swing high: above 2 highs before, not below 2 after
    (104.0, 104.5, 102.0, 102.5),
    (102.5, 103.0, 101.5, 102.0),  # second candle after it: the swing is confirmed here
    (102.0, 102.5, 101.0, 101.2),
]


def test_swing_high_is_confirmed_exactly_swing_length_candles_after_it() -> None:
    frame = bars(PEAK_L2)
    swings = swing_points(frame, swing_length=2)
    high = swings[swings["kind"] == "high"].iloc[0]
    assert high["swing_at"] == frame.index[2]
    assert high["confirmed_at"] == frame.index[4]
    assert high["level"] == 105.0


def test_swing_is_unknown_before_its_confirming_candle() -> None:
    frame = bars(PEAK_L2, prefix=20)
    early = structure_features(frame.iloc[: 20 + 4], swing_length=2)
    full = structure_features(frame, swing_length=2)
    assert early["swing_high_confirmed"].sum() == 0.0
    assert early["swing_high_dist"].iloc[-1] == DIST_CAP  # no swing high known yet
    assert full["swing_high_confirmed"].iloc[20 + 4] == 1.0
    assert full["swing_high_confirmed"].drop(frame.index[20 + 4]).sum() == 0.0
    assert full["bars_since_swing_high"].iloc[20 + 4] == 2.0  # the swing candle, 2 back
    pd.testing.assert_frame_equal(early, full.iloc[: 20 + 4])


def test_default_swing_length_confirms_five_candles_later() -> None:
    highs = [100.0, 101.0, 102.0, 103.0, 104.0, 110.0, 104.0, 103.0, 102.0, 101.0, 100.0, 99.0]
    rows = [(h - 0.5, h, h - 1.0, h - 0.5) for h in highs]
    swings = swing_points(bars(rows))
    high = swings[swings["kind"] == "high"]
    assert list(high["swing_at"]) == [bars(rows).index[5]]
    assert list(high["confirmed_at"]) == [bars(rows).index[10]]


def test_equal_highs_take_the_earliest_candle_as_the_swing() -> None:
    highs = [100.0, 101.0, 105.0, 105.0, 102.0, 101.0]
    rows = [(h - 0.5, h, h - 1.0, h - 0.5) for h in highs]
    swings = swing_points(bars(rows), swing_length=2)
    assert list(swings.loc[swings["kind"] == "high", "swing_at"]) == [bars(rows).index[2]]


def test_swing_low_mirrors_swing_high() -> None:
    mirrored = [(-o, -lo, -h, -c) for o, h, lo, c in PEAK_L2]
    frame = bars([(o + 300.0, h + 300.0, lo + 300.0, c + 300.0) for o, h, lo, c in mirrored])
    swings = swing_points(frame, swing_length=2)
    low = swings[swings["kind"] == "low"].iloc[0]
    assert (low["swing_at"], low["confirmed_at"]) == (frame.index[2], frame.index[4])
    assert low["level"] == pytest.approx(300.0 - 105.0)


# --- structure: higher highs, BOS, CHoCH -------------------------------------------------------

# up 100 -> 105, pull back to 102, up to 108 (breaks 105: BOS up), back to 104 (higher low),
# up to 110 (breaks 108: BOS up), down to 103 (breaks the 104 low against the up trend:
# CHoCH down), up to 106 (lower high), down to 99 (breaks the 103 low: BOS down).
TREND_PIVOTS = [100.0, 105.0, 102.0, 108.0, 104.0, 110.0, 103.0, 106.0, 99.0]


def _first_close(frame: pd.DataFrame, after: int, *, above: float | None = None,
                 below: float | None = None) -> int:
    close = frame["close"].to_numpy()
    for t in range(after + 1, len(close)):
        if (above is not None and close[t] > above) or (below is not None and close[t] < below):
            return t
    raise AssertionError("no such close")


def test_bos_continues_the_trend_and_choch_is_the_first_break_against_it() -> None:
    frame, turns = zigzag(TREND_PIVOTS)
    events = structure_events(frame, swing_length=2)
    breaks = events[events["event"] != "sweep"]
    got = [(row_of(frame, t), e, d) for t, e, d in
           zip(breaks["at"], breaks["event"], breaks["direction"], strict=True)]
    expected = [
        (_first_close(frame, turns[1], above=105.1), "bos", 1.0),
        (_first_close(frame, turns[3], above=108.1), "bos", 1.0),
        (_first_close(frame, turns[4], below=103.9), "choch", -1.0),
        (_first_close(frame, turns[6], below=102.9), "bos", -1.0),
    ]
    assert got == expected
    assert list(breaks["level"]) == pytest.approx([105.1, 108.1, 103.9, 102.9])


def test_trend_state_follows_the_latest_break() -> None:
    frame, turns = zigzag(TREND_PIVOTS, prefix=20)
    features = structure_features(frame, swing_length=2)
    choch_row = _first_close(frame, turns[4], below=103.9)
    trend = features["structure_trend"].to_numpy()
    first_bos = _first_close(frame, turns[1], above=105.1)
    assert (trend[WARMUP_ROWS:first_bos] == 0.0).all()
    assert (trend[first_bos:choch_row] == 1.0).all()
    assert (trend[choch_row:] == -1.0).all()
    assert features["choch_down"].iloc[choch_row] == 1.0
    assert features["bars_since_choch"].iloc[choch_row + 3] == 3.0
    assert features["bars_since_choch"].iloc[first_bos] == BARS_CAP  # none yet


def test_swing_classes_mark_higher_highs_lower_highs_higher_lows_lower_lows() -> None:
    frame, _ = zigzag(TREND_PIVOTS)
    swings = swing_points(frame, swing_length=2)
    highs = swings[swings["kind"] == "high"]
    lows = swings[swings["kind"] == "low"]
    assert list(highs["level"]) == pytest.approx([105.1, 108.1, 110.1, 106.1])
    assert list(highs["cls"]) == [0.0, 1.0, 1.0, -1.0]  # first, HH, HH, LH
    assert list(lows["level"]) == pytest.approx([101.9, 103.9, 102.9])
    assert list(lows["cls"]) == [0.0, 1.0, -1.0]  # first, HL, LL
    features = structure_features(zigzag(TREND_PIVOTS, prefix=20)[0], swing_length=2)
    assert set(np.unique(features["swing_high_class"].dropna())) == {-1.0, 0.0, 1.0}


# --- order blocks -----------------------------------------------------------------------------

OB_ROWS: list[Bar] = [
    (100.0, 101.0, 99.0, 100.0),
    (100.0, 102.0, 99.5, 101.5),
    (101.5, 105.0, 101.0, 104.0),  # 2: swing high 105 (confirmed at 4)
    (104.0, 104.5, 102.0, 102.5),
    (102.5, 103.0, 100.5, 101.0),
    (101.0, 101.5, 99.8, 100.2),  # 5: last down candle at the lowest low -> bullish OB
    (100.2, 103.0, 100.0, 102.8),
    (102.8, 106.0, 102.5, 105.5),  # 7: close 105.5 > 105: BOS up, the OB becomes known
    (105.5, 106.5, 104.0, 104.5),  # 8: swing high 106.5 (confirmed at 10)
    (104.5, 105.0, 101.2, 101.4),  # 9: low 101.2 reaches the OB top 101.5: mitigated
    (101.4, 101.6, 99.0, 99.5),  # 10: close below the 99.8 swing low (and the OB bottom)
]


def test_bullish_order_block_is_the_last_down_candle_before_the_break_known_at_the_break() -> None:
    frame = bars(OB_ROWS)
    blocks = order_blocks(frame, swing_length=2)
    bull = blocks[blocks["direction"] == 1.0].iloc[0]
    assert bull["formed_at"] == frame.index[7]
    assert bull["candle_at"] == frame.index[5]
    assert (bull["top"], bull["bottom"]) == (101.5, 99.8)


def test_bearish_order_block_is_the_last_up_candle_before_the_break_down() -> None:
    frame = bars(OB_ROWS)
    blocks = order_blocks(frame, swing_length=2)
    bear = blocks[blocks["direction"] == -1.0].iloc[0]
    assert bear["formed_at"] == frame.index[10]  # the CHoCH down candle
    assert bear["candle_at"] == frame.index[7]  # last up candle before the 106.5 high
    assert (bear["top"], bear["bottom"]) == (106.0, 102.5)


def test_order_block_mitigation_inside_flag_and_invalidation() -> None:
    p = 20
    frame = bars(OB_ROWS, prefix=p, flat=(100.0, 100.3, 99.7, 100.0))
    f = structure_features(frame, swing_length=2)
    assert f["ob_bull_count"].iloc[p + 6] == 0.0
    assert f["ob_bull_count"].iloc[p + 7] == 1.0  # known at the break candle
    assert f["ob_bull_dist"].iloc[p + 6] == DIST_CAP
    assert 0.0 < f["ob_bull_dist"].iloc[p + 7] < DIST_CAP
    assert f["ob_bull_mitigated"].iloc[p + 9] == 1.0
    assert f["ob_bull_mitigated"].drop(frame.index[p + 9]).sum() == 0.0
    assert f["ob_bull_in"].iloc[p + 9] == 1.0  # close 101.4 inside 99.8..101.5
    assert f["ob_bull_count"].iloc[p + 9] == 0.0  # mitigated: no longer unmitigated
    assert f["ob_bull_in"].iloc[p + 10] == 0.0  # close 99.5 below the bottom: dead


# --- fair value gaps ----------------------------------------------------------------------------

WIDE_FLAT: Bar = (100.0, 101.0, 99.0, 100.0)  # no gap with the rows below
FVG_ROWS: list[Bar] = [
    (100.0, 101.0, 99.0, 100.5),
    (100.5, 104.0, 100.4, 103.8),
    (103.8, 105.0, 102.0, 104.5),  # 2: low 102 > high[0] 101: bullish FVG 101..102
    (104.5, 105.5, 103.5, 104.0),
    (104.0, 104.2, 101.5, 101.8),  # 4: low 101.5 enters the gap, close 101.8 inside it
    (101.8, 102.0, 100.8, 101.1),  # 5: low 100.8 <= 101: the gap is filled
]


def test_bullish_fvg_is_known_at_the_third_candle_when_low_exceeds_high_two_back() -> None:
    frame = bars(FVG_ROWS)
    gaps = fair_value_gaps(frame)
    bull = gaps[gaps["direction"] == 1.0]
    assert list(bull["formed_at"]) == [frame.index[2]]
    assert (bull["bottom"].iloc[0], bull["top"].iloc[0]) == (101.0, 102.0)


def test_fvg_open_count_distance_and_fill() -> None:
    p = 20
    frame = bars(FVG_ROWS, prefix=p, flat=WIDE_FLAT)
    f = structure_features(frame, swing_length=2)
    assert f["fvg_bull"].iloc[p + 2] == 1.0
    assert f["fvg_bull"].iloc[p : p + 6].sum() == 1.0
    assert f["fvg_bull_open"].iloc[p + 1] == 0.0
    assert f["fvg_bull_open"].iloc[p + 2 : p + 5].tolist() == [1.0, 1.0, 1.0]
    assert f["fvg_bull_dist"].iloc[p + 3] > 0.0
    assert f["fvg_bull_dist"].iloc[p + 4] == 0.0  # partially entered, close inside
    assert f["fvg_bull_filled"].iloc[p + 4] == 0.0
    assert f["fvg_bull_filled"].iloc[p + 5] == 1.0
    assert f["fvg_bull_open"].iloc[p + 5] == 0.0
    assert f["fvg_bull_dist"].iloc[p + 5] == DIST_CAP
    assert f["poi_type"].iloc[p + 4] == POI_FVG
    assert f["poi_dist"].iloc[p + 4] == 0.0


def test_fvg_is_not_known_before_its_third_candle() -> None:
    frame = bars(FVG_ROWS, prefix=20, flat=WIDE_FLAT)
    f = structure_features(frame.iloc[: 20 + 2], swing_length=2)
    assert f["fvg_bull"].sum() == 0.0
    assert f["fvg_bull_open"].iloc[-1] == 0.0


def test_bearish_fvg_mirrors_bullish() -> None:
    frame = bars([(200.0 - o, 200.0 - lo, 200.0 - h, 200.0 - c) for o, h, lo, c in FVG_ROWS],
                 prefix=20, flat=WIDE_FLAT)
    f = structure_features(frame, swing_length=2)
    gaps = fair_value_gaps(frame)
    first = gaps.iloc[0]
    assert (first["formed_at"], first["direction"]) == (frame.index[22], -1.0)
    assert (first["bottom"], first["top"]) == (98.0, 99.0)
    assert f["fvg_bear"].iloc[22] == 1.0
    assert f["fvg_bear_filled"].iloc[25] == 1.0


def _mirror_map() -> dict[str, tuple[str, float, float]]:
    """Column of the price-negated series -> (column of the original, scale, offset)."""
    pairs = [("bull", "bear"), ("high", "low"), ("up", "down")]
    out: dict[str, tuple[str, float, float]] = {}
    for name in STRUCTURE_COLUMNS:
        twin = name
        for a, b in pairs:
            if a in name:
                twin = name.replace(a, b)
            elif b in name:
                twin = name.replace(b, a)
        out[name] = (twin, 1.0, 0.0)
    for name in ("structure_trend", "poi_side"):
        out[name] = (name, -1.0, 0.0)
    out["swing_high_class"] = ("swing_low_class", -1.0, 0.0)  # a higher low mirrors a lower high
    out["swing_low_class"] = ("swing_high_class", -1.0, 0.0)
    out["premium_discount"] = ("premium_discount", -1.0, 1.0)
    return out


def test_every_bearish_rule_mirrors_its_bullish_rule_on_negated_prices(candle_factory) -> None:
    candles = candle_factory(3_000, seed=11)
    mirrored = candles.copy()
    mirrored["open"], mirrored["close"] = -candles["open"], -candles["close"]
    mirrored["high"], mirrored["low"] = -candles["low"], -candles["high"]
    f, g = structure_features(candles), structure_features(mirrored)
    for name, (twin, scale, offset) in _mirror_map().items():
        np.testing.assert_allclose(g[name], scale * f[twin] + offset, atol=1e-9, err_msg=name)


# --- sweeps, premium / discount ----------------------------------------------------------------

SWEEP_ROWS: list[Bar] = [
    *PEAK_L2,  # swing high 105 at 2, confirmed at 4
    (101.2, 103.0, 100.8, 102.8),  # 6
    (102.8, 105.6, 102.5, 104.6),  # 7: wick to 105.6 above 105, close 104.6 below: sweep
    (104.6, 105.8, 104.0, 104.8),  # 8: another wick above: the level was already swept
    (104.8, 106.0, 104.5, 105.9),  # 9: close above 105: a break, not a sweep
]


def test_sweep_is_a_wick_beyond_an_unbroken_swing_that_closes_back_inside() -> None:
    frame = bars(SWEEP_ROWS)
    events = structure_events(frame, swing_length=2)
    sweeps = events[events["event"] == "sweep"]
    assert list(sweeps["at"]) == [frame.index[7]]
    assert sweeps["level"].iloc[0] == 105.0
    assert sweeps["direction"].iloc[0] == -1.0  # buy-side liquidity taken: bearish
    breaks = events[events["event"] == "bos"]
    assert list(breaks["at"]) == [frame.index[9]]


def test_sweep_low_flag_in_features() -> None:
    mirrored = [(200.0 - o, 200.0 - lo, 200.0 - h, 200.0 - c) for o, h, lo, c in SWEEP_ROWS]
    frame = bars(mirrored, prefix=20, flat=(99.0, 99.1, 98.9, 99.0))
    f = structure_features(frame, swing_length=2)
    assert f["sweep_low"].iloc[20:].tolist() == [0.0] * 7 + [1.0, 0.0, 0.0]
    assert f["bars_since_sweep"].iloc[20 + 9] == 2.0
    assert f["bos_down"].iloc[20 + 9] == 1.0


def test_premium_discount_is_the_close_position_in_the_swing_range() -> None:
    rows: list[Bar] = [
        (105.0, 106.0, 104.0, 105.0),
        (105.0, 107.0, 104.5, 106.5),
        (106.5, 110.0, 106.0, 109.0),  # 2: swing high 110
        (109.0, 109.5, 104.0, 104.5),
        (104.5, 105.0, 102.0, 102.5),
        (102.5, 103.0, 100.0, 101.0),  # 5: swing low 100 (confirmed at 7)
        (101.0, 102.0, 100.5, 101.5),
        (101.5, 102.8, 101.0, 102.5),  # 7: close 102.5 -> (102.5 - 100) / 10 = 0.25
        (102.5, 108.0, 102.0, 107.5),  # 8: close 107.5 -> 0.75
    ]
    f = structure_features(bars(rows, prefix=20, flat=(105.0, 105.1, 104.9, 105.0)),
                           swing_length=2)
    # before the 100 low is confirmed the range is 104 (row 0) .. 110: 101.5 is below it
    assert f["premium_discount"].iloc[20 + 6] == 0.0
    assert f["premium_discount"].iloc[20 + 7] == pytest.approx(0.25)
    assert f["premium_discount"].iloc[20 + 8] == pytest.approx(0.75)


def test_equal_highs_flag_two_swing_highs_within_a_tenth_of_an_atr() -> None:
    p = 20
    rows = [*PEAK_L2, (101.2, 103.0, 100.8, 102.5), (102.5, 105.02, 102.0, 104.0),
            (104.0, 104.5, 102.0, 102.5), (102.5, 103.0, 101.0, 101.5)]
    f = structure_features(bars(rows, prefix=p, flat=(100.0, 101.0, 99.0, 100.0)),
                           swing_length=2)
    assert f["equal_highs"].iloc[p + 4] == 0.0  # one swing high only
    assert f["swing_high_confirmed"].iloc[p + 9] == 1.0
    assert f["equal_highs"].iloc[p + 9] == 1.0  # 105.02 vs 105.0
    assert f["swing_high_class"].iloc[p + 9] == 1.0


# --- contract ---------------------------------------------------------------------------------


def test_features_are_float_columns_nan_only_in_warm_up(candle_factory) -> None:
    candles = candle_factory(3_000, seed=3)
    f = structure_features(candles)
    assert list(f.columns) == list(STRUCTURE_COLUMNS)
    assert (f.dtypes == "float64").all()
    assert f.index.equals(candles.index)
    assert f.iloc[:WARMUP_ROWS].isna().all().all()
    assert np.isfinite(f.iloc[WARMUP_ROWS:].to_numpy()).all()


def test_future_candles_do_not_change_past_features(candle_factory) -> None:
    candles = candle_factory(4_000, seed=5)
    cut = 2_500
    other = candle_factory(4_000, seed=6)
    mutated = candles.copy()
    mutated.iloc[cut + 1 :] = other.iloc[cut + 1 :].to_numpy() * (
        candles["close"].iloc[cut] / other["close"].iloc[cut]
    )
    base = structure_features(candles).iloc[: cut + 1]
    pd.testing.assert_frame_equal(structure_features(mutated).iloc[: cut + 1], base)
    pd.testing.assert_frame_equal(structure_features(candles.iloc[: cut + 1]), base)


def test_bad_input_raises_with_a_reason(candle_factory) -> None:
    with pytest.raises(UnsupportedError, match="swing_length"):
        structure_features(candle_factory(50), swing_length=0)
    with pytest.raises(DataValidationError, match="columns"):
        structure_features(candle_factory(50).drop(columns="volume"))


def test_short_and_empty_series_give_all_nan_rows(candle_factory) -> None:
    for n in (0, 1, 5):
        f = structure_features(candle_factory(n) if n else candle_factory(3).iloc[:0])
        assert f.shape == (n, len(STRUCTURE_COLUMNS))
        assert f.isna().all().all()


def test_open_fvg_expires_quietly_after_zone_max_age_candles() -> None:
    p = 20
    hold: Bar = (104.5, 105.5, 103.5, 104.5)  # stays above the 101..102 gap
    rows = [*FVG_ROWS[:3], *[hold] * (ZONE_MAX_AGE + 2)]
    f = structure_features(bars(rows, prefix=p, flat=WIDE_FLAT), swing_length=2)
    formed = p + 2
    assert f["fvg_bull_open"].iloc[formed + ZONE_MAX_AGE] == 1.0
    assert f["fvg_bull_open"].iloc[formed + ZONE_MAX_AGE + 1] == 0.0
    assert f["fvg_bull_filled"].iloc[formed:].sum() == 0.0  # expiry is not a fill
