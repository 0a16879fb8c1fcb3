"""Tuning study (data before 2024-07-01 only): how much history, and pooled crypto training.

    .venv/bin/python benchmarks/tune_range_history.py

Question: does the range model (`delta_high_12`, `delta_low_12`, 5m) gain from (a) all history
before each fold instead of a two-year window, (b) rows pooled across BTCUSDT, ETHUSDT and
SOLUSDT (the features are scale-free), (c) the mean of the per-symbol and pooled forecasts?
It mirrors the models benchmark on a period the benchmark never scores: the "two-year" window
starts 2022-07-01, four purged folds test 2023-07-01 .. 2024-07-01; candles at or after
2024-07-01 are dropped before any feature is built. Per-symbol fits use the production fit
path (`fit_level1`, range model only, purge 72); a pooled fit takes every symbol's rows before
the fold's test start minus the purge (one clock for all symbols), its validation slice is the
last 15% of that time span, purged by 72 candles. Scores: R² and the MAE gain over the
recent-range baseline on the concatenated OOS rows. Writes
benchmarks/results/range_history_tuning.json. No assertions: numbers only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _common import SHARED_DATA, git_commit
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams, build_matrices
from tradingia.models.dataset import Dataset
from tradingia.models.level1 import Level1Config, fit_level1, make_models
from tradingia.models.pipeline import MODEL_EXTRA_FEATURES, prepare_training
from tradingia.models.range_predictor import RangePredictor

ROOT = Path(__file__).resolve().parent.parent
CUTOFF = pd.Timestamp("2024-07-01", tz="UTC")
WINDOW_START = pd.Timestamp("2022-07-01", tz="UTC")
EDGES = pd.date_range("2023-07-01", "2024-07-01", periods=5, tz="UTC")
SCORED = ("BTCUSDT", "ETHUSDT")
POOL = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
STEP = pd.Timedelta(minutes=5)
PURGE = 72
TARGETS = ("delta_high_12", "delta_low_12")
CONFIG = Level1Config(horizons=(12,), models=("range",), amd_horizon=PURGE,
                      booster=BoosterParams())


def load(symbol: str) -> tuple[Dataset, pd.DataFrame]:
    """Features, the two targets and the recent-range baselines, candles before CUTOFF only."""
    candles = pd.read_csv(SHARED_DATA / f"{symbol}_5m.csv.gz", index_col="timestamp",
                          parse_dates=True)
    candles = candles.loc[candles.index < CUTOFF]
    prep = prepare_training(candles, (12,), "full", Timeframe.M5, with_amd=False,
                            extra_features=MODEL_EXTRA_FEATURES)
    data = prep.dataset
    data = Dataset(features=data.features, targets=data.targets[list(TARGETS)])
    return data, prep.baselines.reindex(data.index)


def window(data: Dataset, fold_start: pd.Timestamp, start: pd.Timestamp | None) -> Dataset:
    """Rows with known targets from `start` (None: the first) to fold_start minus the purge."""
    idx = data.index
    ok = (idx >= (start or idx[0])) & (idx < fold_start - PURGE * STEP)
    ok &= data.targets.notna().all(axis=1).to_numpy()
    return data.rows(np.flatnonzero(ok))


def _concat(parts: list[Dataset]) -> Dataset:
    feats = pd.concat([p.features for p in parts])
    targets = pd.concat([p.targets for p in parts])
    order = np.argsort(feats.index.to_numpy(), kind="stable")
    return Dataset(features=feats.iloc[order], targets=targets.iloc[order])


def fit_pooled(windows: list[Dataset]) -> RangePredictor:
    """One range model on all symbols' rows; validation = last 15% of the span, purged."""
    first = min(w.index[0] for w in windows)
    last = max(w.index[-1] for w in windows)
    valid_from = first + (last - first) * (1 - CONFIG.valid_fraction)
    train = _concat([w.rows(np.flatnonzero(w.index < valid_from - PURGE * STEP))
                     for w in windows])
    valid = _concat([w.rows(np.flatnonzero(w.index >= valid_from)) for w in windows])
    mats = build_matrices(train.x, valid.x, CONFIG.booster)
    model = make_models(CONFIG, (), train.feature_names)["range"]
    model.fit(mats, train, valid)
    assert isinstance(model, RangePredictor)
    return model


