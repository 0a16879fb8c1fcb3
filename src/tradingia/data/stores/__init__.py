"""Candle stores behind one interface: DuckDB (embedded default) and PostgreSQL (server mode).

`open_candle_store(settings)` picks one from settings; both implement `CandleStore`.
"""

from __future__ import annotations

from tradingia.data.stores.base import CandleStore, SeriesSummary, WriteResult
from tradingia.data.stores.duckdb_store import DuckDBCandleStore
from tradingia.data.stores.factory import open_candle_store

__all__ = [
    "CandleStore",
    "DuckDBCandleStore",
    "PostgresCandleStore",
    "SeriesSummary",
    "WriteResult",
    "open_candle_store",
]


def __getattr__(name: str) -> object:
    """PostgresCandleStore loads SQLAlchemy, Alembic and psycopg: only when asked for."""
    if name == "PostgresCandleStore":
        from tradingia.data.stores.postgres_store import PostgresCandleStore

        return PostgresCandleStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
