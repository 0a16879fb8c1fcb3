"""Benchmark: import and read back 1,000,000 1m candles in both stores, and resample 1m -> 5m.

    .venv/bin/python benchmarks/bench_store.py   # writes benchmarks/results/store.json
    .venv/bin/python benchmarks/bench_store.py --rows 100000 --out /tmp/store.json

Data: a synthetic 1m series (seeded geometric random walk with BTC-like 1m volatility and an
intraday volatility cycle, prices to cents, no gaps): the shared real files are 5m, 15m and 1h,
and no real 1m file of a million rows ships with the repo. Same run, same frame:

- tradingia DuckDB store: import into a fresh file, import again (every row unchanged), read;
- tradingia PostgreSQL store (fresh database each import): import, import again, read;
- peers, plain pandas/pyarrow on the same frame: Parquet write + read, CSV write + read;
- resampling 1m -> 5m: `tradingia.data.resample.resample_candles` vs pandas `resample().agg`.

Seconds are the best of `--repeat` runs (imports: of `--import-repeat` fresh stores); peak
memory is tracemalloc's peak over one extra run (Python and NumPy allocations; memory that
DuckDB or libpq allocate in C is not traced) plus the process's max RSS at the end. The
machine is shared, so the load average before and after is recorded too. No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from _common import ROOT, git_commit
from tradingia.core.candles import CANDLE_COLUMNS, as_candle_frame
from tradingia.core.errors import StoreError
from tradingia.core.timeframes import Timeframe
from tradingia.data.stores import DuckDBCandleStore, PostgresCandleStore

SYMBOL, TF = "BTCUSDT", Timeframe.M1
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
Setup = Callable[[], AbstractContextManager[Any]]


def synthetic_1m(rows: int, seed: int = 7) -> pd.DataFrame:
    """A realistic-looking 1m candle frame: GBM closes, open = previous close, wicks, volume."""
    rng = np.random.default_rng(seed)
    minute = np.arange(rows) % 1440
    vol = 0.0007 * (0.6 + 0.8 * np.sin(np.pi * minute / 1440) ** 2)  # busier mid-day (UTC)
    close = np.round(20_000 * np.exp(np.cumsum(rng.standard_normal(rows) * vol)), 2)
    open_ = np.concatenate(([20_000.0], close[:-1]))
    wick = np.round(np.abs(rng.standard_normal((2, rows))) * vol * close * 0.7, 2)
    frame = pd.DataFrame(
        {"open": open_, "high": np.maximum(open_, close) + wick[0],
         "low": np.minimum(open_, close) - wick[1], "close": close,
         "volume": np.round(rng.lognormal(2.0, 1.0, rows), 5)},
        index=pd.date_range("2023-01-01", periods=rows, freq="1min", tz="UTC"),
    )
    out = as_candle_frame(frame)
    out.index.freq = None
    return out


def measure(func: Callable[[Any], object], repeat: int, setup: Setup | None = None
            ) -> dict[str, Any]:
    """Best and all wall times of `repeat` runs, then tracemalloc's peak over one more run."""
    times = []
    for _ in range(repeat):
        with setup() if setup else _nothing() as arg:
            began = time.perf_counter()
            func(arg)
            times.append(time.perf_counter() - began)
    with setup() if setup else _nothing() as arg:
        tracemalloc.start()
        func(arg)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"seconds": round(min(times), 4), "runs": [round(t, 4) for t in times],
            "peak_traced_mib": round(peak / 2**20, 1)}


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


# --- DuckDB -----------------------------------------------------------------------------------


