"""Picks the candle store from settings: the one place that knows about both backends."""

from __future__ import annotations

from tradingia.core.settings import Settings
from tradingia.data.stores.base import CandleStore
from tradingia.data.stores.duckdb_store import DuckDBCandleStore

DUCKDB_FILE = "candles.duckdb"


def open_candle_store(settings: Settings) -> CandleStore:
    """DuckDB file `home/candles.duckdb` in embedded mode, PostgreSQL when a URL is set."""
    if settings.database_url is None:
        settings.home.mkdir(parents=True, exist_ok=True)
        return DuckDBCandleStore(settings.home / DUCKDB_FILE)
    from tradingia.data.stores.postgres_store import PostgresCandleStore  # server mode only

    return PostgresCandleStore(settings.database_url)
