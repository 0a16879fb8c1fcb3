"""Helpers the remote sources share: UTC times, epoch milliseconds, pages to candle frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME, empty_candles
from tradingia.core.timeframes import Timeframe


def utc(ts: pd.Timestamp) -> pd.Timestamp:
    """The same instant in UTC; a naive timestamp is taken as UTC."""
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")


def epoch_ms(ts: pd.Timestamp) -> int:
    """Milliseconds since the epoch, the unit both venues speak."""
    return int(utc(ts).as_unit("ns").value // 1_000_000)


def last_closed_open(timeframe: Timeframe, end: pd.Timestamp) -> pd.Timestamp:
    """Open time of the latest candle that has closed by `end` (it may not exist yet)."""
    return utc(end) - timeframe.delta


def candle_page(
    open_ms: Sequence[float], ohlcv: Sequence[Sequence[float]], *,
    start: pd.Timestamp, last_open: pd.Timestamp,
) -> pd.DataFrame:
    """A candle frame from open times (ms) and OHLCV rows, keeping opens in [start, last_open]."""
    if len(open_ms) == 0:
        return empty_candles()
    index = pd.to_datetime(np.asarray(open_ms, dtype="int64"), unit="ms", utc=True)
    values = np.asarray(ohlcv, dtype="float64").reshape(len(open_ms), len(CANDLE_COLUMNS))
    frame = pd.DataFrame(values, index=index.as_unit("ns").rename(INDEX_NAME),
                         columns=list(CANDLE_COLUMNS))
    keep = (frame.index >= utc(start)) & (frame.index <= last_open)
    return frame.loc[keep]
