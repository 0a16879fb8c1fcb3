"""The candle frame contract of DESIGN.md, in one place."""

from __future__ import annotations

import numpy as np
import pandas as pd

CANDLE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
INDEX_NAME = "timestamp"


def empty_candles() -> pd.DataFrame:
    """A candle frame with no rows: UTC `timestamp` index, float64 OHLCV columns."""
    index = pd.DatetimeIndex([], tz="UTC", name=INDEX_NAME).as_unit("ns")
    return pd.DataFrame({c: np.array([], dtype="float64") for c in CANDLE_COLUMNS}, index=index)


def as_candle_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame that already satisfies the contract to its exact dtypes and index name.

    Use it after a trusted read (a store, a resample); untrusted input goes through
    `tradingia.data.validation.validate_candles` instead.
    """
    out = frame.loc[:, list(CANDLE_COLUMNS)].astype("float64")
    index = pd.DatetimeIndex(out.index)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    out.index = index.as_unit("ns").rename(INDEX_NAME)
    return out
