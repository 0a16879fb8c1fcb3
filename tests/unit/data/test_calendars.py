"""Trading calendars: crypto 24/7, forex and metals weeks in New York time, DST, breaks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradingia.core.symbols import AssetClass
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import calendar_for, grid_range


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def hours(start: str, end: str) -> list[str]:
    """Open times, as 'MM-DD HH:MM' UTC strings, of the hourly grid in [start, end)."""
    return [t.strftime("%m-%d %H:%M") for t in grid_range(utc(start), utc(end), Timeframe.H1)]


def expected(asset: AssetClass, start: str, end: str, tf: Timeframe = Timeframe.H1) -> list[str]:
    index = calendar_for(asset).expected_index(utc(start), utc(end), tf)
    return [t.strftime("%m-%d %H:%M") for t in index]


def test_crypto_expects_every_candle_through_the_weekend() -> None:
    got = expected(AssetClass.CRYPTO, "2024-01-05 00:00", "2024-01-08 00:00")
    assert got == hours("2024-01-05 00:00", "2024-01-08 00:00")
    assert len(got) == 72


def test_forex_winter_week_closes_friday_22_utc_and_opens_sunday_22_utc() -> None:
    got = expected(AssetClass.FOREX, "2024-01-05 18:00", "2024-01-08 00:00")
    # Friday 17:00 New York (EST) is 22:00 UTC; Sunday 17:00 New York is 22:00 UTC.
    assert got == ["01-05 18:00", "01-05 19:00", "01-05 20:00", "01-05 21:00",
                   "01-07 22:00", "01-07 23:00"]


def test_forex_summer_week_closes_and_opens_an_hour_earlier_in_utc() -> None:
    got = expected(AssetClass.FOREX, "2024-07-05 18:00", "2024-07-08 00:00")
    assert got == ["07-05 18:00", "07-05 19:00", "07-05 20:00",
                   "07-07 21:00", "07-07 22:00", "07-07 23:00"]


def test_forex_weekend_over_the_spring_dst_change_closes_in_est_and_opens_in_edt() -> None:
    # US clocks went forward on Sunday 2024-03-10 at 02:00 New York.
    got = expected(AssetClass.FOREX, "2024-03-08 20:00", "2024-03-10 23:00")
    assert got == ["03-08 20:00", "03-08 21:00", "03-10 21:00", "03-10 22:00"]


def test_forex_weekend_over_the_autumn_dst_change_closes_in_edt_and_opens_in_est() -> None:
    # US clocks went back on Sunday 2024-11-03 at 02:00 New York.
    got = expected(AssetClass.FOREX, "2024-11-01 19:00", "2024-11-03 23:00")
    assert got == ["11-01 19:00", "11-01 20:00", "11-03 22:00"]


def test_forex_trades_through_the_night_on_weekdays() -> None:
    got = expected(AssetClass.FOREX, "2024-01-09 20:00", "2024-01-10 01:00")
    assert got == hours("2024-01-09 20:00", "2024-01-10 01:00")


def test_metals_have_a_daily_17_to_18_new_york_break() -> None:
    winter = expected(AssetClass.METAL, "2024-01-09 20:00", "2024-01-10 01:00")
    assert winter == ["01-09 20:00", "01-09 21:00", "01-09 23:00", "01-10 00:00"]
    summer = expected(AssetClass.METAL, "2024-07-09 20:00", "2024-07-10 00:00")
    assert summer == ["07-09 20:00", "07-09 22:00", "07-09 23:00"]


def test_metals_break_on_15m_candles_drops_exactly_four_candles() -> None:
    got = calendar_for(AssetClass.METAL).expected_index(
        utc("2024-01-09 21:30"), utc("2024-01-09 23:30"), Timeframe.M15)
    assert [t.strftime("%H:%M") for t in got] == ["21:30", "21:45", "23:00", "23:15"]


def test_metals_week_opens_sunday_18_new_york() -> None:
    got = expected(AssetClass.METAL, "2024-01-07 20:00", "2024-01-08 01:00")
    assert got == ["01-07 23:00", "01-08 00:00"]


def test_christmas_and_new_year_sessions_are_closed_unless_holidays_are_off() -> None:
    start, end = utc("2024-12-24 20:00"), utc("2024-12-26 00:00")
    with_holidays = calendar_for(AssetClass.FOREX).expected_index(start, end, Timeframe.H1)
    # Session of 25 Dec: 24 Dec 17:00 .. 25 Dec 17:00 New York = 22:00 .. 22:00 UTC.
    assert [t.strftime("%m-%d %H:%M") for t in with_holidays] == [
        "12-24 20:00", "12-24 21:00", "12-25 22:00", "12-25 23:00"]
    plain = calendar_for(AssetClass.FOREX, holidays=False).expected_index(start, end, Timeframe.H1)
    assert len(plain) == 28
    new_year = calendar_for("metal").expected_index(
        utc("2025-01-01 00:00"), utc("2025-01-02 00:00"), Timeframe.H1)
    assert [t.strftime("%H:%M") for t in new_year] == ["23:00"]


def test_a_candle_partly_in_session_is_expected() -> None:
    fx = calendar_for(AssetClass.FOREX)
    four_hours = pd.DatetimeIndex([utc("2024-01-05 20:00"), utc("2024-01-06 00:00"),
                                   utc("2024-01-07 20:00")])
    assert fx.is_open_mask(four_hours, Timeframe.H4).tolist() == [True, False, True]
    days = pd.date_range("2024-01-05", periods=4, freq="D", tz="UTC")  # Fri, Sat, Sun, Mon
    assert fx.is_open_mask(days, Timeframe.D1).tolist() == [True, False, True, True]
    assert fx.is_open_mask(pd.DatetimeIndex([utc("2024-01-01")]), Timeframe.W1).tolist() == [True]


def test_is_open_mask_of_crypto_is_all_true_and_of_an_empty_index_is_empty() -> None:
    index = pd.date_range("2024-01-06", periods=5, freq="1h", tz="UTC")
    assert calendar_for(AssetClass.CRYPTO).is_open_mask(index, Timeframe.H1).all()
    empty = calendar_for(AssetClass.FOREX).is_open_mask(pd.DatetimeIndex([], tz="UTC"),
                                                         Timeframe.H1)
    assert empty.dtype == np.bool_
    assert empty.shape == (0,)


def test_is_open_mask_and_expected_index_match_hand_listed_metals_closures_on_1m() -> None:
    # Metals close Fri 17:00 New York, reopen Sun 18:00, and break daily 17:00-18:00 (Mon-Thu).
    # In UTC that is +5h until the spring DST change (Sun 2024-03-10 02:00 NY), +4h after.
    closed_utc = [
        ("03-01 22:00", "03-03 23:00"),  # weekend, EST
        *[(f"03-0{d} 22:00", f"03-0{d} 23:00") for d in (4, 5, 6, 7)],  # breaks, EST
        ("03-08 22:00", "03-10 22:00"),  # weekend: closes in EST, opens in EDT
        *[(f"03-{d} 21:00", f"03-{d} 22:00") for d in (11, 12, 13, 14)],  # breaks, EDT
        ("03-15 21:00", "03-17 22:00"),  # weekend, EDT
        *[(f"03-{d} 21:00", f"03-{d} 22:00") for d in (18, 19)],  # breaks, EDT
    ]
    metals = calendar_for(AssetClass.METAL)
    grid = grid_range(utc("2024-03-01"), utc("2024-03-20"), Timeframe.M1)
    closed = np.zeros(len(grid), dtype=bool)
    for start, end in closed_utc:
        closed |= (grid >= utc(f"2024-{start}")) & (grid < utc(f"2024-{end}"))
    mask = metals.is_open_mask(grid, Timeframe.M1)
    assert mask.tolist() == (~closed).tolist()
    assert metals.expected_index(utc("2024-03-01"), utc("2024-03-20"),
                                 Timeframe.M1).equals(grid[~closed])
    # 19 days of 1440 minutes; open: Fri 22 h + Sun 1 h + 4 x 23 h + Fri 22 h + Sun 2 h
    # + 4 x 23 h + Fri 21 h + Sun 2 h + 2 x 23 h = 300 h.
    assert len(grid) == 19 * 1440
    assert int(mask.sum()) == 300 * 60


def test_expected_index_starts_at_the_next_grid_point_and_excludes_the_end() -> None:
    got = calendar_for(AssetClass.CRYPTO).expected_index(
        utc("2024-01-01 00:03"), utc("2024-01-01 00:15"), Timeframe.M5)
    assert [t.strftime("%H:%M") for t in got] == ["00:05", "00:10"]
    assert got.name == "timestamp"
    assert str(got.tz) == "UTC"


def test_weekly_grid_starts_on_mondays() -> None:
    weeks = grid_range(utc("2024-01-03"), utc("2024-02-01"), Timeframe.W1)
    assert weeks.day_of_week.tolist() == [0, 0, 0, 0]
    assert weeks[0] == utc("2024-01-08")
