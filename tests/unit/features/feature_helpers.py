"""Helpers shared by the feature tests (a uniquely named module, imported by the tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

CandleFactory = Callable[..., pd.DataFrame]


def make_candles(
    n: int, *, seed: int = 0, start: str = "2024-01-01", freq: str = "5min", price: float = 100.0
) -> pd.DataFrame:
    """A random-walk candle frame honouring the contract (high >= open/close >= low)."""
    rng = np.random.default_rng(seed)
    close = price * np.exp(np.cumsum(rng.normal(0.0, 0.003, n)))
    open_ = np.concatenate([[price], close[:-1]]) * np.exp(rng.normal(0.0, 0.0005, n))
    wick = np.abs(rng.normal(0.0, 0.002, (2, n)))
    index = pd.date_range(start, periods=n, freq=freq, tz="UTC", name="timestamp")
    return pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1.0 + wick[0]),
            "low": np.minimum(open_, close) * (1.0 - wick[1]),
            "close": close,
            "volume": rng.lognormal(3.0, 0.8, n),
        },
        index=index,
    )


def read_shared(shared_data_dir: Path, name: str, nrows: int | None = None) -> pd.DataFrame:
    """A shared candle file as a contract frame (first `nrows` rows)."""
    return pd.read_csv(
        shared_data_dir / name, index_col="timestamp", parse_dates=True, nrows=nrows
    ).astype("float64")
