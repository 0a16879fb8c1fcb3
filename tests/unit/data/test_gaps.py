"""Gap detection: calendar-aware counts, runs, out-of-session rows, and the JSON shape."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from tradingia.core.symbols import AssetClass
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import calendar_for, grid_range
from tradingia.data.gaps import Gap, GapReport, find_gaps

H1 = Timeframe.H1
CRYPTO = calendar_for(AssetClass.CRYPTO)
FOREX = calendar_for(AssetClass.FOREX)
METALS = calendar_for(AssetClass.METAL)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def session(calendar_index: pd.DatetimeIndex, *drop: str) -> pd.DatetimeIndex:
    """An index with the given UTC open times removed."""
    return calendar_index.delete([calendar_index.get_loc(utc(t)) for t in drop])


# Friday 2024-01-05 12:00 UTC .. Monday 2024-01-08 12:00 UTC: a winter weekend.
WEEKEND = (utc("2024-01-05 12:00"), utc("2024-01-08 12:00"))


def test_weekend_is_not_a_gap_for_forex() -> None:
    index = FOREX.expected_index(*WEEKEND, H1)
    report = find_gaps(index, H1, FOREX, *WEEKEND, symbol="EURUSD")
    assert (report.expected, report.present, report.missing, report.gaps) == (
        len(index), len(index), 0, ())
    assert report.longest is None


def test_the_same_weekend_is_a_gap_for_crypto() -> None:
    index = FOREX.expected_index(*WEEKEND, H1)  # candles only while FX trades
    report = find_gaps(index, H1, CRYPTO, *WEEKEND, symbol="BTCUSDT")
    # Friday 22:00 UTC .. Sunday 21:00 UTC: 48 hourly candles.
    assert report.gaps == (Gap(utc("2024-01-05 22:00"), utc("2024-01-07 21:00"), 48),)
    assert report.expected == 72
    assert report.missing == 48


def test_weekend_over_a_dst_change_is_not_a_gap_for_forex_but_a_missing_hour_is() -> None:
    start, end = utc("2024-03-08 00:00"), utc("2024-03-12 00:00")
    index = session(FOREX.expected_index(start, end, H1), "2024-03-10 21:00")
    report = find_gaps(index, H1, FOREX, start, end)
    # Sunday's open moved from 22:00 to 21:00 UTC with US daylight saving time.
    assert report.gaps == (Gap(utc("2024-03-10 21:00"), utc("2024-03-10 21:00"), 1),)
    assert report.outside_session == 0


def test_a_run_of_missing_candles_spans_a_closed_weekend() -> None:
    index = session(FOREX.expected_index(*WEEKEND, H1), "2024-01-05 21:00", "2024-01-07 22:00")
    report = find_gaps(index, H1, FOREX, *WEEKEND)
    assert report.gaps == (Gap(utc("2024-01-05 21:00"), utc("2024-01-07 22:00"), 2),)


def test_gaps_are_runs_with_first_last_and_count_and_longest_is_the_biggest() -> None:
    start, end = utc("2024-01-01 00:00"), utc("2024-01-01 12:00")
    index = session(grid_range(start, end, H1), "2024-01-01 02:00", "2024-01-01 05:00",
                    "2024-01-01 06:00", "2024-01-01 07:00", "2024-01-01 10:00")
    report = find_gaps(index, H1, CRYPTO)
    assert report.gaps == (
        Gap(utc("2024-01-01 02:00"), utc("2024-01-01 02:00"), 1),
        Gap(utc("2024-01-01 05:00"), utc("2024-01-01 07:00"), 3),
        Gap(utc("2024-01-01 10:00"), utc("2024-01-01 10:00"), 1),
    )
    assert report.longest == report.gaps[1]
    assert report.expected == report.present + report.missing == 12


def test_default_window_is_first_to_last_candle_so_edges_are_never_gaps() -> None:
    index = pd.DatetimeIndex([utc("2024-01-01 03:00"), utc("2024-01-01 05:00")])
    report = find_gaps(index, H1, CRYPTO)
    assert (report.start, report.end) == (utc("2024-01-01 03:00"), utc("2024-01-01 06:00"))
    assert report.gaps == (Gap(utc("2024-01-01 04:00"), utc("2024-01-01 04:00"), 1),)


def test_explicit_window_counts_missing_candles_at_the_edges_and_ignores_rows_outside() -> None:
    index = pd.DatetimeIndex([utc("2024-01-01 00:00"), utc("2024-01-01 02:00"),
                              utc("2024-01-01 09:00")])
    report = find_gaps(index, H1, CRYPTO, utc("2024-01-01 01:00"), utc("2024-01-01 04:00"))
    assert (report.expected, report.present, report.missing) == (3, 1, 2)
    assert [g.missing for g in report.gaps] == [1, 1]
    assert report.outside_session == 0


def test_rows_in_the_metals_break_count_as_outside_session_not_as_present() -> None:
    start, end = utc("2024-01-09 20:00"), utc("2024-01-10 01:00")
    index = grid_range(start, end, H1)  # includes 22:00 UTC = 17:00 New York
    report = find_gaps(index, H1, METALS, start, end, symbol="XAUUSD")
    assert (report.expected, report.present, report.missing) == (4, 4, 0)
    assert report.outside_session == 1


def test_missing_candle_next_to_the_metals_break_is_a_gap() -> None:
    start, end = utc("2024-01-09 20:00"), utc("2024-01-10 01:00")
    index = session(METALS.expected_index(start, end, H1), "2024-01-09 23:00")
    report = find_gaps(index, H1, METALS, start, end)
    assert report.gaps == (Gap(utc("2024-01-09 23:00"), utc("2024-01-09 23:00"), 1),)


def test_duplicate_or_unsorted_timestamps_do_not_inflate_present() -> None:
    index = pd.DatetimeIndex([utc("2024-01-01 02:00"), utc("2024-01-01 00:00"),
                              utc("2024-01-01 02:00")])
    report = find_gaps(index, H1, CRYPTO)
    assert (report.expected, report.present, report.missing) == (3, 2, 1)


def test_empty_series_reports_nothing_without_a_window_and_all_missing_with_one() -> None:
    empty = pd.DatetimeIndex([], tz="UTC")
    assert find_gaps(empty, H1, CRYPTO).expected == 0
    report = find_gaps(empty, H1, CRYPTO, utc("2024-01-01"), utc("2024-01-01 03:00"))
    assert (report.expected, report.missing, len(report.gaps)) == (3, 3, 1)


def test_to_dict_has_exactly_the_cli_json_keys_with_iso_utc_strings() -> None:
    index = pd.DatetimeIndex([utc("2021-09-29 06:55"), utc("2021-09-29 09:00")])
    report = find_gaps(index, Timeframe.M5, CRYPTO, symbol="BTCUSDT")
    data = report.to_dict()
    assert data == {
        "symbol": "BTCUSDT",
        "timeframe": "5m",
        "expected": 26,
        "present": 2,
        "missing": 24,
        "gaps": [{"start": "2021-09-29T07:00:00Z", "end": "2021-09-29T08:55:00Z",
                  "missing": 24}],
    }
    assert json.loads(json.dumps(data)) == data


def test_report_is_a_frozen_value() -> None:
    report = find_gaps(pd.DatetimeIndex([utc("2024-01-01")]), H1, CRYPTO)
    assert isinstance(report, GapReport)
    assert report.gaps == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.missing = 3  # type: ignore[misc]
