"""Candle validation: one test per rule, raising without repair and exact repairs with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.core.candles import CANDLE_COLUMNS
from tradingia.core.errors import DataValidationError
from tradingia.core.timeframes import Timeframe
from tradingia.data.validation import ValidationResult, validate_candles

TF = Timeframe.M5


def candles(n: int = 6, start: str = "2024-01-01 00:00", freq: str = "5min") -> pd.DataFrame:
    """Valid 5m candles: open 100+i, close 100.5+i, high +1, low -1, volume 10+i."""
    index = pd.date_range(start, periods=n, freq=freq, tz="UTC", name="timestamp")
    base = 100.0 + np.arange(n)
    return pd.DataFrame(
        {"open": base, "high": base + 1, "low": base - 1, "close": base + 0.5,
         "volume": 10.0 + np.arange(n)},
        index=index,
    )


def raises(frame: pd.DataFrame, rule: str, tf: Timeframe = TF) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        validate_candles(frame, tf)
    assert rule in info.value.problems
    assert rule in str(info.value)
    return info.value


def test_valid_candles_pass_unchanged_as_the_exact_candle_frame() -> None:
    frame = candles()
    result = validate_candles(frame, TF)
    assert isinstance(result, ValidationResult)
    assert result.repairs == ()
    pd.testing.assert_frame_equal(result.candles, frame, check_index_type=False, check_freq=False)
    assert list(result.candles.columns) == list(CANDLE_COLUMNS)
    assert str(result.candles.index.dtype) == "datetime64[ns, UTC]"
    assert result.candles.index.name == "timestamp"
    assert all(result.candles.dtypes == "float64")


def test_valid_candles_with_repair_report_no_repairs() -> None:
    assert validate_candles(candles(), TF, repair=True).repairs == ()


def test_extra_columns_are_ignored_and_integer_columns_become_float() -> None:
    frame = candles().assign(trades=7)
    frame["volume"] = frame["volume"].astype("int64")
    out = validate_candles(frame, TF).candles
    assert list(out.columns) == list(CANDLE_COLUMNS)
    assert out["volume"].dtype == "float64"


def test_missing_column_is_refused_even_with_repair() -> None:
    frame = candles().drop(columns=["volume"])
    for repair in (False, True):
        with pytest.raises(DataValidationError, match=r"lack column.*volume") as info:
            validate_candles(frame, TF, repair=repair)
        assert info.value.problems == {"missing_columns": ["volume"]}


def test_nan_is_named_with_row_and_timestamp_then_dropped_on_repair() -> None:
    frame = candles()
    frame.iloc[2, 0] = np.nan
    frame.iloc[4, 4] = np.inf
    error = raises(frame, "nan")
    assert error.problems["nan"] == ["2024-01-01 00:10 (row 3)", "2024-01-01 00:20 (row 5)"]
    assert "--repair" in str(error)
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == (
        "dropped 2 rows with NaN, infinite or missing values: "
        "2024-01-01 00:10, 2024-01-01 00:20",
    )
    assert len(result.candles) == 4


def test_text_that_is_not_a_number_counts_as_nan() -> None:
    frame = candles().astype({"close": object})
    frame.iloc[1, 3] = "n/a"
    assert raises(frame, "nan").problems["nan"] == ["2024-01-01 00:05 (row 2)"]


def test_missing_timestamp_is_named_by_its_row() -> None:
    frame = candles()
    frame.index = pd.DatetimeIndex([*frame.index[:3], pd.NaT, *frame.index[4:]], name="timestamp")
    assert raises(frame, "nan").problems["nan"] == ["row 4 (no timestamp)"]
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == (
        "dropped 1 row with NaN, infinite or missing values: row 4 (no timestamp)",
    )


def test_non_positive_price_raises_and_is_dropped_on_repair() -> None:
    frame = candles()
    frame.loc[frame.index[1], ["open", "low"]] = [0.0, -1.0]
    assert raises(frame, "non_positive_price").problems["non_positive_price"] == [
        "2024-01-01 00:05 (row 2)"
    ]
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("dropped 1 row with a price <= 0: 2024-01-01 00:05",)
    assert frame.index[1] not in result.candles.index


def test_high_below_open_close_raises_and_is_dropped_not_clipped() -> None:
    frame = candles()
    frame.iloc[3, 1] = 100.0 + 3 + 0.2  # high below close (103.5), above low
    raises(frame, "high_below_open_close")
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == (
        "dropped 1 row with high < max(open, close): 2024-01-01 00:15",
    )
    assert len(result.candles) == 5


def test_low_above_open_close_raises_and_is_dropped() -> None:
    frame = candles()
    frame.iloc[0, 2] = 100.2  # low above open (100.0)
    raises(frame, "low_above_open_close")
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("dropped 1 row with low > min(open, close): 2024-01-01 00:00",)


def test_high_below_low_is_its_own_rule_and_each_dropped_row_is_counted_once() -> None:
    frame = candles()
    frame.iloc[2, 1], frame.iloc[2, 2] = 90.0, 110.0  # high < low, and both body rules
    error = raises(frame, "high_below_low")
    assert set(error.problems) == {
        "high_below_low", "high_below_open_close", "low_above_open_close",
    }
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("dropped 1 row with high < low: 2024-01-01 00:10",)


def test_negative_volume_raises_and_is_dropped() -> None:
    frame = candles()
    frame.iloc[5, 4] = -3.0
    raises(frame, "negative_volume")
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("dropped 1 row with negative volume: 2024-01-01 00:25",)


def test_duplicate_timestamps_raise_and_repair_keeps_the_last_copy() -> None:
    frame = candles()
    later = frame.iloc[[1]].assign(close=101.0, volume=99.0)
    frame = pd.concat([frame.iloc[:2], later, frame.iloc[2:], frame.iloc[[5]]])
    error = raises(frame, "duplicate_timestamp")
    assert set(error.problems) == {"duplicate_timestamp"}
    assert error.problems["duplicate_timestamp"] == [
        "2024-01-01 00:05 (row 2)", "2024-01-01 00:25 (row 7)",
    ]
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == (
        "dropped 2 duplicate timestamps (1 with other values), kept the last: "
        "2024-01-01 00:05, 2024-01-01 00:25",
    )
    assert result.candles.loc[frame.index[1], "volume"] == 99.0
    assert result.candles.index.is_unique


def test_unsorted_rows_raise_and_are_sorted_on_repair() -> None:
    frame = candles(8)
    shuffled = frame.iloc[[0, 3, 1, 2, 4, 7, 5, 6]]
    error = raises(shuffled, "unsorted")
    assert error.problems["unsorted"] == [
        "2024-01-01 00:05 (row 3)", "2024-01-01 00:10 (row 4)",
        "2024-01-01 00:25 (row 7)", "2024-01-01 00:30 (row 8)",
    ]
    result = validate_candles(shuffled, TF, repair=True)
    assert result.repairs == ("sorted 4 out-of-order rows",)
    pd.testing.assert_frame_equal(result.candles, frame, check_index_type=False, check_freq=False)


def test_candle_off_the_timeframe_grid_raises_and_is_dropped_not_shifted() -> None:
    frame = candles()
    stamps = frame.index.to_numpy().copy()
    stamps[2] -= np.timedelta64(2, "m")
    frame.index = pd.DatetimeIndex(stamps, name="timestamp")
    error = raises(frame, "misaligned")
    assert error.problems["misaligned"] == ["2024-01-01 00:08 (row 3)"]
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("dropped 1 row not aligned to the timeframe grid: 2024-01-01 00:08",)
    assert pd.Timestamp("2024-01-01 00:10", tz="UTC") not in result.candles.index


def test_misaligned_seconds_are_shown_in_the_message() -> None:
    frame = candles(2, start="2024-01-01 00:00:30")
    error = raises(frame, "misaligned")
    assert error.problems["misaligned"][0] == "2024-01-01 00:00:30 (row 1)"


def test_weekly_candles_must_start_on_monday() -> None:
    frame = candles(3, start="2024-01-08", freq="7D")  # Mondays
    assert validate_candles(frame, Timeframe.W1).repairs == ()
    sundays = candles(3, start="2024-01-07", freq="7D")
    assert len(raises(sundays, "misaligned", Timeframe.W1).problems["misaligned"]) == 3


def test_tz_naive_index_is_refused_even_with_repair() -> None:
    frame = candles().tz_localize(None)
    for repair in (False, True):
        with pytest.raises(DataValidationError, match="tz-naive") as info:
            validate_candles(frame, TF, repair=repair)
        assert "timezone" in info.value.problems


def test_index_that_is_not_a_time_index_is_refused() -> None:
    frame = candles().reset_index(drop=True)
    with pytest.raises(DataValidationError, match="not a time index") as info:
        validate_candles(frame, TF, repair=True)
    assert "timezone" in info.value.problems


def test_non_utc_index_raises_and_is_converted_on_repair() -> None:
    frame = candles().tz_convert("Europe/Berlin")
    error = raises(frame, "timezone")
    assert "Europe/Berlin" in str(error)
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == ("converted timestamps from Europe/Berlin to UTC",)
    assert str(result.candles.index.tz) == "UTC"
    assert result.candles.index[0] == pd.Timestamp("2024-01-01 00:00", tz="UTC")


def test_non_utc_index_is_reported_together_with_the_other_rules() -> None:
    frame = candles().tz_convert("America/New_York")
    frame.iloc[0, 4] = -1.0
    error = raises(frame, "negative_volume")
    assert set(error.problems) == {"timezone", "negative_volume"}
    assert "Candles break 2 rule(s)" in str(error)


def test_error_lists_every_broken_rule_with_counts_and_what_to_do() -> None:
    frame = candles(10)
    frame.iloc[1, 0] = np.nan
    frame.iloc[2:9, 4] = -1.0
    with pytest.raises(DataValidationError) as info:
        validate_candles(frame, TF)
    message = str(info.value)
    assert "Candles break 2 rule(s)" in message
    assert "- nan: 1 row with NaN" in message
    assert "- negative_volume: 7 rows with negative volume" in message
    # only the first five offending rows are quoted; problems lists them all
    assert "2024-01-01 00:30 (row 7)" in message
    assert "2024-01-01 00:35 (row 8)" not in message
    assert len(info.value.problems["negative_volume"]) == 7
    assert "re-run with --repair" in message


def test_repair_applies_rules_in_order_and_lists_each_action() -> None:
    frame = candles(10)
    frame.iloc[1, 0] = np.nan
    frame.iloc[6, 4] = -1.0
    frame = frame.iloc[[0, 1, 2, 3, 5, 4, 6, 7, 8, 9, 9]]
    result = validate_candles(frame, TF, repair=True)
    assert result.repairs == (
        "dropped 1 row with NaN, infinite or missing values: 2024-01-01 00:05",
        "dropped 1 row with negative volume: 2024-01-01 00:30",
        "sorted 1 out-of-order row",
        "dropped 1 duplicate timestamp (0 with other values), kept the last: 2024-01-01 00:45",
    )
    assert len(result.candles) == 8
    assert result.candles.index.is_monotonic_increasing


def test_repair_that_drops_every_row_returns_an_empty_candle_frame() -> None:
    frame = candles(3)
    frame["volume"] = -1.0
    result = validate_candles(frame, TF, repair=True)
    assert result.candles.empty
    assert list(result.candles.columns) == list(CANDLE_COLUMNS)
    assert result.repairs[0].startswith("dropped 3 rows with negative volume")


def test_long_drop_lines_quote_five_rows_then_ellipsis() -> None:
    frame = candles(8)
    frame["volume"] = -1.0
    line = validate_candles(frame, TF, repair=True).repairs[0]
    assert line.endswith("2024-01-01 00:20, ...")
    assert line.count("2024-01-01") == 5


def test_validated_candles_are_an_independent_writable_copy() -> None:
    frame = candles()
    out = validate_candles(frame, TF).candles
    out.iloc[0, 0] = 1.0
    assert frame.iloc[0, 0] == 100.0
