"""Conversions shared by the stores: candle frames to epoch microseconds and back.

Both databases keep candle open times at microsecond precision in UTC; going through plain
int64 microseconds keeps every conversion free of session time zones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME
from tradingia.core.timeframes import Timeframe
from tradingia.data._time import strictly_increasing
from tradingia.data.stores.base import SeriesSummary, WriteResult

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(index: pd.Index) -> np.ndarray:
    """Candle open times as int64 microseconds since the Unix epoch (naive times read as UTC)."""
    times = pd.DatetimeIndex(index)
    times = times.tz_localize("UTC") if times.tz is None else times.tz_convert("UTC")
    return np.asarray(times.as_unit("ns").asi8 // 1000, dtype=np.int64)


def value_arrays(candles: pd.DataFrame) -> list[np.ndarray]:
    """The five OHLCV columns as contiguous float64 arrays, in `CANDLE_COLUMNS` order."""
    return [np.ascontiguousarray(candles[c].to_numpy(dtype=np.float64)) for c in CANDLE_COLUMNS]


def candle_frame(ts_us: npt.ArrayLike, values: Sequence[npt.ArrayLike]) -> pd.DataFrame:
    """Build the DESIGN.md candle frame from epoch microseconds and OHLCV arrays, sorted by time."""
    ts = np.asarray(ts_us, dtype=np.int64)
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    if not strictly_increasing(ts):
        order = np.argsort(ts, kind="stable")
        ts, arrays = ts[order], [a[order] for a in arrays]
    index = pd.DatetimeIndex((ts * 1000).view("datetime64[ns]"), name=INDEX_NAME)
    return pd.DataFrame(dict(zip(CANDLE_COLUMNS, arrays, strict=True)),
                        index=index.tz_localize("UTC"))


def bound_us(ts: pd.Timestamp | None) -> int | None:
    """A read bound in epoch microseconds, rounded up (keeps `>= start` / `< end` exact)."""
    if ts is None:
        return None
    stamp = pd.Timestamp(ts)
    stamp = stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
    return -(-stamp.as_unit("ns").value // 1000)


def datetime_from_us(us: int) -> datetime:
    """Epoch microseconds as an aware UTC datetime (exact; for database parameters)."""
    return _EPOCH + timedelta(microseconds=us)


def summary_from_row(symbol: str, timeframe: str, first_us: int, last_us: int,
                     rows: int) -> SeriesSummary:
    """A SeriesSummary from a database row of (symbol, timeframe, min, max, count)."""
    return SeriesSummary(
        symbol=symbol,
        timeframe=Timeframe.parse(timeframe),
        first=pd.Timestamp(int(first_us) * 1000, tz="UTC"),
        last=pd.Timestamp(int(last_us) * 1000, tz="UTC"),
        rows=int(rows),
    )


def sorted_summaries(summaries: Sequence[SeriesSummary]) -> list[SeriesSummary]:
    """Series ordered by symbol, then timeframe length (1m before 1h)."""
    return sorted(summaries, key=lambda s: (s.symbol, s.timeframe.minutes))


ChunkWriter = Callable[[np.ndarray, list[np.ndarray]], tuple[int, int]]
"""Upserts one chunk (epoch-µs stamps, value columns) inside an open transaction; returns
(inserted, updated)."""


def upsert_chunks(ts: np.ndarray, values: list[np.ndarray], chunk_rows: int,
                  write_chunk: ChunkWriter) -> WriteResult:
    """Feed the rows to `write_chunk` `chunk_rows` at a time and add up what each chunk did."""
    inserted = updated = 0
    for lo in range(0, len(ts), chunk_rows):
        part = slice(lo, lo + chunk_rows)
        new, changed = write_chunk(ts[part], [v[part] for v in values])
        inserted, updated = inserted + new, updated + changed
    return WriteResult(inserted, updated, len(ts) - inserted - updated)
