"""Explicit gap filling: flat candles at the previous close, forward only, fully reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.core.errors import UnsupportedError
from tradingia.core.symbols import AssetClass
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import calendar_for, grid_range
from tradingia.data.fill import FillResult, fill_gaps
from tradingia.data.gaps import Gap, find_gaps
from tradingia.data.validation import validate_candles

H1 = Timeframe.H1
CRYPTO = calendar_for(AssetClass.CRYPTO)
FOREX = calendar_for(AssetClass.FOREX)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def candles_at(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Candles with close 100+i at the i-th row, so the carried close is easy to check."""
    close = 100.0 + np.arange(len(index))
    return pd.DataFrame(
        {"open": close - 0.5, "high": close + 1, "low": close - 1, "close": close,
         "volume": np.full(len(index), 5.0)},
        index=index.rename("timestamp"),
    )


def hourly(*drop: str, start: str = "2024-01-01 00:00", end: str = "2024-01-01 10:00"
           ) -> pd.DataFrame:
    index = grid_range(utc(start), utc(end), H1)
    return candles_at(index.delete([index.get_loc(utc(t)) for t in drop]))


def test_missing_candles_become_flat_candles_at_the_previous_close_with_zero_volume() -> None:
    frame = hourly("2024-01-01 03:00", "2024-01-01 04:00")
    result = fill_gaps(frame, H1, CRYPTO)
    assert isinstance(result, FillResult)
    assert result.filled == (Gap(utc("2024-01-01 03:00"), utc("2024-01-01 04:00"), 2),)
    assert result.rows_filled == 2
    added = result.candles.loc[[utc("2024-01-01 03:00"), utc("2024-01-01 04:00")]]
    previous_close = frame.loc[utc("2024-01-01 02:00"), "close"]
    assert (added[["open", "high", "low", "close"]] == previous_close).all().all()
    assert (added["volume"] == 0).all()
    assert len(result.candles) == 10


def test_filled_candles_satisfy_the_contract_and_leave_no_gap() -> None:
    result = fill_gaps(hourly("2024-01-01 01:00", "2024-01-01 07:00"), H1, CRYPTO)
    assert validate_candles(result.candles, H1).repairs == ()
    assert find_gaps(result.candles.index, H1, CRYPTO).missing == 0


def test_existing_candles_are_left_untouched() -> None:
    frame = hourly("2024-01-01 05:00")
    result = fill_gaps(frame, H1, CRYPTO)
    pd.testing.assert_frame_equal(result.candles.loc[frame.index], frame,
                                  check_index_type=False, check_freq=False)


def test_fill_uses_only_the_past_so_changing_later_candles_changes_nothing_before() -> None:
    frame = hourly("2024-01-01 04:00")
    changed = frame.copy()
    changed.loc[changed.index > utc("2024-01-01 04:00"), ["open", "high", "low", "close"]] *= 3
    before = fill_gaps(frame, H1, CRYPTO).candles.loc[: utc("2024-01-01 04:00")]
    after = fill_gaps(changed, H1, CRYPTO).candles.loc[: utc("2024-01-01 04:00")]
    pd.testing.assert_frame_equal(before, after)


def test_closed_forex_weekend_is_not_filled_but_a_missing_friday_hour_is() -> None:
    start, end = utc("2024-01-05 12:00"), utc("2024-01-08 12:00")
    index = FOREX.expected_index(start, end, H1)
    frame = candles_at(index.delete(index.get_loc(utc("2024-01-05 20:00"))))
    result = fill_gaps(frame, H1, FOREX)
    assert result.filled == (Gap(utc("2024-01-05 20:00"), utc("2024-01-05 20:00"), 1),)
    assert len(result.candles) == len(index)
    assert utc("2024-01-06 12:00") not in result.candles.index


def test_gaps_longer_than_max_gap_are_skipped_and_reported() -> None:
    frame = hourly("2024-01-01 02:00", "2024-01-01 05:00", "2024-01-01 06:00", "2024-01-01 07:00")
    result = fill_gaps(frame, H1, CRYPTO, max_gap=2)
    assert result.filled == (Gap(utc("2024-01-01 02:00"), utc("2024-01-01 02:00"), 1),)
    assert result.skipped == (Gap(utc("2024-01-01 05:00"), utc("2024-01-01 07:00"), 3),)
    assert utc("2024-01-01 06:00") not in result.candles.index
    assert result.log_lines() == [
        "filled 1 flat candle(s) 2024-01-01T02:00:00Z .. 2024-01-01T02:00:00Z",
        "left 3 missing candle(s) 2024-01-01T05:00:00Z .. 2024-01-01T07:00:00Z",
    ]


def test_a_gap_before_the_first_candle_is_never_back_filled() -> None:
    frame = hourly(start="2024-01-01 03:00", end="2024-01-01 06:00")
    result = fill_gaps(frame, H1, CRYPTO, start=utc("2024-01-01 00:00"))
    assert result.filled == ()
    assert result.skipped == (Gap(utc("2024-01-01 00:00"), utc("2024-01-01 02:00"), 3),)
    assert result.candles.index[0] == utc("2024-01-01 03:00")


def test_a_gap_after_the_last_candle_is_filled_forward_inside_an_explicit_window() -> None:
    frame = hourly(end="2024-01-01 03:00")
    result = fill_gaps(frame, H1, CRYPTO, end=utc("2024-01-01 05:00"))
    assert result.filled == (Gap(utc("2024-01-01 03:00"), utc("2024-01-01 04:00"), 2),)
    assert (result.candles["close"].iloc[-2:] == frame["close"].iloc[-1]).all()


def test_nothing_to_fill_returns_the_candles_and_an_empty_account() -> None:
    frame = hourly()
    result = fill_gaps(frame, H1, CRYPTO)
    assert (result.filled, result.skipped, result.rows_filled) == ((), (), 0)
    assert len(result.candles) == len(frame)


def test_unknown_method_and_negative_max_gap_are_refused() -> None:
    with pytest.raises(UnsupportedError, match="flat"):
        fill_gaps(hourly(), H1, CRYPTO, method="bfill")
    with pytest.raises(UnsupportedError, match="max_gap"):
        fill_gaps(hourly(), H1, CRYPTO, max_gap=-1)
