"""Candle validation where data enters: one small checker per rule, a clear error, or repair.

Rules (the names are the keys of `DataValidationError.problems`):

- `missing_columns`: an OHLCV column is absent. Never repaired: there is nothing to keep.
- `timezone`: the index is not a time index, is tz-naive, or is not UTC. A tz-aware index in
  another zone is converted to UTC on repair (lossless); a naive one is always refused, since
  guessing its zone would shift every candle.
- `nan`: a NaN or infinite price or volume, or a missing timestamp. Dropped.
- `non_positive_price`: open, high, low or close <= 0. Dropped.
- `high_below_low`, `high_below_open_close`, `low_above_open_close`: inconsistent ranges.
  Dropped, not clipped: clipping would invent a price the market never printed.
- `negative_volume`: dropped, for the same reason (its sign or scale is unknown).
- `misaligned`: an open time off the timeframe grid (a 5m candle at 00:03). Dropped, not
  shifted: a shifted candle would claim prices from a period it did not cover.
- `unsorted`: a row earlier than one before it. Sorted (stable), nothing is lost.
- `duplicate_timestamp`: repeated open times. The last copy is kept: in a downloaded file a
  later copy is the newer one, e.g. a candle first saved while still forming.

On repair each rule is applied in that order to the rows left by the previous ones, so every
dropped row is counted once, under the first rule it breaks; `repairs` has one line per action.
Extra columns are ignored; the result is the exact candle frame of DESIGN.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME
from tradingia.core.errors import DataValidationError
from tradingia.core.timeframes import Timeframe
from tradingia.data._time import strictly_increasing
from tradingia.data.calendars import grid_offset_ns

SHOWN = 5  # offending rows quoted in a message or repair line
LISTED = 1000  # offending rows kept per rule in `DataValidationError.problems`
_PRICES = ("open", "high", "low", "close")


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """Candles that satisfy the contract, and one line per repair applied to get them."""

    candles: pd.DataFrame
    repairs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    what: str  # completes "dropped 3 rows ..." and "3 rows ..."
    check: Callable[[np.ndarray, dict[str, np.ndarray], Timeframe], np.ndarray]


def _nan(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    bad = t == np.iinfo(np.int64).min  # NaT
    for values in c.values():
        bad |= ~np.isfinite(values)
    return np.asarray(bad)


def _non_positive(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    bad = np.zeros(len(t), dtype=bool)
    for name in _PRICES:
        bad |= c[name] <= 0
    return bad


def _high_below_low(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    return np.asarray(c["high"] < c["low"])


def _high_below_body(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    return np.asarray(c["high"] < np.maximum(c["open"], c["close"]))


def _low_above_body(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    return np.asarray(c["low"] > np.minimum(c["open"], c["close"]))


def _negative_volume(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    return np.asarray(c["volume"] < 0)


def _misaligned(t: np.ndarray, c: dict[str, np.ndarray], tf: Timeframe) -> np.ndarray:
    return np.asarray(grid_offset_ns(t, tf) != 0)


_DROP_RULES: tuple[_Rule, ...] = (
    _Rule("nan", "with NaN, infinite or missing values", _nan),
    _Rule("non_positive_price", "with a price <= 0", _non_positive),
    _Rule("high_below_low", "with high < low", _high_below_low),
    _Rule("high_below_open_close", "with high < max(open, close)", _high_below_body),
    _Rule("low_above_open_close", "with low > min(open, close)", _low_above_body),
    _Rule("negative_volume", "with negative volume", _negative_volume),
    _Rule("misaligned", "not aligned to the timeframe grid", _misaligned),
)
_ORDER_RULES = {
    "unsorted": "earlier than a row before them",
    "duplicate_timestamp": "repeating a later row's timestamp",
}


def validate_candles(
    frame: pd.DataFrame, timeframe: Timeframe, *, repair: bool = False
) -> ValidationResult:
    """Check candles against the contract; raise DataValidationError, or repair with `repair`.

    The error names every broken rule with its row count, the first offending timestamps and
    row positions (0-based, in the order given), and what to do. With `repair`, fixable rows
    are dropped or sorted and each action is described in `ValidationResult.repairs`.
    """
    _require_columns(frame)
    index = _checked_index(frame.index)
    zone = str(getattr(frame.index, "tz", None))
    cols = {c: _floats(frame[c]) for c in CANDLE_COLUMNS}
    times = index.asi8
    if not repair:
        _raise_if_broken(index, times, cols, timeframe, zone)
        return ValidationResult(_frame(times, cols), ())
    repairs = [] if zone == "UTC" else [f"converted timestamps from {zone} to UTC"]
    return _repair(index, times, cols, timeframe, repairs)


def _floats(column: pd.Series) -> np.ndarray:
    """A column as float64; text that is not a number becomes NaN (caught by the nan rule)."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return np.asarray(pd.to_numeric(column, errors="coerce"), dtype=np.float64)


