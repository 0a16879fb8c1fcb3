"""Signals as they enter a backtest: read a CSV or take a frame, check it once, clearly.

A signals frame has one row per signal, indexed by `timestamp` (UTC, the open time of the
candle at whose close the signal is known), with columns `direction` (long / short; neutral
rows are dropped), `stop_loss`, `take_profit` (empty: no target) and optionally `size`,
`entry` (a limit price; empty: market at the next open) and `take_profit_2`, `take_profit_3`,
... for partial exits.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from tradingia.core.errors import DataValidationError, NotFoundError

REQUIRED_COLUMNS: tuple[str, ...] = ("direction", "stop_loss", "take_profit")
OPTIONAL_COLUMNS: tuple[str, ...] = ("size", "entry")
_EXTRA_TARGET = re.compile(r"^take_profit_([2-9]|[1-9][0-9])$")
_DIRECTIONS = {
    "long": 1.0, "buy": 1.0, "1": 1.0, "1.0": 1.0,
    "short": -1.0, "sell": -1.0, "-1": -1.0, "-1.0": -1.0,
    "neutral": 0.0, "flat": 0.0, "0": 0.0, "0.0": 0.0, "none": 0.0,
}
_SHOW = 5


def target_columns(frame: pd.DataFrame) -> list[str]:
    """`take_profit`, then `take_profit_2`, `take_profit_3`, ... present in `frame`, in order."""
    extra = sorted((c for c in frame.columns if _EXTRA_TARGET.match(str(c))),
                   key=lambda c: int(str(c).rsplit("_", 1)[1]))
    return ["take_profit", *extra] if "take_profit" in frame.columns else extra


def read_signals_csv(path: str | Path) -> pd.DataFrame:
    """Read and check a signals CSV; raises NotFoundError or DataValidationError saying why."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"Signals file {file} does not exist.")
    try:
        raw = pd.read_csv(file, dtype={"direction": "string"})
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataValidationError(f"Signals file {file} is not a readable CSV: {exc}") from None
    if "timestamp" not in raw.columns:
        raise DataValidationError(
            f"Signals file {file} has no `timestamp` column; the header must be "
            "`timestamp,direction,stop_loss,take_profit` (+ optional size, entry, take_profit_2..)."
        )
    try:
        index = pd.to_datetime(raw.pop("timestamp"), utc=True)
    except (ValueError, TypeError) as exc:
        raise DataValidationError(
            f"Signals file {file}: unreadable timestamps ({exc}); use ISO-8601 UTC, "
            "e.g. 2024-01-02T03:00:00Z."
        ) from None
    raw.index = pd.DatetimeIndex(index, name="timestamp")
    return normalize_signals(raw)


def normalize_signals(signals: pd.DataFrame) -> pd.DataFrame:
    """Check columns, directions and numbers; return float columns, neutral rows dropped."""
    frame = signals.copy()
    if "timestamp" in frame.columns:
        frame = frame.set_index("timestamp")
    _check_columns(frame)
    index = pd.DatetimeIndex(frame.index)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    frame.index = index.as_unit("ns").rename("timestamp")
    dup = frame.index[frame.index.duplicated()]
    if len(dup):
        raise DataValidationError(
            f"{len(dup)} duplicate signal timestamps (one signal per candle), e.g. "
            f"{_few(dup)}.", {"duplicate_timestamp": [str(t) for t in dup]}
        )
    frame["direction"] = _parse_direction(frame["direction"])
    for col in [c for c in frame.columns if c != "direction"]:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[values.isna() & frame[col].notna()]
        if len(bad):
            raise DataValidationError(f"Column `{col}` has non-numeric values at {_few(bad)}.")
        frame[col] = values.astype("float64")
    frame = frame.loc[frame["direction"] != 0.0].sort_index()
    missing_stop = frame.index[frame["stop_loss"].isna()]
    if len(missing_stop):
        raise DataValidationError(
            f"Every signal needs a stop_loss (R is measured from it); missing at "
            f"{_few(missing_stop)}."
        )
    return frame


