"""Benchmark: level-1 training (walk-forward + final fit) and `predict`, with the OOS scores.

    .venv/bin/python benchmarks/bench_models.py            # BTCUSDT and ETHUSDT, two years
    .venv/bin/python benchmarks/bench_models.py --symbols BTCUSDT --years 1

Data: real Binance spot 5m candles from ../shared/data/ohlcv; the last `--years` years of each
file (two years ~ 210k candles). Training runs exactly what `tradingia train` runs (all four
level-1 models, `full` features, 4 folds over the last half, purge = longest horizon, final fit)
into a throw-away registry, and records wall time and the OOS scorecard beside its baselines.
Predict is timed on the last 100,000 candles (features + all models + signal decisions), as
`tradingia predict` does. Writes benchmarks/results/models.json. No assertions: numbers only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from _common import ROOT, SHARED_DATA
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import booster_device, default_nthread
from tradingia.models.registry import ModelRegistry
from tradingia.services.prediction import prediction_frame
from tradingia.services.training import (
    TrainRequest,
    code_version,
    library_versions,
    train_on_candles,
)

DATA = SHARED_DATA


def _headline(card: Any) -> dict[str, Any]:
    rng = card.range.set_index("target")
    tp = card.tpsl.set_index("target")
    out: dict[str, Any] = {}
    for col in ("delta_high_12", "delta_low_12"):
        if col in rng.index:
            r = rng.loc[col]
            out[col] = {k: float(r[k]) for k in ("r2", "r2_recent", "r2_atr", "mae",
                                                 "mae_recent", "mae_atr", "mae_gain_vs_recent",
                                                 "mae_median", "mae_median_gain_vs_recent",
                                                 "coverage_80", "rows")}
    width = card.width.set_index("target")
    if "width_12" in width.index:
        r = width.loc["width_12"]
        out["width_12"] = {k: float(r[k]) for k in ("r2", "r2_recent", "r2_atr",
                                                    "mae_gain_vs_recent", "rows")}
    for col in ("tp_first_long_12", "tp_first_short_12"):
        if col in tp.index:
            r = tp.loc[col]
            out[col] = {k: float(r[k]) for k in ("auc", "auc_lo", "auc_hi", "auc_delong_lo",
                                                 "auc_delong_hi", "brier", "brier_base_rate",
                                                 "positive_rate", "rows")}
    return out


def bench_symbol(symbol: str, years: float, predict_rows: int) -> dict[str, Any]:
    """Train walk-forward on the last `years` of 5m candles, then time predict."""
    candles = pd.read_csv(DATA / f"{symbol}_5m.csv.gz", index_col="timestamp", parse_dates=True)
    start = candles.index[-1] - pd.Timedelta(days=round(365 * years))
    candles = candles.loc[candles.index > start]
    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(Path(tmp))
        request = TrainRequest(symbol=symbol, timeframe=Timeframe.M5)
        t0 = time.perf_counter()
        outcome = train_on_candles(candles, request, registry,
                                   lambda s, d, n: print(f"  {symbol} {s} {d}/{n}",
                                                         file=sys.stderr))
        train_s = time.perf_counter() - t0
        model_set = registry.load(symbol, Timeframe.M5)
        tail = candles.iloc[-predict_rows:]
        t0 = time.perf_counter()
        frame = prediction_frame(model_set, tail, symbol, Timeframe.M5)
        predict_s = time.perf_counter() - t0
        meta = outcome.version.metadata
    return {
        "symbol": symbol,
        "candles": len(candles),
        "first": str(candles.index[0]), "last": str(candles.index[-1]),
        "train_rows": meta["rows"],
        "train_seconds": round(train_s, 1),
        "predict_candles": len(tail), "predict_rows_out": len(frame),
        "predict_seconds": round(predict_s, 2),
        "headline": _headline(outcome.scorecard),
        "scorecard": outcome.scorecard.to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", nargs="+", default=["BTCUSDT", "ETHUSDT"])
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--predict-rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/models.json")
    args = parser.parse_args()
    results = [bench_symbol(s, args.years, args.predict_rows) for s in args.symbols]
    report = {
        "benchmark": "models",
        "command": "python benchmarks/bench_models.py " + " ".join(sys.argv[1:]),
        "machine": {"platform": platform.platform(), "cores": default_nthread(),
                    "load_average": os.getloadavg(), "xgboost_device": booster_device()},
        "libraries": library_versions(), "code_version": code_version(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    for r in results:
        print(json.dumps({"symbol": r["symbol"], "train_seconds": r["train_seconds"],
                          "predict_seconds": r["predict_seconds"], **r["headline"]}, indent=1))


if __name__ == "__main__":
    main()
