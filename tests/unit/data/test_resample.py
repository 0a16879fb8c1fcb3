"""Resampling: hand-made buckets, partial and missing lower candles, refusals, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradingia.core.candles import CANDLE_COLUMNS
from tradingia.core.errors import DataValidationError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data.resample import resample_candles

M1, M5 = Timeframe.M1, Timeframe.M5


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def frame(rows: list[tuple[str, float, float, float, float, float]]) -> pd.DataFrame:
    """Candles from (time, open, high, low, close, volume) rows."""
    index = pd.DatetimeIndex([utc(r[0]) for r in rows], name="timestamp")
    values = np.array([r[1:] for r in rows], dtype=np.float64)
    return pd.DataFrame(values, index=index, columns=list(CANDLE_COLUMNS))


ONE_MINUTE = frame([
    # bucket 00:00: complete (5 candles)
    ("2024-01-01 00:00", 10, 11, 9, 10.5, 1),
    ("2024-01-01 00:01", 10.5, 12, 10, 11, 2),
    ("2024-01-01 00:02", 11, 11.5, 8, 9, 3),
    ("2024-01-01 00:03", 9, 10, 8.5, 9.5, 4),
    ("2024-01-01 00:04", 9.5, 9.8, 9.1, 9.7, 5),
    # bucket 00:05: partial (00:06 and 00:08 only)
    ("2024-01-01 00:06", 20, 21, 19, 20.5, 10),
    ("2024-01-01 00:08", 20.5, 25, 20, 24, 20),
    # bucket 00:10: empty, must not appear
    # bucket 00:15: a single candle
    ("2024-01-01 00:19", 30, 31, 29, 30.5, 7),
])


def test_one_minute_to_five_minutes_aggregates_first_max_min_last_sum() -> None:
    out = resample_candles(ONE_MINUTE, M5, source=M1)
    expected = frame([
        ("2024-01-01 00:00", 10, 12, 8, 9.7, 15),
        ("2024-01-01 00:05", 20, 25, 19, 24, 30),
        ("2024-01-01 00:15", 30, 31, 29, 30.5, 7),
    ])
    pd.testing.assert_frame_equal(out, expected, check_index_type=False)
    assert str(out.index.dtype) == "datetime64[ns, UTC]"


def test_empty_buckets_are_not_emitted_and_count_tells_partial_from_complete() -> None:
    out = resample_candles(ONE_MINUTE, M5, source=M1, with_count=True)
    assert utc("2024-01-01 00:10") not in out.index
    assert out["count"].tolist() == [5, 2, 1]
    assert out["count"].dtype == np.int64
    assert not out.isna().any().any()


def test_hourly_to_daily_and_weekly_label_by_start_at_midnight_and_monday() -> None:
    index = pd.date_range("2024-01-05 22:00", "2024-01-09 03:00", freq="1h", tz="UTC")
    hourly = pd.DataFrame({"open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 1.0},
                          index=index.rename("timestamp"))
    daily = resample_candles(hourly, Timeframe.D1, source=Timeframe.H1, with_count=True)
    assert [t.strftime("%a %m-%d %H:%M") for t in daily.index] == [
        "Fri 01-05 00:00", "Sat 01-06 00:00", "Sun 01-07 00:00", "Mon 01-08 00:00",
        "Tue 01-09 00:00"]
    assert daily["count"].tolist() == [2, 24, 24, 24, 4]
    weekly = resample_candles(hourly, Timeframe.W1, source=Timeframe.H1, with_count=True)
    assert list(weekly.index) == [utc("2024-01-01"), utc("2024-01-08")]
    assert weekly["count"].tolist() == [50, 28]


def test_four_hour_buckets_start_at_multiples_of_four_hours_utc() -> None:
    out = resample_candles(ONE_MINUTE, Timeframe.H4)
    assert list(out.index) == [utc("2024-01-01 00:00")]
    assert out["volume"].iloc[0] == ONE_MINUTE["volume"].sum()


def test_every_standard_target_matches_plain_pandas_on_candles_with_holes() -> None:
    rng = np.random.default_rng(7)
    index = pd.date_range("2024-02-26 13:00", periods=30_000, freq="1min", tz="UTC")
    keep = rng.random(len(index)) > 0.3
    close = 100 + np.cumsum(rng.normal(0, 0.1, len(index)))
    spread = rng.random(len(index))
    lower = pd.DataFrame({"open": close - 0.1, "high": close + spread, "low": close - spread,
                          "close": close, "volume": rng.random(len(index))},
                         index=index.rename("timestamp"))[keep]
    rules = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    for target in Timeframe:
        if target is Timeframe.W1:
            reference = lower.resample("W-MON", label="left", closed="left").agg(rules)
        else:
            reference = lower.resample(target.pandas_freq).agg(rules)
        reference = reference[lower["open"].resample(reference.index.freq, label="left",
                                                     closed="left").count() > 0]
        out = resample_candles(lower, target, source=M1)
        pd.testing.assert_frame_equal(out, reference, check_freq=False, check_index_type=False,
                                      obj=f"resample to {target}")


def test_same_timeframe_returns_the_same_candles() -> None:
    out = resample_candles(ONE_MINUTE, M1, source=M1)
    pd.testing.assert_frame_equal(out, ONE_MINUTE, check_index_type=False)


def test_going_finer_is_refused_with_the_possible_targets() -> None:
    hourly = resample_candles(ONE_MINUTE, Timeframe.H1)
    with pytest.raises(UnsupportedError, match=r"1h candles to 5m.*Possible targets: 1h, 4h"):
        resample_candles(hourly, M5, source=Timeframe.H1)


def test_going_finer_is_refused_when_the_source_is_inferred_from_the_spacing() -> None:
    five = resample_candles(ONE_MINUTE, M5)
    with pytest.raises(UnsupportedError, match="5-minute spacing"):
        resample_candles(five, M1)


def test_unsorted_or_duplicate_candles_are_refused_with_what_to_do() -> None:
    with pytest.raises(DataValidationError, match="validate_candles"):
        resample_candles(ONE_MINUTE.iloc[::-1], M5, source=M1)
    with pytest.raises(DataValidationError, match="validate_candles"):
        resample_candles(pd.concat([ONE_MINUTE, ONE_MINUTE.iloc[[-1]]]), M5, source=M1)


def test_empty_candles_resample_to_an_empty_candle_frame() -> None:
    out = resample_candles(ONE_MINUTE.iloc[:0], Timeframe.H1, source=M1, with_count=True)
    assert out.empty
    assert list(out.columns) == [*CANDLE_COLUMNS, "count"]


@st.composite
def minute_candles(draw: st.DrawFn) -> pd.DataFrame:
    """Valid 1m candles with random holes, prices and volumes."""
    n = draw(st.integers(min_value=1, max_value=400))
    offsets = draw(st.lists(st.integers(0, 3 * 1440), min_size=n, max_size=n, unique=True))
    price = st.floats(1.0, 1000.0, allow_nan=False, allow_infinity=False)
    opens = np.array(draw(st.lists(price, min_size=n, max_size=n)))
    closes = np.array(draw(st.lists(price, min_size=n, max_size=n)))
    up = np.array(draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n)))
    down = np.array(draw(st.lists(st.floats(0.0, 0.9), min_size=n, max_size=n)))
    volume = np.array(draw(st.lists(st.floats(0.0, 1e6), min_size=n, max_size=n)))
    start = utc("2024-03-08 00:00")
    index = pd.DatetimeIndex(sorted(start + pd.Timedelta(minutes=m) for m in offsets),
                             name="timestamp")
    low_body = np.minimum(opens, closes)
    return pd.DataFrame({"open": opens, "high": np.maximum(opens, closes) + up,
                         "low": low_body * (1 - down), "close": closes, "volume": volume},
                        index=index)


@settings(max_examples=60, deadline=None)
@given(lower=minute_candles(), target=st.sampled_from(list(Timeframe)))
def test_resampling_keeps_total_volume_counts_and_price_bounds(
    lower: pd.DataFrame, target: Timeframe
) -> None:
    out = resample_candles(lower, target, source=M1, with_count=True)
    assert out["volume"].sum() == pytest.approx(lower["volume"].sum(), rel=1e-9, abs=1e-6)
    assert out["count"].sum() == len(lower)
    assert (out["count"] > 0).all()
    assert (out["high"] >= np.maximum(out["open"], out["close"])).all()
    assert (out["low"] <= np.minimum(out["open"], out["close"])).all()
    assert out["high"].max() == lower["high"].max()
    assert out["low"].min() == lower["low"].min()
    assert out.index.is_monotonic_increasing and out.index.is_unique
    # every lower candle falls in [label, label + target) of exactly one output row
    position = out.index.searchsorted(lower.index, side="right") - 1
    assert (position >= 0).all()
    assert (lower.index < out.index[position] + target.delta).all()
