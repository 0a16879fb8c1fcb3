"""Gap detection: which expected candles are missing, judged by the market's calendar.

A weekend is not a gap for EURUSD (its calendar is closed) but is for BTCUSDT (24/7). Rows the
calendar does not expect (e.g. a broker quoting during the metals break, or on a holiday) are
not errors: they are counted as `outside_session` and kept apart from `present`, so
`expected == present + missing` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import MarketCalendar, as_utc, as_utc_index

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of consecutive missing expected candles: first and last open time, how many."""

    start: pd.Timestamp
    end: pd.Timestamp  # open time of the last missing candle (inclusive)
    missing: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with ISO-8601 UTC strings."""
        return {"start": iso_utc(self.start), "end": iso_utc(self.end), "missing": self.missing}


@dataclass(frozen=True, slots=True)
class GapReport:
    """Missing candles of one series over [start, end) (the JSON of `tradingia data gaps`)."""

    symbol: str
    timeframe: Timeframe
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    expected: int
    present: int
    missing: int
    gaps: tuple[Gap, ...]
    outside_session: int = 0  # rows present although the calendar expects no candle there

    @property
    def longest(self) -> Gap | None:
        """The gap with the most missing candles (the earliest on ties), or None."""
        if not self.gaps:
            return None
        return max(self.gaps, key=lambda gap: gap.missing)

    def to_dict(self) -> dict[str, Any]:
        """`{"symbol", "timeframe", "expected", "present", "missing", "gaps": [...]}`."""
        return {
            "symbol": self.symbol,
            "timeframe": self.timeframe.value,
            "expected": self.expected,
            "present": self.present,
            "missing": self.missing,
            "gaps": [gap.to_dict() for gap in self.gaps],
        }


def find_gaps(
    index: pd.Index,
    timeframe: Timeframe,
    calendar: MarketCalendar,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    *,
    symbol: str = "",
) -> GapReport:
    """Compare the candles present in `index` with those `calendar` expects in [start, end).

    `index` holds candle open times (a DatetimeIndex; naive is read as UTC).
    `start` defaults to the first candle and `end` (exclusive) to just after the last one, so
    by default only holes inside the series count. A gap is a run of consecutive expected
    candles that are all missing; it may span a closed weekend.
    """
    return _gaps_and_expected(index, timeframe, calendar, start, end, symbol=symbol)[0]


def _gaps_and_expected(
    index: pd.Index,
    timeframe: Timeframe,
    calendar: MarketCalendar,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    *,
    symbol: str = "",
) -> tuple[GapReport, np.ndarray, np.ndarray]:
    """`find_gaps`, plus the expected open times (int64 ns, sorted) and which are present."""
    idx = as_utc_index(index)
    if len(idx) == 0 and (start is None or end is None):
        none = np.array([], dtype=np.int64)
        return (GapReport(symbol, timeframe, None, None, 0, 0, 0, ()), none,
                np.zeros(0, dtype=bool))
    lo = as_utc(start) if start is not None else idx.min()
    hi = as_utc(end) if end is not None else idx.max() + timeframe.delta
    have = np.unique(idx.asi8)
    have = have[(have >= lo.value) & (have < hi.value)]
    expected = calendar.expected_index(lo, hi, timeframe)
    want = expected.asi8
    found = _isin_sorted(want, have)
    present = int(found.sum())
    gaps = _runs(expected, ~found)
    report = GapReport(
        symbol=symbol,
        timeframe=timeframe,
        start=lo,
        end=hi,
        expected=len(want),
        present=present,
        missing=len(want) - present,
        gaps=gaps,
        outside_session=len(have) - present,
    )
    return report, want, found


def iso_utc(ts: pd.Timestamp) -> str:
    """`2024-01-01T00:05:00Z`: the timestamp format of the data files and the JSON output."""
    return as_utc(ts).strftime(ISO_UTC)


def _isin_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Vectorised membership of `values` in a sorted, duplicate-free int64 array."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_unique, values)
    pos[pos == len(sorted_unique)] = 0
    return np.asarray(sorted_unique[pos] == values)


def _runs(expected: pd.DatetimeIndex, missing: np.ndarray) -> tuple[Gap, ...]:
    """Runs of consecutive True in `missing`, as Gaps over the `expected` open times."""
    if not missing.any():
        return ()
    edges = np.diff(np.concatenate(([0], missing.view(np.int8), [0])))
    firsts = np.flatnonzero(edges == 1)
    lasts = np.flatnonzero(edges == -1) - 1
    return tuple(
        Gap(expected[a], expected[b], int(b - a + 1))
        for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
    )
