"""Benchmark: the full feature set on 1,000,000 real 5m candles, against pandas-ta-classic.

    .venv/bin/python benchmarks/bench_features.py   # writes benchmarks/results/features.json

Data: real Binance spot 5m candles from ../shared/data/ohlcv (BTCUSDT, then ETHUSDT, then
SOLUSDT), stitched end to end: each later segment's prices are rescaled so it opens at the
previous segment's last close, and all rows are re-stamped on one continuous 5m grid.
Measures wall time (first call and best of --repeat), tracemalloc peak memory of one call,
time per feature group, the same indicators through raw TA-Lib calls and through
pandas-ta-classic (talib=False, its own pandas code) in the same process, the targets, and
the structure / AMD features when those modules exist. No assertions: numbers only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import talib

from _common import ROOT, SHARED_DATA, git_commit
from tradingia.features import FEATURE_SETS, build_features, build_targets
from tradingia.features._prices import prices_from_candles

SOURCES = ("BTCUSDT_5m.csv.gz", "ETHUSDT_5m.csv.gz", "SOLUSDT_5m.csv.gz")


def stitched_candles(data_dir: Path, rows: int) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """`rows` real 5m candles from several symbols, price-continuous, on one 5m grid."""
    parts, used, total = [], [], 0
    for name in SOURCES:
        if total >= rows:
            break
        frame = pd.read_csv(data_dir / name, index_col="timestamp", parse_dates=True)
        frame = frame.astype("float64").iloc[: rows - total]
        if parts:
            scale = parts[-1]["close"].iloc[-1] / frame["open"].iloc[0]
            frame[["open", "high", "low", "close"]] *= scale
        used.append({"file": name, "rows": len(frame), "first": str(frame.index[0]),
                     "last": str(frame.index[-1])})
        parts.append(frame)
        total += len(frame)
    out = pd.concat(parts, ignore_index=True)
    out.index = pd.date_range("2015-01-01", periods=len(out), freq="5min", tz="UTC",
                              name="timestamp")
    return out, used


def timed(func: Callable[[], object], repeat: int) -> dict[str, float]:
    """Seconds of the first call and the best of `repeat` further calls."""
    start = time.perf_counter()
    func()
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return {"first_s": round(first, 4), "best_s": round(best, 4)}


def peak_mib(func: Callable[[], object]) -> float:
    """tracemalloc peak (MiB) of one call: NumPy and pandas buffers are traced."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def talib_indicators(c: pd.DataFrame) -> None:
    """The peer list through raw TA-Lib calls (what build_features calls underneath)."""
    h, lo, cl, v = (c[k].to_numpy() for k in ("high", "low", "close", "volume"))
    for n in (14, 28):
        talib.RSI(cl, n)
    talib.MACD(cl, 12, 26, 9)
    for n in (5, 10, 20):
        talib.ROCP(cl, n)
    talib.ADX(h, lo, cl, 14)
    talib.PLUS_DI(h, lo, cl, 14)
    talib.MINUS_DI(h, lo, cl, 14)
    for n in (9, 21, 50, 200):
        talib.EMA(cl, n)
    for n in (10, 20):
        talib.SMA(cl, n)
    for n in (5, 10, 20, 50):
        talib.NATR(h, lo, cl, n)
    talib.BBANDS(cl, 20, 2.0, 2.0)
    talib.EMA(cl, 20)
    talib.ATR(h, lo, cl, 20)  # Keltner channel = EMA 20 +- 1.5 ATR 20
    talib.OBV(cl, v)
    talib.MFI(h, lo, cl, v, 14)
    talib.AD(h, lo, cl, v)
    talib.ADOSC(h, lo, cl, v, 3, 10)
    talib.SAR(h, lo, 0.02, 0.2)
    talib.STDDEV(talib.ROCP(cl, 1), 20)
    talib.STDDEV(v, 20)