def _require_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in CANDLE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"missing_columns: the candles lack column(s) {', '.join(missing)} (found: "
            f"{', '.join(map(str, frame.columns)) or 'none'}). Provide "
            f"{', '.join(CANDLE_COLUMNS)} with a timestamp index; --repair cannot invent them.",
            {"missing_columns": missing},
        )


def _checked_index(index: pd.Index) -> pd.DatetimeIndex:
    """The index as UTC ns; a naive index, or one that is not a time index, raises."""
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(
            f"timezone: the candle index is {type(index).__name__} of {index.dtype}, not a "
            "time index (mixed time zones or unparsed text end up like this). Parse the "
            "timestamps to UTC (pd.to_datetime(..., utc=True)) and set them as the index.",
            {"timezone": [f"index dtype {index.dtype}"]},
        )
    if index.tz is None:
        raise DataValidationError(
            "timezone: candle timestamps are tz-naive, so their time zone is unknown; "
            "--repair cannot guess it. Localize them (index.tz_localize('UTC') if they are "
            "UTC) or export them with an offset (2024-01-01T00:00:00Z).",
            {"timezone": ["tz-naive index"]},
        )
    return index.tz_convert("UTC").as_unit("ns")


def _raise_if_broken(
    index: pd.DatetimeIndex,
    times: np.ndarray,
    cols: dict[str, np.ndarray],
    tf: Timeframe,
    zone: str,
) -> None:
    lines: list[str] = []
    problems: dict[str, list[str]] = {}
    if zone != "UTC":
        lines.append(f"- timezone: timestamps are in {zone}, not UTC; convert them "
                     "(index.tz_convert('UTC')) or --repair converts them")
        problems["timezone"] = [f"index in {zone}"]
    found: dict[str, np.ndarray] = {}
    for rule in _DROP_RULES:
        bad = rule.check(times, cols, tf)
        if bad.any():
            found[rule.name] = bad
    late = _out_of_order(times)
    if late.any():
        found["unsorted"] = late
    dup = _duplicated(times)
    if dup.any():
        found["duplicate_timestamp"] = dup
    whats = {r.name: r.what for r in _DROP_RULES} | _ORDER_RULES
    for name, bad in found.items():
        rows = np.flatnonzero(bad)
        labels = _labels(index, rows[:LISTED], rows[:LISTED], show_rows=True)
        problems[name] = labels
        lines.append(
            f"- {name}: {_rows(len(rows))} {whats[name]}; first: {', '.join(labels[:SHOWN])}"
        )
    if not problems:
        return
    head = f"Candles break {len(problems)} rule(s) for {tf.value} candles:"
    tail = ("Fix the source, or re-run with --repair to drop these rows (it also sorts, keeps "
            "the last of duplicate timestamps and converts to UTC).")
    raise DataValidationError("\n".join([head, *lines, tail]), problems)


