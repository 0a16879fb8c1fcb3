"""Candles in one DuckDB file: the embedded default store.

Table `candles` with primary key (symbol, timeframe, ts). `ts` is a plain TIMESTAMP holding
UTC, and every conversion goes through epoch microseconds, so the session's TimeZone setting
never shifts a candle. A write registers each chunk of the frame as an Arrow table and upserts
it, all chunks inside one explicit transaction: any failure rolls the whole write back.

The upsert is staged in two statements, `UPDATE ... FROM` for keys that exist with different
values, then `INSERT ... ANTI JOIN` for keys that do not: each reports its own row count, and
it runs about twice as fast as `INSERT ... ON CONFLICT DO UPDATE` on DuckDB (1M rows: 1.8 s vs
3 s new, 0.6 s vs 1.4 s unchanged, measured while writing this). Only one process can open
the file and a lock serialises this object's callers; a write racing another connection of the
same process fails DuckDB's transaction conflict check and rolls back, it never half-applies.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from tradingia.core.candles import CANDLE_COLUMNS
from tradingia.core.errors import StoreError
from tradingia.core.timeframes import Timeframe
from tradingia.data.stores._frames import (
    bound_us,
    candle_frame,
    epoch_us,
    sorted_summaries,
    summary_from_row,
    upsert_chunks,
    value_arrays,
)
from tradingia.data.stores.base import SeriesSummary, WriteResult

_VALUES = ", ".join(CANDLE_COLUMNS)
_DDL = f"""
CREATE TABLE IF NOT EXISTS candles (
    symbol VARCHAR NOT NULL,
    timeframe VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    {", ".join(f"{c} DOUBLE NOT NULL" for c in CANDLE_COLUMNS)},
    PRIMARY KEY (symbol, timeframe, ts)
)"""
_INCOMING = "_tradingia_incoming"
_KEY = "c.symbol = $symbol AND c.timeframe = $tf"
_UPDATE_CHANGED = f"""
UPDATE candles c SET {", ".join(f"{v} = i.{v}" for v in CANDLE_COLUMNS)}
FROM {_INCOMING} i
WHERE {_KEY} AND c.ts = i.ts
  AND ({", ".join(f"c.{v}" for v in CANDLE_COLUMNS)})
      IS DISTINCT FROM ({", ".join(f"i.{v}" for v in CANDLE_COLUMNS)})"""
_INSERT_NEW = f"""
INSERT INTO candles SELECT $symbol, $tf, i.ts, {", ".join(f"i.{v}" for v in CANDLE_COLUMNS)}
FROM {_INCOMING} i ANTI JOIN (SELECT ts FROM candles c WHERE {_KEY}) c ON c.ts = i.ts"""
_SUMMARY = """
SELECT symbol, timeframe, epoch_us(min(ts)), epoch_us(max(ts)), count(*) FROM candles"""


class DuckDBCandleStore:
    """Candle store on a DuckDB file (or `:memory:`); one connection, guarded by a lock."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        chunk_rows: int = 500_000,
        session: Mapping[str, str] | None = None,
    ) -> None:
        """Open (or create) the store; `session` holds DuckDB `SET` options (threads, ...)."""
        self.path = str(path)
        self.chunk_rows = max(1, chunk_rows)
        self._lock = threading.RLock()
        try:
            self._con = duckdb.connect(self.path)
            for key, value in (session or {}).items():
                quoted = value.replace("'", "''")
                self._con.execute(f"SET {key} = '{quoted}'")
            self._con.execute(_DDL)
        except duckdb.Error as exc:
            raise StoreError(
                f"Cannot open the DuckDB candle store {self.path}: {exc}. If another tradingia "
                "process has it open, stop that process, or use server mode "
                "(TRADINGIA_DATABASE_URL)."
            ) from exc

    def write(self, symbol: str, timeframe: Timeframe, candles: pd.DataFrame) -> WriteResult:
        """Upsert validated candles in one transaction; counts new, changed and equal rows."""
        if len(candles) == 0:
            return WriteResult(0, 0, 0)
        ts = epoch_us(candles.index)
        values = value_arrays(candles)
        with self._lock:
            self._con.begin()
            try:
                result = upsert_chunks(ts, values, self.chunk_rows,
                                       lambda t, v: self._write_chunk(symbol, timeframe, t, v))
                self._con.commit()
            except BaseException as exc:
                self._con.rollback()
                if isinstance(exc, duckdb.Error):
                    raise StoreError(
                        f"Writing {len(ts)} candles of {symbol} {timeframe} to DuckDB failed; "
                        f"nothing was changed: {exc}"
                    ) from exc
                raise
            finally:
                with contextlib.suppress(duckdb.Error):
                    self._con.unregister(_INCOMING)
        return result

    def _write_chunk(self, symbol: str, timeframe: Timeframe, ts: np.ndarray,
                     values: list[np.ndarray]) -> tuple[int, int]:
        """Upsert one chunk inside the open transaction; returns (inserted, updated)."""
        table = pa.table({"ts": pa.array(ts, type=pa.timestamp("us")),
                          **dict(zip(CANDLE_COLUMNS, values, strict=True))})
        params = {"symbol": symbol, "tf": timeframe.value}
        self._con.register(_INCOMING, table)
        updated = self._scalar(_UPDATE_CHANGED, params)
        return self._scalar(_INSERT_NEW, params), updated

    def read(
        self,
        symbol: str,
        timeframe: Timeframe,
        start: pd.Timestamp | None = None,
        end: pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """Candles of one series with `start <= ts < end`, as the DESIGN.md frame."""
        query = f"SELECT epoch_us(ts) AS ts, {_VALUES} FROM candles " \
                "WHERE symbol = $symbol AND timeframe = $tf"
        params: dict[str, Any] = {"symbol": symbol, "tf": timeframe.value}
        for name, op, bound in (("start", ">=", start), ("end", "<", end)):
            us = bound_us(bound)
            if us is not None:
                query += f" AND ts {op} make_timestamp(${name})"
                params[name] = us
        with self._lock:
            cols = self._con.execute(query, params).fetchnumpy()
        return candle_frame(cols["ts"], [cols[c] for c in CANDLE_COLUMNS])

    def summary(self, symbol: str, timeframe: Timeframe) -> SeriesSummary | None:
        """First and last candle and row count of one series; None when it has no rows."""
        with self._lock:
            row = self._con.execute(
                _SUMMARY + " WHERE symbol = $symbol AND timeframe = $tf GROUP BY ALL",
                {"symbol": symbol, "tf": timeframe.value},
            ).fetchone()
        return None if row is None else summary_from_row(*row)

    def series(self) -> list[SeriesSummary]:
        """A summary of every stored series, by symbol then timeframe."""
        with self._lock:
            rows = self._con.execute(_SUMMARY + " GROUP BY ALL").fetchall()
        return sorted_summaries([summary_from_row(*row) for row in rows])

    def delete(self, symbol: str, timeframe: Timeframe) -> int:
        """Remove one series; returns the number of candles deleted."""
        with self._lock:
            return self._scalar("DELETE FROM candles WHERE symbol = $symbol AND timeframe = $tf",
                                {"symbol": symbol, "tf": timeframe.value})

    def close(self) -> None:
        """Close the connection (checkpointing the file); the store is unusable afterwards."""
        with self._lock:
            self._con.close()

    def _scalar(self, query: str, params: dict[str, Any]) -> int:
        row = self._con.execute(query, params).fetchone()
        return int(row[0]) if row is not None else 0
