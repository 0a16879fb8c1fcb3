"""Gap figures on the real shared candle files, checked against ../shared/data/ohlcv/README.md.

The README counts crypto gaps on a continuous grid, and FX / gold gaps with a plain
Sunday 17:00 -> Friday 17:00 New York session (gold: minus the daily 17:00-18:00 break), with
no holidays. `calendar_for(..., holidays=False)` is that calendar, so those figures must match
exactly. The default calendar also closes the 25 Dec and 1 Jan sessions; its figures are pinned
below as regressions (they are lower because the holiday closures are no longer "missing").
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import calendar_for
from tradingia.data.fill import fill_gaps
from tradingia.data.gaps import GapReport, find_gaps, iso_utc
from tradingia.data.resample import resample_candles
from tradingia.data.validation import validate_candles

pytestmark = pytest.mark.shared_data


class Figures(NamedTuple):
    expected: int
    missing: int
    runs: int
    longest: tuple[str, str, int] | None
    outside_session: int = 0


# From ../shared/data/ohlcv/README.md (continuous grid for crypto, session-aware for FX/gold).
README = {
    "BTCUSDT_5m": Figures(462_240, 40, 2, ("2021-09-29T07:00:00Z", "2021-09-29T08:55:00Z", 24)),
    "ETHUSDT_5m": Figures(427_392, 16, 1, ("2023-03-24T12:40:00Z", "2023-03-24T13:55:00Z", 16)),
    "SOLUSDT_5m": Figures(427_392, 16, 1, ("2023-03-24T12:40:00Z", "2023-03-24T13:55:00Z", 16)),
    "BNBUSDT_5m": Figures(93_024, 0, 0, None),
    "PAXGUSDT_5m": Figures(134_496, 0, 0, None),
    "EURUSD_15m": Figures(44_657, 385, 5, ("2024-12-24T22:00:00Z", "2024-12-25T21:45:00Z", 96)),
    "EURUSD_1h": Figures(48_905, 337, 21, ("2018-12-24T19:00:00Z", "2018-12-26T03:00:00Z", 33)),
    "XAUUSD_15m": Figures(44_343, 737, 22, ("2024-12-24T18:45:00Z", "2024-12-25T21:45:00Z", 105)),
    "XAUUSD_1h": Figures(48_441, 840, 142, ("2017-12-31T23:00:00Z", "2018-01-02T06:00:00Z", 31),
                         800),
}

# Default calendar (25 Dec and 1 Jan sessions closed): measured with this code, pinned.
WITH_HOLIDAYS = {
    "EURUSD_15m": (44_273, 1, 1, 0),
    "EURUSD_1h": (48_617, 58, 13, 9),  # 9 rows: this broker quoted the first hours of 25 Dec 2020
    "XAUUSD_15m": (43_975, 369, 20, 0),
    "XAUUSD_1h": (48_142, 541, 138, 800),
}


def read_candles(shared_data_dir: Path, name: str) -> pd.DataFrame:
    """A shared file as a candle frame (pandas only; the file source is tested elsewhere)."""
    raw = pd.read_csv(shared_data_dir / f"{name}.csv.gz", compression="gzip")
    index = pd.to_datetime(raw.pop("timestamp"), format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    return raw.set_index(pd.DatetimeIndex(index, name="timestamp"))


def report_for(candles: pd.DataFrame, name: str, *, holidays: bool) -> GapReport:
    symbol, timeframe = name.split("_")
    calendar = calendar_for(get_symbol(symbol).asset_class, holidays=holidays)
    return find_gaps(candles.index, Timeframe(timeframe), calendar, symbol=symbol)


@pytest.fixture(scope="module")
def shared_candles(shared_data_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: read_candles(shared_data_dir, name) for name in README}


@pytest.mark.parametrize("name", list(README))
def test_gap_figures_match_the_readme_exactly(
    shared_candles: dict[str, pd.DataFrame], name: str
) -> None:
    report = report_for(shared_candles[name], name, holidays=False)
    want = README[name]
    longest = report.longest
    got = Figures(
        report.expected, report.missing, len(report.gaps),
        None if longest is None else (iso_utc(longest.start), iso_utc(longest.end),
                                      longest.missing),
        report.outside_session,
    )
    assert got == want
    assert report.present + report.outside_session == len(shared_candles[name])


@pytest.mark.parametrize("name", list(WITH_HOLIDAYS))
def test_default_calendar_closes_christmas_and_new_year(
    shared_candles: dict[str, pd.DataFrame], name: str
) -> None:
    report = report_for(shared_candles[name], name, holidays=True)
    got = (report.expected, report.missing, len(report.gaps), report.outside_session)
    assert got == WITH_HOLIDAYS[name]
    assert report.missing < README[name].missing


def test_crypto_calendar_is_the_same_with_or_without_holidays(
    shared_candles: dict[str, pd.DataFrame],
) -> None:
    candles = shared_candles["BTCUSDT_5m"]
    assert report_for(candles, "BTCUSDT_5m", holidays=True) == report_for(
        candles, "BTCUSDT_5m", holidays=False)


@pytest.mark.parametrize("name", list(README))
def test_every_shared_file_passes_validation_without_repairs(
    shared_candles: dict[str, pd.DataFrame], name: str
) -> None:
    timeframe = Timeframe(name.split("_")[1])
    result = validate_candles(shared_candles[name], timeframe)
    assert result.repairs == ()
    assert len(result.candles) == len(shared_candles[name])


def test_btc_five_minute_resamples_to_hours_leaving_out_the_outage_hours(
    shared_candles: dict[str, pd.DataFrame],
) -> None:
    five = shared_candles["BTCUSDT_5m"]
    hourly = resample_candles(five, Timeframe.H1, source=Timeframe.M5, with_count=True)
    assert hourly["count"].sum() == len(five)
    assert hourly["volume"].sum() == pytest.approx(five["volume"].sum(), rel=1e-12)
    partial = hourly.index[hourly["count"] < 12]
    # Outages 2021-09-29 07:00-08:55 and 2023-03-24 12:40-13:55 (README): whole hours are
    # absent, not empty rows; only the 12:00 hour of 2023-03-24 is partial (8 of 12 candles).
    for hour in ("2021-09-29 07:00", "2021-09-29 08:00", "2023-03-24 13:00"):
        assert utc(hour) not in hourly.index
    assert list(partial) == [utc("2023-03-24 12:00")]
    assert hourly.loc[utc("2023-03-24 12:00"), "count"] == 8


def test_filling_eurusd_15m_adds_only_the_one_missing_in_session_candle(
    shared_candles: dict[str, pd.DataFrame],
) -> None:
    candles = shared_candles["EURUSD_15m"]
    result = fill_gaps(candles, Timeframe.M15, calendar_for("forex"))
    assert result.rows_filled == 1
    assert len(result.candles) == len(candles) + 1


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")
