"""Timestamp parsing for candle files: ISO-8601, epoch s / ms, MT4 dates; everything to UTC.

Bad rows are reported as positions (`BadRowsError`); the file reader turns them into line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tradingia.core.timeframes import Timeframe

TIMESTAMP_HINT = (
    "Use ISO-8601 (2024-01-02T00:00:00Z; a missing offset means UTC), epoch seconds or "
    "milliseconds, or MT4's `2024.01.02,00:00`."
)
_NUMERIC = re.compile(r"^[+-]?\d+(\.\d*)?$")
_DOTTED_DATE = r"^(\d{4})\.(\d{2})\.(\d{2})"
# The offset of an ISO timestamp that has a time part (so the '-02' of '2024-01-02' is no offset).
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)$"
# Epoch magnitude bands: below 1e11 seconds (until year 5138), then ms, us, ns.
_EPOCH_BANDS = (1e11, 1e14, 1e17)
_EPOCH_UNITS: tuple[Literal["s", "ms", "us", "ns"], ...] = ("s", "ms", "us", "ns")


@dataclass
class BadRowsError(Exception):
    """Rows whose timestamps cannot be used: `groups` maps a description to row positions."""

    rule: str
    groups: dict[str, np.ndarray] = field(default_factory=dict)
    hint: str = TIMESTAMP_HINT


def parse_timestamps(values: pd.Series, timeframe: Timeframe | None = None) -> pd.DatetimeIndex:
    """Parse a column of candle times into a UTC index (ns); raises BadRowsError naming positions.

    Strings may be ISO-8601 (naive means UTC, offsets are converted) or epoch numbers (unit
    chosen by magnitude); MT4 dotted dates are accepted. Offsets that differ between rows are
    accepted when they shift every candle by whole candles of `timeframe`, e.g. the DST
    offsets of a local-time 5m file; otherwise the file mixes time zones.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return _utc_index(pd.DatetimeIndex(values))
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _utc_index(pd.DatetimeIndex(values))
    if pd.api.types.is_numeric_dtype(values.dtype):
        return _from_epoch(values.astype("float64"))
    first = values.first_valid_index()
    sample = "" if first is None else str(values[first]).strip()
    if _NUMERIC.match(sample):
        return _from_epoch(pd.to_numeric(values, errors="coerce"))
    if re.match(_DOTTED_DATE, sample):
        values = values.str.replace(_DOTTED_DATE, r"\1-\2-\3", regex=True)
    return _from_iso(values, timeframe)


def _utc_index(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    return index.as_unit("ns")


def _check_parsed(parsed: pd.Series | pd.DatetimeIndex) -> None:
    missing = np.flatnonzero(np.asarray(parsed.isna(), dtype=bool))
    if missing.size:
        raise BadRowsError("unparseable timestamp", {"unparseable timestamp": missing})


def _from_epoch(numbers: pd.Series) -> pd.DatetimeIndex:
    _check_parsed(numbers)
    array = numbers.to_numpy(dtype="float64")
    bands = np.searchsorted(_EPOCH_BANDS, np.abs(array), side="right")
    band = int(bands[0]) if bands.size else 0
    odd = np.flatnonzero(bands != band)
    if odd.size:
        raise BadRowsError(
            "mixed epoch units",
            {f"not in {_EPOCH_UNITS[band]} like the first row": odd},
            "Use one epoch unit (seconds or milliseconds) for the whole file.",
        )
    unit = _EPOCH_UNITS[band]
    exact = array.astype("int64") if np.all(array == np.floor(array)) else array
    return _utc_index(pd.to_datetime(exact, unit=unit, utc=True))


def _from_iso(values: pd.Series, timeframe: Timeframe | None) -> pd.DatetimeIndex:
    try:
        parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
    except ValueError:  # pandas refuses mixed offsets without utc=True
        _check_zones(values, timeframe)
        parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    _check_parsed(parsed)
    return _utc_index(pd.DatetimeIndex(parsed))


def _check_zones(values: pd.Series, timeframe: Timeframe | None) -> None:
    """Raise BadRowsError when rows mix naive and offset times, or offsets that shift the grid."""
    offsets = values.str.extract(_OFFSET, expand=False)
    naive = offsets.isna().to_numpy() & values.notna().to_numpy()
    if naive.any() and not naive[values.notna().to_numpy()].all():
        raise BadRowsError(
            "mixed time zones",
            {"without offset": np.flatnonzero(naive),
             "with offset": np.flatnonzero(offsets.notna().to_numpy())},
            "Write every timestamp in one convention, preferably UTC with `Z`.",
        )
    minutes = offsets.map(_offset_minutes, na_action="ignore")
    distinct = sorted(minutes.dropna().unique())
    step = timeframe.minutes if timeframe is not None else 1
    if any((m - distinct[0]) % step for m in distinct):
        groups = {f"offset {_format_offset(m)}": np.flatnonzero((minutes == m).to_numpy())
                  for m in distinct}
        raise BadRowsError(
            "mixed time zones",
            groups,
            f"These offsets put {timeframe} candles on different UTC grids; export the file "
            "in UTC (or in one fixed offset).",
        )


def _offset_minutes(text: str) -> int:
    if text in ("Z", "z"):
        return 0
    digits = text[1:].replace(":", "")
    value = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return -value if text[0] == "-" else value


def _format_offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"