def validate_against_candles(signals: pd.DataFrame, candles: pd.DataFrame) -> np.ndarray:
    """Position of each signal's candle; checks timestamps and the side of stops and targets.

    Market signals are checked against their candle's close (the price when they are known),
    limit signals against their `entry`. Returns int64 candle positions.
    """
    index = pd.DatetimeIndex(candles.index)
    if len(signals) and len(index) == 0:
        raise DataValidationError("There are signals but no candles in the chosen span.")
    pos = _positions(index, pd.DatetimeIndex(signals.index))
    outside = signals.index[pos < 0]
    if len(outside):
        span = f"{index[0]} .. {index[-1]}" if len(index) else "no candles"
        raise DataValidationError(
            f"{len(outside)} signal timestamps are not candle open times of the candles "
            f"({span}), e.g. {_few(outside)}. Stamp each signal with the open time of the "
            "candle at whose close it is known, inside the backtest span.",
            {"timestamp_not_a_candle": [str(t) for t in outside]},
        )
    close = candles["close"].to_numpy(dtype="float64")[pos]
    _check_sides(signals, close)
    return pos.astype("int64")


def _positions(index: pd.DatetimeIndex, stamps: pd.DatetimeIndex) -> np.ndarray:
    """Position of each stamp in the increasing candle index; -1 where it is not a candle."""
    keys = index.as_unit("ns").asi8
    wanted = stamps.as_unit("ns").asi8
    pos = np.searchsorted(keys, wanted)
    found = pos < len(keys)
    found[found] = keys[pos[found]] == wanted[found]
    return np.where(found, pos, -1)


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"Signals lack column(s) {', '.join(missing)}; required: "
            f"timestamp, {', '.join(REQUIRED_COLUMNS)}."
        )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [c for c in frame.columns if c not in known and not _EXTRA_TARGET.match(str(c))]
    if unknown:
        raise DataValidationError(
            f"Unknown signal column(s) {', '.join(map(str, unknown))}; allowed: timestamp, "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}, take_profit_2, take_profit_3, ..."
        )


def _parse_direction(column: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    known = np.array([_DIRECTIONS.get(str(u).strip().lower(), np.nan) for u in uniques])
    parsed = pd.Series(known[codes] if len(codes) else np.array([]), index=column.index)
    bad = column.index[parsed.isna()]
    if len(bad):
        values = sorted({str(v) for v in column.loc[bad]})[:_SHOW]
        raise DataValidationError(
            f"Unknown direction(s) {values} at {_few(bad)}; use long / short (or buy / sell, "
            "1 / -1; neutral rows are ignored)."
        )
    return parsed.astype("float64")


def _check_sides(signals: pd.DataFrame, close: np.ndarray) -> None:
    d = signals["direction"].to_numpy()
    limit = signals["entry"].to_numpy() if "entry" in signals.columns else np.full(len(d), np.nan)
    ref = np.where(np.isnan(limit), close, limit)
    stop = signals["stop_loss"].to_numpy()
    wrong = d * (ref - stop) <= 0
    _raise_if(signals.index, wrong, "stop_loss is not on the losing side of the entry "
              "(long: below, short: above; market entries are checked at the signal's close)")
    previous = ref
    for col in target_columns(signals):
        tp = signals[col].to_numpy()
        bad = ~np.isnan(tp) & (d * (tp - previous) <= 0)
        _raise_if(signals.index, bad, f"{col} is not beyond the entry / previous target "
                  "(long: above, short: below)")
        previous = np.where(np.isnan(tp), previous, tp)
    if "size" in signals.columns:
        size = signals["size"].to_numpy()
        _raise_if(signals.index, ~np.isnan(size) & (size <= 0), "size must be positive")


def _raise_if(index: pd.Index, mask: np.ndarray, what: str) -> None:
    if mask.any():
        where = index[mask]
        raise DataValidationError(f"{int(mask.sum())} signal(s): {what}; e.g. {_few(where)}.",
                                  {what: [str(t) for t in where]})


def _few(labels: pd.Index) -> str:
    shown = ", ".join(str(t) for t in labels[:_SHOW])
    return shown + (f" (+{len(labels) - _SHOW} more)" if len(labels) > _SHOW else "")