def forecasts(data: dict[str, tuple[Dataset, pd.DataFrame]], variant: str,
              ) -> dict[str, pd.DataFrame]:
    """OOS forecasts of both targets per scored symbol, four folds, one variant."""
    pooled = variant.startswith("pooled")
    members = POOL if variant.startswith("pooled_3") else SCORED
    start = WINDOW_START if variant.endswith("2y") else None
    out: dict[str, list[pd.DataFrame]] = {s: [] for s in SCORED}
    for k in range(len(EDGES) - 1):
        fold_start, fold_end = EDGES[k], EDGES[k + 1]
        shared = (fit_pooled([window(data[s][0], fold_start, start) for s in members])
                  if pooled else None)
        for symbol in SCORED:
            ds, base = data[symbol]
            known = ds.targets.notna().all(axis=1).to_numpy()
            rows = np.flatnonzero((ds.index >= fold_start) & (ds.index < fold_end) & known)
            test = ds.rows(rows)
            model = shared or fit_level1(window(ds, fold_start, start), CONFIG).models["range"]
            pred = model.predict(test.x, test.index)
            frame = pd.DataFrame(index=test.index)
            for col in TARGETS:
                frame[f"y_{col}"] = test.target(col)
                frame[f"p_{col}"] = pred[col].to_numpy()
                frame[f"b_{col}"] = base[f"recent_{col}"].iloc[rows].to_numpy()
            out[symbol].append(frame)
        print(f"  {variant} fold {k} done", file=sys.stderr, flush=True)
    return {s: pd.concat(parts) for s, parts in out.items()}


def score(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """R² and MAE gain over the recent-range baseline per target."""
    out = {}
    for col in TARGETS:
        sub = frame[[f"y_{col}", f"p_{col}", f"b_{col}"]].dropna()
        y, p, b = (sub[f"{k}_{col}"].to_numpy() for k in "ypb")
        r2 = 1 - float(np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))
        gain = 1 - float(np.mean(np.abs(y - p)) / np.mean(np.abs(y - b)))
        out[col] = {"r2": round(r2, 4), "mae_gain_vs_recent": round(gain, 4), "rows": len(y)}
    return out


def study_report(study: str, script: str, began: float, timings: dict[str, float],
                 results: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The JSON both range studies write: protocol, timings, results and `extra` keys."""
    return {
        "study": study, "command": f"python benchmarks/{Path(script).name}",
        "code_version": git_commit(), "data_before": str(CUTOFF),
        "window_start": str(WINDOW_START), "folds_test": [str(e) for e in EDGES],
        "fit_seconds": timings, "seconds": round(time.perf_counter() - began, 1),
        **extra, "results": results,
    }


def main() -> None:
    began = time.perf_counter()
    data = {s: load(s) for s in POOL}
    variants = ("window_2y", "all_history", "pooled_3_2y", "pooled_3_all", "pooled_2_all")
    preds: dict[str, dict[str, pd.DataFrame]] = {}
    timings: dict[str, float] = {}
    for v in variants:
        t0 = time.perf_counter()
        preds[v] = forecasts(data, v)
        timings[v] = round(time.perf_counter() - t0, 1)
    mean = {}
    for s in SCORED:
        frame = preds["window_2y"][s].copy()
        for col in TARGETS:
            frame[f"p_{col}"] = (frame[f"p_{col}"] + preds["pooled_3_all"][s][f"p_{col}"]) / 2
        mean[s] = frame
    preds["mean_window_2y_pooled_3_all"] = mean
    results: dict[str, Any] = {v: {s: score(p[s]) for s in SCORED} for v, p in preds.items()}
    report = study_report("range_history_tuning", __file__, began, timings, results)
    out = ROOT / "benchmarks/results/range_history_tuning.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