def bench_duckdb(candles: pd.DataFrame, work: Path, repeat: int, import_repeat: int
                 ) -> dict[str, Any]:
    """Fresh import, idempotent re-import and full read on the DuckDB store."""
    counter = iter(range(10_000))

    @contextmanager
    def fresh() -> Iterator[DuckDBCandleStore]:
        path = work / f"fresh{next(counter)}.duckdb"
        store = DuckDBCandleStore(path)
        try:
            yield store
        finally:
            store.close()
            path.unlink()

    path = work / "candles.duckdb"
    store = DuckDBCandleStore(path)
    store.write(SYMBOL, TF, candles)

    @contextmanager
    def loaded() -> Iterator[DuckDBCandleStore]:
        yield store

    out = {
        "import": measure(lambda s: s.write(SYMBOL, TF, candles), import_repeat, fresh),
        "reimport_unchanged": measure(lambda s: s.write(SYMBOL, TF, candles), repeat, loaded),
        "read": measure(lambda s: s.read(SYMBOL, TF), repeat, loaded),
        "read_equals_input": bool(store.read(SYMBOL, TF).equals(candles)),
    }
    store.close()
    out["file_mib"] = round(path.stat().st_size / 2**20, 1)
    return out


# --- PostgreSQL -------------------------------------------------------------------------------


def bench_postgres(candles: pd.DataFrame, url: str, repeat: int, import_repeat: int
                   ) -> dict[str, Any]:
    """Fresh import (new database each time), re-import and full read on the PostgreSQL store."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    @contextmanager
    def fresh_database() -> Iterator[PostgresCandleStore]:
        name = f"tradingia_bench_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        store = PostgresCandleStore(
            make_url(url).set(database=name).render_as_string(hide_password=False))
        try:
            yield store
        finally:
            store.close()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        out: dict[str, Any] = {
            "import": measure(lambda s: s.write(SYMBOL, TF, candles), import_repeat,
                              fresh_database)}
        with fresh_database() as store:
            store.write(SYMBOL, TF, candles)

            @contextmanager
            def loaded() -> Iterator[PostgresCandleStore]:
                yield store

            out["reimport_unchanged"] = measure(lambda s: s.write(SYMBOL, TF, candles),
                                                repeat, loaded)
            out["read"] = measure(lambda s: s.read(SYMBOL, TF), repeat, loaded)
            out["read_equals_input"] = bool(store.read(SYMBOL, TF).equals(candles))
            with store._engine.connect() as conn:  # sizes and server facts, for the record
                out["table_mib"] = round(float(conn.execute(sa.text(
                    "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                    "WHERE inhparent = 'market.candles'::regclass")).scalar_one()) / 2**20, 1)
                out["partitions"] = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_inherits "
                    "WHERE inhparent = 'market.candles'::regclass")).scalar_one()
                out["server_version"] = conn.execute(sa.text("SHOW server_version")).scalar_one()
        return out
    finally:
        admin.dispose()


# --- peers and resampling ---------------------------------------------------------------------


def bench_files(candles: pd.DataFrame, work: Path, repeat: int) -> dict[str, Any]:
    """Plain pandas/pyarrow on the same frame: Parquet and CSV, write and read."""
    parquet, csv = work / "candles.parquet", work / "candles.csv"
    out = {
        "parquet_write": measure(lambda _: candles.to_parquet(parquet, engine="pyarrow"), repeat),
        "parquet_read": measure(lambda _: pd.read_parquet(parquet, engine="pyarrow"), repeat),
        "csv_write": measure(lambda _: candles.to_csv(csv), 1),
        "csv_read": measure(lambda _: pd.read_csv(csv, index_col=0, parse_dates=[0]), repeat),
    }
    out["parquet_mib"] = round(parquet.stat().st_size / 2**20, 1)
    out["csv_mib"] = round(csv.stat().st_size / 2**20, 1)
    return out


def pandas_resample(candles: pd.DataFrame) -> pd.DataFrame:
    """The plain pandas way: resample, aggregate, drop the empty buckets."""
    agg = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    return candles.resample("5min", label="left", closed="left").agg(agg).dropna(subset=["open"])


def bench_resample(candles: pd.DataFrame, repeat: int) -> dict[str, Any]:
    """1m -> 5m: ours against plain pandas, and whether both give the same candles."""
    out: dict[str, Any] = {"pandas": measure(lambda _: pandas_resample(candles), repeat)}
    try:
        from tradingia.data.resample import resample_candles
    except ImportError:  # TODO: only while the resampler is missing; it exists today
        out["ours"] = {"skipped": "tradingia.data.resample not importable"}
        return out
    out["ours"] = measure(lambda _: resample_candles(candles, Timeframe.M5), repeat)
    ours, peer = resample_candles(candles, Timeframe.M5), pandas_resample(candles)
    out["rows_out"] = len(ours)
    out["same_result"] = bool(ours.index.equals(peer.index) and np.allclose(
        ours[list(CANDLE_COLUMNS)].to_numpy(), peer[list(CANDLE_COLUMNS)].to_numpy()))
    return out


# --- the run ----------------------------------------------------------------------------------


def ratio(ours: dict[str, Any], peer: dict[str, Any]) -> float | None:
    """How many times the peer's time ours takes (below 1: ours is faster)."""
    if "seconds" not in ours or "seconds" not in peer or not peer["seconds"]:
        return None
    return round(ours["seconds"] / peer["seconds"], 2)


