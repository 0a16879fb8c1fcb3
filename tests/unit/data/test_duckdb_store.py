"""The DuckDB candle store on its own: time zones, persistence, locking, the embedded factory.

The contract shared with PostgreSQL (upserts, ranges, rollback) is in
tests/integration/test_candle_stores.py, which runs it on both stores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.core.candles import as_candle_frame
from tradingia.core.errors import StoreError
from tradingia.core.settings import get_settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.stores import DuckDBCandleStore, WriteResult, open_candle_store

H1 = Timeframe.H1


def hourly(start: str, periods: int) -> pd.DataFrame:
    """Contract candles, one per hour, with distinct values per row."""
    values = np.arange(periods, dtype=np.float64) + 100.0
    frame = pd.DataFrame(
        {"open": values, "high": values + 1, "low": values - 1, "close": values + 0.5,
         "volume": values * 10},
        index=pd.date_range(start, periods=periods, freq="1h", tz="UTC"),
    )
    out = as_candle_frame(frame)
    out.index.freq = None
    return out


def test_timestamps_come_back_utc_whatever_the_session_time_zone(tmp_path: Path) -> None:
    frame = hourly("2024-03-09", 72)  # crosses the US daylight-saving switch (10 March)
    store = DuckDBCandleStore(tmp_path / "c.duckdb", session={"TimeZone": "America/New_York"})
    try:
        store.write("EURUSD", H1, frame)
        start = pd.Timestamp("2024-03-10 06:00", tz="UTC")
        window = store.read("EURUSD", H1, start, start + pd.Timedelta(hours=3))
        summary = store.summary("EURUSD", H1)
    finally:
        store.close()

    assert list(window.index) == list(pd.date_range(start, periods=3, freq="1h"))
    assert summary is not None
    assert (summary.first, summary.last) == (frame.index[0], frame.index[-1])


def test_candles_persist_after_closing_and_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "candles.duckdb"
    frame = hourly("2024-01-01", 48)
    first = DuckDBCandleStore(path)
    first.write("XAUUSD", H1, frame)
    first.close()

    reopened = DuckDBCandleStore(path)
    try:
        pd.testing.assert_frame_equal(reopened.read("XAUUSD", H1), frame)
        assert reopened.write("XAUUSD", H1, frame) == WriteResult(0, 0, 48)
    finally:
        reopened.close()


def test_read_back_is_sorted_even_when_older_candles_are_written_last(tmp_path: Path) -> None:
    frame = hourly("2024-01-01", 100)
    store = DuckDBCandleStore(tmp_path / "c.duckdb", chunk_rows=7)
    try:
        store.write("BTCUSDT", H1, frame.iloc[50:])
        store.write("BTCUSDT", H1, frame.iloc[:50])
        read = store.read("BTCUSDT", H1)
    finally:
        store.close()
    pd.testing.assert_frame_equal(read, frame)
    assert read.index.is_monotonic_increasing and read.index.is_unique


def test_a_file_held_by_another_process_raises_a_store_error_saying_what_to_do(
    tmp_path: Path,
) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="another tradingia process"):
            DuckDBCandleStore(path)
    finally:
        holder.communicate("", timeout=30)


def test_factory_opens_the_duckdb_file_under_home_in_embedded_mode(tradingia_home: Path) -> None:
    store = open_candle_store(get_settings())
    try:
        assert isinstance(store, DuckDBCandleStore)
        store.write("ETHUSDT", H1, hourly("2024-01-01", 3))
    finally:
        store.close()
    assert (tradingia_home / "candles.duckdb").is_file()
