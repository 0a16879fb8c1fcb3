"""Resampling finer candles to a coarser timeframe, from the candles that exist only.

A higher-timeframe candle is labelled by its start (days at 00:00 UTC, weeks on Monday 00:00
UTC) and built with open=first, high=max, low=min, close=last, volume=sum from the lower
candles present in its bucket. Buckets without any lower candle are not emitted (no empty or
NaN rows); the optional `count` column tells complete candles from partial ones.

The kernel works on NumPy arrays: bucket keys by integer arithmetic on the sorted int64 open
times, then `ufunc.reduceat` over the bucket boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME, empty_candles
from tradingia.core.errors import DataValidationError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data._time import strictly_increasing
from tradingia.data.calendars import as_utc_index, grid_offset_ns

COUNT_COLUMN = "count"


def resample_candles(
    candles: pd.DataFrame,
    to: Timeframe,
    *,
    source: Timeframe | None = None,
    with_count: bool = False,
) -> pd.DataFrame:
    """Aggregate validated candles (sorted, unique, UTC) to the coarser timeframe `to`.

    `source` is the timeframe of `candles`; when omitted it is taken to be the smallest
    spacing between consecutive candles. Going finer, or to a timeframe that is not a whole
    multiple of the source, raises UnsupportedError. With `with_count`, an int64 `count`
    column gives the number of lower candles behind each row.
    """
    _check_direction(candles.index, to, source)
    if len(candles) == 0:
        out = empty_candles()
        if with_count:
            out[COUNT_COLUMN] = np.array([], dtype=np.int64)
        return out
    times = as_utc_index(pd.DatetimeIndex(candles.index)).asi8
    if not strictly_increasing(times):
        raise DataValidationError(
            "resample_candles needs candles sorted by time without duplicate timestamps; "
            "run them through tradingia.data.validation.validate_candles first.",
            {"unsorted_or_duplicate": []},
        )
    return _aggregate(candles, times, to, with_count)


def _aggregate(
    candles: pd.DataFrame, times: np.ndarray, to: Timeframe, with_count: bool
) -> pd.DataFrame:
    buckets = times - grid_offset_ns(times, to)
    starts = np.flatnonzero(np.concatenate(([True], buckets[1:] != buckets[:-1])))
    lasts = np.concatenate((starts[1:], [len(times)])) - 1
    col = {c: candles[c].to_numpy(dtype=np.float64) for c in CANDLE_COLUMNS}
    data: dict[str, np.ndarray] = {
        "open": col["open"][starts],
        "high": np.maximum.reduceat(col["high"], starts),
        "low": np.minimum.reduceat(col["low"], starts),
        "close": col["close"][lasts],
        "volume": np.add.reduceat(col["volume"], starts),
    }
    if with_count:
        data[COUNT_COLUMN] = (lasts - starts + 1).astype(np.int64)
    index = pd.DatetimeIndex(buckets[starts].view("M8[ns]"), name=INDEX_NAME).tz_localize("UTC")
    return pd.DataFrame(data, index=index)


def _check_direction(index: pd.Index, to: Timeframe, source: Timeframe | None) -> None:
    """Refuse resampling to a finer or non-multiple timeframe, saying what is possible."""
    step = _source_minutes(index) if source is None else source.minutes
    if step is None:
        return
    if to.minutes < step or to.minutes % step != 0:
        name = source.value if source is not None else f"{step}-minute spacing"
        coarser = ", ".join(
            tf.value for tf in Timeframe if tf.minutes >= step and tf.minutes % step == 0
        )
        raise UnsupportedError(
            f"Cannot resample {name} candles to {to.value}: resampling only goes to a coarser "
            f"timeframe that is a whole multiple of the source. Possible targets: "
            f"{coarser or 'none'}."
        )


def _source_minutes(index: pd.Index) -> int | None:
    """Smallest spacing between consecutive candles, in whole minutes (None if unknown)."""
    if len(index) < 2:
        return None
    times = pd.DatetimeIndex(index).as_unit("ns").asi8
    spacing = np.diff(times)
    spacing = spacing[spacing > 0]
    if len(spacing) == 0:
        return None
    return max(1, int(spacing.min() // 60_000_000_000))