def pandas_ta_peer() -> dict[str, Callable[[pd.DataFrame], object]]:
    """The same indicators through pandas-ta-classic's own pandas code (talib=False)."""
    import pandas_ta_classic as ta

    def hlc(c: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
        return c["high"], c["low"], c["close"]

    return {
        "rsi_14_28": lambda c: [ta.rsi(c["close"], n, talib=False) for n in (14, 28)],
        "macd": lambda c: ta.macd(c["close"], 12, 26, 9, talib=False),
        "roc_5_10_20": lambda c: [ta.roc(c["close"], n, talib=False) for n in (5, 10, 20)],
        "adx_di": lambda c: ta.adx(*hlc(c), 14, talib=False),
        "ema_9_21_50_200": lambda c: [ta.ema(c["close"], n, talib=False) for n in (9, 21, 50, 200)],
        "sma_10_20": lambda c: [ta.sma(c["close"], n, talib=False) for n in (10, 20)],
        "natr_5_10_20_50": lambda c: [ta.natr(*hlc(c), n, talib=False) for n in (5, 10, 20, 50)],
        "bbands_20": lambda c: ta.bbands(c["close"], 20, 2.0, talib=False),
        "keltner_20": lambda c: ta.kc(*hlc(c), 20, 1.5),
        "obv": lambda c: ta.obv(c["close"], c["volume"], talib=False),
        "mfi_14": lambda c: ta.mfi(*hlc(c), c["volume"], 14, talib=False),
        "ad": lambda c: ta.ad(*hlc(c), c["volume"], talib=False),
        "adosc": lambda c: ta.adosc(*hlc(c), c["volume"], fast=3, slow=10, talib=False),
        "psar": lambda c: ta.psar(c["high"], c["low"], c["close"], 0.02, 0.02, 0.2, talib=False),
        "stdev_returns_20": lambda c: ta.stdev(ta.percent_return(c["close"]), 20, talib=False),
        "volume_zscore_20": lambda c: ta.zscore(c["volume"], 20),
    }


def run_peer(candles: pd.DataFrame) -> dict[str, object]:
    per: dict[str, float] = {}
    for name, func in pandas_ta_peer().items():
        func(candles.iloc[:2_000])  # warm-up: imports, caches, any JIT, outside the timing
        start = time.perf_counter()
        func(candles)
        per[name] = round(time.perf_counter() - start, 4)
    return {"total_s": round(sum(per.values()), 4), "per_indicator_s": per}


def per_group(candles: pd.DataFrame) -> dict[str, float]:
    prices = prices_from_candles(candles)
    out: dict[str, float] = {}
    for group in FEATURE_SETS["full"].groups():
        start = time.perf_counter()
        group.compute(prices)
        out[group.name] = round(time.perf_counter() - start, 4)
    return out


def external(candles: pd.DataFrame, repeat: int) -> dict[str, object]:
    """Structure and AMD features, timed on their own (when the modules exist)."""
    out: dict[str, object] = {}
    for module_name, func_name in (("structure", "structure_features"), ("amd", "amd_features")):
        try:
            module = importlib.import_module(f"tradingia.features.{module_name}")
        except ImportError:
            out[module_name] = "not available at this commit"
            continue
        func = getattr(module, func_name)
        result = {"timing": timed(lambda f=func: f(candles), repeat)}
        result["peak_mib"] = peak_mib(lambda f=func: f(candles))
        out[module_name] = result
    return out


def versions() -> dict[str, str]:
    names = ("numpy", "pandas", "ta-lib", "numba", "pandas-ta-classic")
    out = {"python": platform.python_version()}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "missing"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/features.json")
    parser.add_argument("--skip-peer", action="store_true", help="skip pandas-ta-classic")
    args = parser.parse_args()

    candles, used = stitched_candles(args.data, args.rows)
    full = FEATURE_SETS["full"]
    result: dict[str, object] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), **versions()},
        "data": {
            "kind": "real Binance spot 5m candles, stitched (prices rescaled at the seams, "
                    "re-stamped on one continuous 5m grid)",
            "rows": len(candles), "segments": used,
        },
        "feature_sets": {n: {"columns": len(fs.columns), "hash": fs.hash}
                         for n, fs in FEATURE_SETS.items()},
    }
    print(f"{len(candles):,} candles; full set = {len(full.columns)} columns", flush=True)
    timings = {n: timed(lambda n=n: build_features(candles, n), args.repeat)
               for n in FEATURE_SETS}
    result["build_features"] = {
        "timing": timings,
        "full_peak_mib": peak_mib(lambda: build_features(candles, "full")),
        "full_output_mib": round(len(candles) * len(full.columns) * 8 / 2**20, 1),
        "full_per_group_s": per_group(candles),
    }
    print(json.dumps(result["build_features"], indent=1), flush=True)
    talib_time = timed(lambda: talib_indicators(candles), args.repeat)
    comparison: dict[str, object] = {"talib_same_indicators": talib_time}
    if not args.skip_peer:
        peer = run_peer(candles)
        comparison["pandas_ta_classic"] = peer
        comparison["ratio_pandas_ta_over_talib"] = round(
            float(peer["total_s"]) / talib_time["best_s"], 1)  # type: ignore[arg-type]
        comparison["ratio_pandas_ta_over_full_build"] = round(
            float(peer["total_s"]) / timings["full"]["best_s"], 2)  # type: ignore[arg-type]
    result["indicators_vs_pandas_ta_classic"] = comparison
    result["build_targets"] = {
        "horizons": [6, 18, 36, 72],
        "timing": timed(lambda: build_targets(candles), args.repeat),
    }
    result["structure_amd"] = external(candles, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in
                      ("indicators_vs_pandas_ta_classic", "build_targets", "structure_amd")},
                     indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