def ratios(results: dict[str, Any]) -> dict[str, float | None]:
    files, duck, pg = results["files"], results["duckdb"], results.get("postgres", {})
    rs = results["resample"]
    pairs = {
        "duckdb_import_vs_parquet_write": (duck["import"], files["parquet_write"]),
        "duckdb_read_vs_parquet_read": (duck["read"], files["parquet_read"]),
        "duckdb_import_vs_csv_write": (duck["import"], files["csv_write"]),
        "duckdb_read_vs_csv_read": (duck["read"], files["csv_read"]),
        "postgres_import_vs_parquet_write": (pg.get("import", {}), files["parquet_write"]),
        "postgres_read_vs_parquet_read": (pg.get("read", {}), files["parquet_read"]),
        "postgres_import_vs_csv_write": (pg.get("import", {}), files["csv_write"]),
        "postgres_read_vs_csv_read": (pg.get("read", {}), files["csv_read"]),
        "resample_ours_vs_pandas": (rs.get("ours", {}), rs["pandas"]),
    }
    return {name: ratio(a, b) for name, (a, b) in pairs.items()}


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    packages = ("numpy", "pandas", "pyarrow", "duckdb", "sqlalchemy", "psycopg", "alembic")
    return {"cpus": os.cpu_count(), "cpu": cpu, "platform": platform.platform(),
            "python": platform.python_version(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                / 2**30, 1),
            **{p: metadata.version(p) for p in packages}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-repeat", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get(
        "TRADINGIA_TEST_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/store.json")
    args = parser.parse_args()

    load_before = os.getloadavg()
    candles = synthetic_1m(args.rows)
    results: dict[str, Any] = {
        "command": "python benchmarks/bench_store.py " + " ".join(sys.argv[1:]),
        "commit": git_commit(),
        "machine": machine(),
        "data": {"kind": "synthetic", "timeframe": "1m", "rows": len(candles), "seed": 7,
                 "first": str(candles.index[0]), "last": str(candles.index[-1]),
                 "description": "seeded geometric random walk, BTC-like 1m volatility with an "
                                "intraday cycle, open = previous close, prices in cents, "
                                "lognormal volume, no gaps"},
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("duckdb ...", flush=True)
        results["duckdb"] = bench_duckdb(candles, work, args.repeat, args.import_repeat)
        print("postgres ...", flush=True)
        try:
            results["postgres"] = bench_postgres(candles, args.database_url, args.repeat,
                                                 args.import_repeat)
        except (StoreError, sa.exc.OperationalError) as exc:
            results["postgres"] = {"skipped": f"PostgreSQL unavailable: {exc}"}
        print("parquet / csv ...", flush=True)
        results["files"] = bench_files(candles, work, args.repeat)
    print("resample ...", flush=True)
    results["resample"] = bench_resample(candles, args.repeat)
    results["ratios"] = ratios(results)
    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["load_average"] = {"before": [round(x, 2) for x in load_before],
                               "after": [round(x, 2) for x in os.getloadavg()]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({"ratios": results["ratios"], "out": str(args.out)}, indent=2))


if __name__ == "__main__":
    main()
