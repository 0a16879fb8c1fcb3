"""Trading calendars per asset class: when a market is open, and which candles to expect.

- Crypto trades 24/7: every candle is expected.
- Forex trades from Sunday 17:00 to Friday 17:00 America/New_York (the "New York close"
  convention). A trading day *D* (Monday to Friday) runs from 17:00 New York on the day before
  *D* to 17:00 on *D*, so the Sunday open is the start of Monday's session. Daylight saving
  time is handled by zoneinfo: the open is 21:00 UTC in northern summer, 22:00 UTC in winter.
- Metals (XAUUSD, XAGUSD) follow the forex week plus a daily 17:00-18:00 New York break, so
  each session runs 18:00 (day before) to 17:00; the week therefore opens Sunday 18:00.
- Holidays (on by default for forex and metals): the sessions that close on 25 December and
  1 January are closed. Brokers stay shut for these two days almost everywhere, so reporting
  them as missing data would send a sync to back-fill candles that can never exist. Other
  holidays and early closes (Good Friday, US holidays, 24 / 31 December afternoons) vary by
  broker and are left in: they show up as gaps, which is honest. `holidays=False` gives the
  plain weekly calendar.

A candle is expected when any part of it, `[open time, open time + timeframe)`, falls inside a
session. For 1m-1h candles that is the same as "its open time is in a session" (New York
offsets are whole hours); for 4h, 1d and 1w candles it keeps candles that are only partly in
session, such as the Sunday daily candle of EURUSD, which brokers do publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tradingia.core.candles import INDEX_NAME
from tradingia.core.symbols import AssetClass
from tradingia.core.timeframes import Timeframe

NEW_YORK = "America/New_York"
MAIN_HOLIDAYS: tuple[tuple[int, int], ...] = ((12, 25), (1, 1))
_NS_PER_MINUTE = 60_000_000_000
# 1970-01-05 was the first Monday after the epoch: weekly candles start on Mondays.
_FIRST_MONDAY_NS = 4 * 1440 * _NS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class MarketCalendar:
    """When one kind of market trades; `always_open` markets ignore the session fields."""

    name: str
    always_open: bool = False
    timezone: str = NEW_YORK
    session_open: time = time(17)  # local time, on the day before the trading day
    session_close: time = time(17)  # local time, on the trading day
    holidays: tuple[tuple[int, int], ...] = ()  # (month, day) of closed trading days

    def sessions(self, start: pd.Timestamp, end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """Open and close (UTC, int64 ns, sorted) of every session that overlaps [start, end)."""
        lo, hi = as_utc(start), as_utc(end)
        if self.always_open:
            return np.array([lo.value], dtype=np.int64), np.array([hi.value], dtype=np.int64)
        zone = ZoneInfo(self.timezone)
        first = lo.tz_convert(zone).tz_localize(None).normalize() - pd.Timedelta(days=2)
        last = hi.tz_convert(zone).tz_localize(None).normalize() + pd.Timedelta(days=2)
        days = pd.date_range(first, last, freq="D")
        keep = days.day_of_week < 5
        for month, day in self.holidays:
            keep &= ~((days.month == month) & (days.day == day))
        days = days[keep]
        opens = days - pd.Timedelta(days=1) + _offset(self.session_open)
        closes = days + _offset(self.session_close)
        open_ns = _local_to_utc_ns(opens, zone)
        close_ns = _local_to_utc_ns(closes, zone)
        inside = (close_ns > lo.value) & (open_ns < hi.value)
        return open_ns[inside], close_ns[inside]

    def is_open_mask(self, index: pd.Index, timeframe: Timeframe) -> np.ndarray:
        """True for each candle (open time in `index`) of which any part is in a session."""
        n = len(index)
        if self.always_open or n == 0:
            return np.ones(n, dtype=bool)
        idx = as_utc_index(index)
        values = idx.asi8
        step = timeframe.minutes * _NS_PER_MINUTE
        opens, closes = self.sessions(idx.min(), idx.max() + timeframe.delta)
        return _overlaps(values, values + step, opens, closes)

    def expected_index(
        self, start: pd.Timestamp, end: pd.Timestamp, timeframe: Timeframe
    ) -> pd.DatetimeIndex:
        """Open times of the candles expected in [start, end): on the grid, and in session.

        Grid points are multiples of the timeframe since the epoch (weeks: since a Monday);
        a `start` between grid points starts at the next one.
        """
        grid = grid_range(start, end, timeframe)
        if self.always_open or len(grid) == 0:
            return grid
        return grid[self.is_open_mask(grid, timeframe)]


def calendar_for(asset_class: AssetClass | str, *, holidays: bool = True) -> MarketCalendar:
    """The calendar of an asset class (crypto 24/7; forex; metals with the daily break)."""
    kind = AssetClass(asset_class)
    closed = MAIN_HOLIDAYS if holidays else ()
    if kind is AssetClass.CRYPTO:
        return MarketCalendar("crypto 24/7", always_open=True)
    if kind is AssetClass.FOREX:
        return MarketCalendar("forex Sun 17:00-Fri 17:00 New York", holidays=closed)
    return MarketCalendar(
        "metals Sun 18:00-Fri 17:00 New York, daily 17:00-18:00 break",
        session_open=time(18),
        holidays=closed,
    )


def grid_range(start: pd.Timestamp, end: pd.Timestamp, timeframe: Timeframe) -> pd.DatetimeIndex:
    """Every candle open time of `timeframe` in [start, end), as a UTC index named timestamp."""
    lo, hi = as_utc(start).as_unit("ns").value, as_utc(end).as_unit("ns").value
    step = timeframe.minutes * _NS_PER_MINUTE
    origin = _FIRST_MONDAY_NS if timeframe is Timeframe.W1 else 0
    first = origin + -((origin - lo) // step) * step  # ceil to the grid
    values = np.arange(first, hi, step, dtype=np.int64) if first < hi else np.empty(0, np.int64)
    return pd.DatetimeIndex(values.view("M8[ns]"), name=INDEX_NAME).tz_localize("UTC")


def grid_offset_ns(values: np.ndarray, timeframe: Timeframe) -> np.ndarray:
    """How far (ns) each open time (int64 ns since the epoch) is past its timeframe grid point."""
    step = timeframe.minutes * _NS_PER_MINUTE
    origin = _FIRST_MONDAY_NS if timeframe is Timeframe.W1 else 0
    return np.asarray((values - origin) % step)


def _overlaps(
    starts: np.ndarray, stops: np.ndarray, opens: np.ndarray, closes: np.ndarray
) -> np.ndarray:
    """Whether each [start, stop) overlaps one of the sorted, disjoint [open, close)."""
    if len(opens) == 0:
        return np.zeros(len(starts), dtype=bool)
    # First session that closes after the candle starts; it overlaps if it opens before it ends.
    pos = np.searchsorted(closes, starts, side="right")
    found = pos < len(closes)
    out = np.zeros(len(starts), dtype=bool)
    out[found] = opens[pos[found]] < stops[found]
    return out


def _offset(at: time) -> pd.Timedelta:
    return pd.Timedelta(hours=at.hour, minutes=at.minute)


def _local_to_utc_ns(local: pd.DatetimeIndex, zone: ZoneInfo) -> np.ndarray:
    """Naive local wall times -> UTC int64 ns (session edges never fall in a DST jump)."""
    aware = local.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
    return np.asarray(aware.tz_convert("UTC").as_unit("ns").asi8)


def as_utc(ts: pd.Timestamp | str) -> pd.Timestamp:
    """A timestamp in UTC; a naive one is read as UTC (query bounds, not candle data)."""
    value = pd.Timestamp(ts)
    return value.tz_localize("UTC") if value.tz is None else value.tz_convert("UTC")


def as_utc_index(index: pd.Index) -> pd.DatetimeIndex:
    """The index in UTC at ns resolution; a naive one is read as UTC."""
    idx = pd.DatetimeIndex(index)
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    return idx.as_unit("ns")