def _repair(
    index: pd.DatetimeIndex,
    times: np.ndarray,
    cols: dict[str, np.ndarray],
    tf: Timeframe,
    repairs: list[str],
) -> ValidationResult:
    rows = np.arange(len(times))  # positions in the input, for messages
    for rule in _DROP_RULES:
        bad = rule.check(times, cols, tf)
        if bad.any():
            repairs.append(_drop_line(f"{_rows(int(bad.sum()))} {rule.what}", index, rows, bad))
            keep = ~bad
            index, times, rows = index[keep], times[keep], rows[keep]
            cols = {c: v[keep] for c, v in cols.items()}
    late = int(_out_of_order(times).sum())
    if late:
        order = np.argsort(times, kind="stable")
        index, times, rows = index[order], times[order], rows[order]
        cols = {c: v[order] for c, v in cols.items()}
        repairs.append(f"sorted {late} out-of-order row{'s' if late != 1 else ''}")
    dup = _duplicated(times)
    if dup.any():
        n, differ = int(dup.sum()), _differing(times, cols, dup)
        what = f"{n} duplicate timestamp{'s' if n != 1 else ''} ({differ} with other values)"
        repairs.append(_drop_line(f"{what}, kept the last", index, rows, dup))
        times = times[~dup]
        cols = {c: v[~dup] for c, v in cols.items()}
    return ValidationResult(_frame(times, cols), tuple(repairs))


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _out_of_order(times: np.ndarray) -> np.ndarray:
    """Rows with a timestamp earlier than some row before them."""
    if len(times) < 2:
        return np.zeros(len(times), dtype=bool)
    running = np.maximum.accumulate(times)
    return np.concatenate(([False], times[1:] < running[:-1]))


def _duplicated(times: np.ndarray) -> np.ndarray:
    """Every copy of a timestamp except the last one in the given order."""
    if len(times) < 2:
        return np.zeros(len(times), dtype=bool)
    if strictly_increasing(times):
        return np.zeros(len(times), dtype=bool)
    return np.asarray(pd.Index(times).duplicated(keep="last"))


def _differing(times: np.ndarray, cols: dict[str, np.ndarray], dup: np.ndarray) -> int:
    """How many dropped duplicates differ in OHLCV from the copy that is kept."""
    kept = ~dup
    kept_times = times[kept]
    pos = np.searchsorted(kept_times, times[dup])  # times are sorted here
    differ = np.zeros(int(dup.sum()), dtype=bool)
    for values in cols.values():
        differ |= values[dup] != values[kept][pos]
    return int(differ.sum())


def _drop_line(what: str, index: pd.DatetimeIndex, rows: np.ndarray, bad: np.ndarray) -> str:
    where = np.flatnonzero(bad)[:SHOWN]
    shown = ", ".join(_labels(index, where, rows[where], show_rows=False))
    more = ", ..." if bad.sum() > SHOWN else ""
    return f"dropped {what}: {shown}{more}"


def _labels(
    index: pd.DatetimeIndex, where: np.ndarray, rows: np.ndarray, *, show_rows: bool
) -> list[str]:
    """`2024-01-01 00:05` (seconds shown when not whole minutes), `(row 3)` if `show_rows`.

    `where` are positions in `index`, `rows` the same rows' positions in the input; rows are
    shown counting from 1 (the first candle is row 1); a missing timestamp is always named by
    its input row.
    """
    out = []
    for pos, row in zip(where.tolist(), rows.tolist(), strict=True):
        ts = index[pos]
        if pd.isna(ts):
            out.append(f"row {row + 1} (no timestamp)")
            continue
        if ts.second or ts.microsecond or ts.nanosecond:
            text = ts.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
        else:
            text = ts.strftime("%Y-%m-%d %H:%M")
        out.append(f"{text} (row {row + 1})" if show_rows else text)
    return out


def _frame(times: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    index = pd.DatetimeIndex(times.view("M8[ns]"), name=INDEX_NAME).tz_localize("UTC")
    return pd.DataFrame({c: cols[c] for c in CANDLE_COLUMNS}, index=index, copy=True)
