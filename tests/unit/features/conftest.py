"""Fixtures for feature tests: a real 5m series from the shared data and synthetic candles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from feature_helpers import CandleFactory, make_candles, read_shared


@pytest.fixture
def candle_factory() -> CandleFactory:
    """Build synthetic candles: `candle_factory(n, seed=..., freq=...)`."""
    return make_candles


@pytest.fixture(scope="session")
def bnb_5m(shared_data_dir: Path) -> pd.DataFrame:
    """The first 6,000 real BNBUSDT 5m candles (about 3 weeks, no gaps)."""
    return read_shared(shared_data_dir, "BNBUSDT_5m.csv.gz", nrows=6_000)


@pytest.fixture(scope="session")
def btc_5m_with_gap(shared_data_dir: Path) -> pd.DataFrame:
    """6,000 real BTCUSDT 5m candles around the 24-candle outage of 2021-09-29."""
    frame = read_shared(shared_data_dir, "BTCUSDT_5m.csv.gz", nrows=12_000)
    return frame.iloc[6_000:]
