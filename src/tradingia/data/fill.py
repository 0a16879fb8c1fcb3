"""Explicit gap filling: forward only, flat candles, and a full account of what was filled.

Gaps are never filled silently (DESIGN.md); a caller that chooses to fill logs `filled`. The
one method, `flat`, turns each missing candle into open = high = low = close = the previous
close, with volume 0: it uses only the past (never `bfill`) and invents no price movement.
A gap before the first candle has no previous close and is skipped, like gaps longer than
`max_gap` candles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME
from tradingia.core.errors import UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data.calendars import MarketCalendar, as_utc_index
from tradingia.data.gaps import Gap, _gaps_and_expected, iso_utc

METHODS = ("flat",)


@dataclass(frozen=True, slots=True)
class FillResult:
    """Candles with the chosen gaps filled, the gaps filled, and the gaps left alone."""

    candles: pd.DataFrame
    filled: tuple[Gap, ...]
    skipped: tuple[Gap, ...] = ()

    @property
    def rows_filled(self) -> int:
        """Number of candles added."""
        return sum(gap.missing for gap in self.filled)

    def log_lines(self) -> list[str]:
        """One line per gap, for the caller's log."""
        lines = [f"filled {g.missing} flat candle(s) {_span(g)}" for g in self.filled]
        lines += [f"left {g.missing} missing candle(s) {_span(g)}" for g in self.skipped]
        return lines


def _span(gap: Gap) -> str:
    return f"{iso_utc(gap.start)} .. {iso_utc(gap.end)}"


def fill_gaps(
    candles: pd.DataFrame,
    timeframe: Timeframe,
    calendar: MarketCalendar,
    *,
    method: str = "flat",
    max_gap: int | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> FillResult:
    """Fill the calendar's missing candles in [start, end) (default: first to last candle).

    Gaps of more than `max_gap` candles are skipped and reported in `skipped`, as are gaps
    with no earlier candle to carry forward. Candles must be validated (sorted, unique, UTC).
    """
    if method not in METHODS:
        raise UnsupportedError(
            f"Unknown fill method {method!r}. Use one of: {', '.join(METHODS)}."
        )
    if max_gap is not None and max_gap < 0:
        raise UnsupportedError(f"max_gap must be >= 0 candles, got {max_gap}.")
    index = as_utc_index(pd.DatetimeIndex(candles.index))
    report, expected, found = _gaps_and_expected(index, timeframe, calendar, start, end)
    times = index.asi8
    filled: list[Gap] = []
    skipped: list[Gap] = []
    for gap in report.gaps:
        too_long = max_gap is not None and gap.missing > max_gap
        no_past = len(times) == 0 or gap.start.value < times[0]
        (skipped if too_long or no_past else filled).append(gap)
    if not filled or report.start is None or report.end is None:
        return FillResult(candles, (), tuple(skipped))
    missing = _missing_times(expected[~found], filled)
    return FillResult(_with_flat(candles, index, missing), tuple(filled), tuple(skipped))


def _missing_times(absent: np.ndarray, gaps: list[Gap]) -> np.ndarray:
    """The open times (int64 ns, sorted) in `absent` that fall inside `gaps`."""
    firsts = np.array([g.start.value for g in gaps], dtype=np.int64)
    lasts = np.array([g.end.value for g in gaps], dtype=np.int64)
    slot = np.searchsorted(firsts, absent, side="right") - 1
    inside = (slot >= 0) & (absent <= lasts[np.maximum(slot, 0)])
    return np.asarray(absent[inside])


def _with_flat(candles: pd.DataFrame, index: pd.DatetimeIndex, missing: np.ndarray) -> pd.DataFrame:
    """Candles plus flat candles at `missing`, each at the close of the candle before it."""
    close = candles["close"].to_numpy(np.float64)
    prev = close[np.searchsorted(index.asi8, missing, side="left") - 1]
    flat = {c: prev for c in ("open", "high", "low", "close")} | {"volume": np.zeros(len(prev))}
    stamps = pd.DatetimeIndex(missing.view("M8[ns]"), name=INDEX_NAME).tz_localize("UTC")
    added = pd.DataFrame({c: flat[c] for c in CANDLE_COLUMNS}, index=stamps)
    base = candles.loc[:, list(CANDLE_COLUMNS)].astype(np.float64)
    base.index = index.rename(INDEX_NAME)
    return pd.concat([base, added]).sort_index(kind="stable")
