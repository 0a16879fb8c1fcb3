"""The scheduled sync job keeps configured series fresh from a (loopback) venue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from venue_server import VenueServer, synthetic_klines

from tradingia.core.settings import load_settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.stores import open_candle_store
from tradingia.jobs.scheduler import run_due_jobs
from tradingia.jobs.sync_job import make_sync_job, sync_targets

pytest.importorskip("ccxt")


def test_targets_come_from_settings_or_from_stored_series_the_venue_lists() -> None:
    configured = load_settings(sync_targets="btc/usdt:5m, ETHUSDT:1h")
    assert sync_targets(configured, []) == [("BTCUSDT", Timeframe.M5), ("ETHUSDT", Timeframe.H1)]
    stored = [("BTCUSDT", Timeframe.M5), ("EURUSD", Timeframe.H1)]
    assert sync_targets(load_settings(), stored) == [("BTCUSDT", Timeframe.M5)]


def test_job_runs_every_interval_and_fetches_only_new_candles(
    tmp_path: Path, venue: VenueServer
) -> None:
    start = pd.Timestamp("2024-05-01", tz="UTC")
    venue.state.klines["BTCUSDT"] = synthetic_klines(start.isoformat(), 48)
    settings = load_settings(home=tmp_path, binance_base_url=venue.url,
                             sync_targets="BTCUSDT:5m", sync_interval_seconds=300)
    job = make_sync_job(settings)
    # The store starts with the first 24 candles; the job must add the other 24 once closed.
    first_half = pd.DataFrame(
        [[float(v) for v in k[1:6]] for k in venue.state.klines["BTCUSDT"][:24]],
        columns=["open", "high", "low", "close", "volume"],
        index=pd.date_range(start, periods=24, freq="5min", tz="UTC", name="timestamp"),
    )
    store = open_candle_store(settings)
    store.write("BTCUSDT", Timeframe.M5, first_half)
    store.close()

    now = start + pd.Timedelta(minutes=5 * 48) + pd.Timedelta(seconds=30)
    ((name, reports),) = run_due_jobs([job], now)
    assert name == "sync"
    assert reports[0]["inserted"] == 24 and reports[0]["windows"][0]["reason"] == "new"
    assert run_due_jobs([job], now + pd.Timedelta(minutes=1)) == []  # not due yet
    ((_, again),) = run_due_jobs([job], now + pd.Timedelta(minutes=5))
    assert again[0]["inserted"] == 0
    store = open_candle_store(settings)
    assert store.summary("BTCUSDT", Timeframe.M5).rows == 48  # type: ignore[union-attr]
    store.close()
