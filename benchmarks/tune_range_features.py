"""Tuning study (data before 2024-07-01 only): candidate inputs and settings for the range model.

    .venv/bin/python benchmarks/tune_range_features.py

Question: does the range model (`delta_high_12`, `delta_low_12`, 5m) gain from inputs the full
feature set lacks, or from other fit settings? Same protocol as `tune_range_history.py` (two-year
windows from 2022-07-01, four purged folds testing 2023-07-01 .. 2024-07-01, candles at or
after 2024-07-01 dropped before any feature is built; production fit path `fit_level1`).
Candidates, all causal (a value at t reads candles up to t, or the calendar):
- `season`: an intraday volatility profile per 5-minute slot from the 20 days before the
  candle's day, read forward over the next 12 slots and back over the last 20 (the calendar
  is known in advance; the profile uses completed days only);
- `levels`: mean high-low range of the last day and week against the last 20 candles, and
  volume of the last hour / day / week against each other;
- `cross`: the other coin's (BTCUSDT <-> ETHUSDT) recent range, its ratio to this coin's, and
  its 1- and 12-candle returns;
- `ny_hour`: the hour in New York (follows US daylight saving, unlike the UTC session hour);
- booster / scale settings: loss weight power 0 and 2, ATR(50) as the scale, deeper trees,
  a smaller learning rate.
Scores on the concatenated OOS rows: R² of the mean forecast, MAE gain over the recent-range
baseline of the mean and of the median (`_mid`) forecast, and R² of the width (high + low).
Also an oracle bound needing no model: the R² a side would reach from the *realised* width
(linear fit of the side on high + low, on the same OOS rows), i.e. what perfect knowledge of the
range's size and nothing about its up / down split would give. `--bound-only` recomputes just
that into the existing JSON. `--width-model` adds one more candidate into it: a booster on the
width itself times the train window's up share (a side's mean share of the width), alone and
averaged with the direct side forecast. Writes benchmarks/results/range_feature_tuning.json. No
assertions: numbers only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _common import SHARED_DATA
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import (
    BoosterParams,
    build_matrices,
    fit_booster,
    predict_booster,
)
from tradingia.models.dataset import Dataset
from tradingia.models.level1 import Level1Config, fit_level1, split_window
from tradingia.models.pipeline import MODEL_EXTRA_FEATURES, prepare_training
from tradingia.models.scaling import VolatilityScale
from tune_range_history import (
    CUTOFF,
    EDGES,
    PURGE,
    SCORED,
    TARGETS,
    WINDOW_START,
    study_report,
    window,
)

ROOT = Path(__file__).resolve().parent.parent
Candidate = Callable[[pd.DataFrame, dict[str, pd.DataFrame]], pd.DataFrame]


def _hl(c: pd.DataFrame) -> pd.Series:
    return (c["high"] - c["low"]) / c["close"]


def season(c: pd.DataFrame, _: dict[str, pd.DataFrame], days: int = 20, fwd: int = 12,
           back: int = 20) -> pd.DataFrame:
    """Log intraday range profile (completed days only), mean over the next / last slots."""
    day = c.index.floor("D")
    slot = np.asarray(c.index.hour * 12 + c.index.minute // 5)
    frame = pd.DataFrame({"d": day, "s": slot, "v": np.log(_hl(c).to_numpy() + 1e-6)})
    grid = frame.pivot_table(index="d", columns="s", values="v", aggfunc="mean")
    profile = grid.reindex(columns=range(288)).rolling(days, min_periods=days // 2).mean()
    profile = profile.shift(1)  # days before the candle's own day only
    profile = profile.sub(profile.mean(axis=1), axis=0).to_numpy()
    row = profile[grid.index.get_indexer(day)]
    cum = np.concatenate([np.zeros((len(row), 1)),
                          np.cumsum(np.nan_to_num(np.tile(row, 3)), axis=1)], axis=1)
    at = np.arange(len(row))
    s = slot + 288
    ahead = (cum[at, s + fwd + 1] - cum[at, s + 1]) / fwd
    behind = (cum[at, s + 1] - cum[at, s + 1 - back]) / back
    unknown = np.isnan(row).all(axis=1)
    ahead[unknown] = behind[unknown] = np.nan
    return pd.DataFrame({"season_ahead": ahead, "season_behind": behind,
                         "season_shift": ahead - behind}, index=c.index)


def levels(c: pd.DataFrame, _: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Day / week range against the last 20 candles; hour / day / week volume ratios."""
    hl, vol = _hl(c), c["volume"].astype(float) + 1e-9
    last20 = hl.rolling(20).mean()
    return pd.DataFrame({
        "range_1d_vs_20": np.log(hl.rolling(288, min_periods=144).mean() / last20),
        "range_1w_vs_20": np.log(hl.rolling(2016, min_periods=1008).mean() / last20),
        "volume_1h_vs_1d": np.log(vol.rolling(12).mean()
                                  / vol.rolling(288, min_periods=144).mean()),
        "volume_1d_vs_1w": np.log(vol.rolling(288).mean()
                                  / vol.rolling(2016, min_periods=1008).mean()),
    }, index=c.index)


def cross(c: pd.DataFrame, others: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The other coin's recent range and returns, on this coin's clock."""
    o = next(iter(others.values())).reindex(c.index)
    hl_o = _hl(o)
    return pd.DataFrame({
        "cross_range_20": hl_o.rolling(20).mean(),
        "cross_range_ratio_20": np.log(hl_o.rolling(20).mean() / _hl(c).rolling(20).mean()),
        "cross_ret_1": np.log(o["close"] / o["close"].shift(1)),
        "cross_ret_12": np.log(o["close"] / o["close"].shift(12)),
    }, index=c.index)


def ny_hour(c: pd.DataFrame, _: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Hour of day in New York, cyclical (US daylight saving moves it against UTC)."""
    local = c.index.tz_convert("America/New_York")
    hours = np.asarray(local.hour + local.minute / 60.0, dtype=float)
    return pd.DataFrame({"ny_hour_sin": np.sin(2 * np.pi * hours / 24),
                         "ny_hour_cos": np.cos(2 * np.pi * hours / 24)}, index=c.index)


CANDIDATES: dict[str, Candidate] = {"season": season, "levels": levels, "cross": cross,
                                    "ny_hour": ny_hour}
VARIANTS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "baseline": ((), {}),
    **{name: ((name,), {}) for name in CANDIDATES},
    "all_inputs": (tuple(CANDIDATES), {}),
    "weight_power_0": ((), {"scale_weight_power": 0.0}),
    "weight_power_2": ((), {"scale_weight_power": 2.0}),
    "scale_atr_50": ((), {"scale_features": ("atr_50",)}),
    "depth_6": ((), {"booster": {"max_depth": 6, "min_child_weight": 400.0}}),
    "eta_0.02": ((), {"booster": {"learning_rate": 0.02, "max_rounds": 1500,
                                  "early_stopping_rounds": 60}}),
}


def load(symbol: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Candles, features, targets and recent-range baselines before CUTOFF."""
    candles = pd.read_csv(SHARED_DATA / f"{symbol}_5m.csv.gz", index_col="timestamp",
                          parse_dates=True)
    candles = candles.loc[candles.index < CUTOFF]
    prep = prepare_training(candles, (12,), "full", Timeframe.M5, with_amd=False,
                            extra_features=MODEL_EXTRA_FEATURES)
    return (candles, prep.dataset.features, prep.targets[list(TARGETS)],
            prep.baselines.reindex(prep.dataset.features.index))


def dataset(symbol: str, loaded: dict[str, Any], inputs: tuple[str, ...]) -> Dataset:
    """The full feature set plus the named candidate inputs (warm-up rows dropped)."""
    candles, feats, targets, _ = loaded[symbol]
    others = {s: v[0] for s, v in loaded.items() if s != symbol}
    for name in inputs:
        feats = feats.join(CANDIDATES[name](candles, others).reindex(feats.index))
    feats = feats.loc[feats.notna().all(axis=1)].astype(np.float32)
    return Dataset(features=feats, targets=targets.reindex(feats.index))


def forecasts(ds: Dataset, config: Level1Config) -> pd.DataFrame:
    """Mean and median OOS forecasts of both targets over the four folds."""
    known = ds.targets.notna().all(axis=1).to_numpy()
    parts = []
    for k in range(len(EDGES) - 1):
        model = fit_level1(window(ds, EDGES[k], WINDOW_START), config).models["range"]
        rows = np.flatnonzero((ds.index >= EDGES[k]) & (ds.index < EDGES[k + 1]) & known)
        test = ds.rows(rows)
        pred = model.predict(test.x, test.index)
        frame = pd.DataFrame(index=test.index)
        for col in TARGETS:
            frame[f"y_{col}"] = test.target(col)
            frame[f"p_{col}"], frame[f"m_{col}"] = pred[col], pred[f"{col}_mid"]
        parts.append(frame)
    return pd.concat(parts)


def _r2(y: np.ndarray, p: np.ndarray) -> float:
    return 1 - float(np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2))


def score(frame: pd.DataFrame, base: pd.DataFrame) -> dict[str, Any]:
    """R², MAE gains (mean and median forecast) per target; R² of the width."""
    out: dict[str, Any] = {}
    b = base.reindex(frame.index)
    for col in TARGETS:
        y, p, m = (frame[f"{k}_{col}"].to_numpy() for k in "ypm")
        r = b[f"recent_{col}"].to_numpy()
        ok = np.isfinite(y) & np.isfinite(r)
        mae_r = float(np.mean(np.abs(y[ok] - r[ok])))
        out[col] = {"r2": round(_r2(y[ok], p[ok]), 4),
                    "mae_gain_mean": round(1 - float(np.mean(np.abs(y[ok] - p[ok]))) / mae_r, 4),
                    "mae_gain_median": round(1 - float(np.mean(np.abs(y[ok] - m[ok]))) / mae_r,
                                             4),
                    "rows": int(ok.sum())}
    width_y = frame[[f"y_{c}" for c in TARGETS]].sum(axis=1).to_numpy()
    width_p = frame[[f"p_{c}" for c in TARGETS]].sum(axis=1).to_numpy()
    out["width_12"] = {"r2": round(_r2(width_y, width_p), 4)}
    return out


def width_bound(loaded: dict[str, Any]) -> dict[str, dict[str, float]]:
    """R² of each side explained linearly by the realised width, on the OOS period's rows."""
    out: dict[str, dict[str, float]] = {}
    for symbol, (_, _, targets, _) in loaded.items():
        rows = targets.loc[(targets.index >= EDGES[0]) & (targets.index < EDGES[-1])].dropna()
        width = rows[list(TARGETS)].sum(axis=1).to_numpy()
        out[symbol] = {col: round(float(np.corrcoef(width, rows[col].to_numpy())[0, 1] ** 2), 4)
                       for col in TARGETS}
    return out


def _width_fold(ds: Dataset, k: int, config: Level1Config) -> dict[str, np.ndarray]:
    """Fold k: targets, direct side forecasts and width forecast x train share, on test rows."""
    known = ds.targets.notna().all(axis=1).to_numpy()
    win = window(ds, EDGES[k], WINDOW_START)
    train_sl, valid_sl = split_window(len(win), config.valid_fraction, config.purge)
    train, valid = win.rows(train_sl), win.rows(valid_sl)
    test = ds.rows(np.flatnonzero((ds.index >= EDGES[k]) & (ds.index < EDGES[k + 1]) & known))
    scale = VolatilityScale.pick(ds.feature_names, config.scale_features,
                                 config.scale_weight_power)
    s_train, s_valid, s_test = (scale.values(d.x) for d in (train, valid, test))
    mats = build_matrices(train.x, valid.x, config.booster)

    def fit_predict(y_train: np.ndarray, y_valid: np.ndarray) -> np.ndarray:
        booster = fit_booster(mats, y_train / s_train, y_valid / s_valid,
                              {"objective": "reg:squarederror"}, config.booster,
                              (scale.weights(s_train), scale.weights(s_valid)))
        return predict_booster(booster, test.x) * s_test

    width_train = sum(train.target(c) for c in TARGETS)
    width = fit_predict(width_train, sum(valid.target(c) for c in TARGETS))
    out: dict[str, np.ndarray] = {}
    for col in TARGETS:
        share = float(np.sum(train.target(col)) / np.sum(width_train))
        out[f"y_{col}"] = test.target(col)
        out[f"direct_{col}"] = fit_predict(train.target(col), valid.target(col))
        out[f"width_share_{col}"] = width * share
    return out


def width_model(ds: Dataset, config: Level1Config) -> dict[str, dict[str, float]]:
    """R² per side: direct forecast, width forecast x train share, and their mean."""
    folds = [_width_fold(ds, k, config) for k in range(len(EDGES) - 1)]
    got = {key: np.concatenate([f[key] for f in folds]) for key in folds[0]}
    out: dict[str, dict[str, float]] = {}
    for col in TARGETS:
        y, direct, via_width = (got[f"{k}_{col}"] for k in ("y", "direct", "width_share"))
        out[col] = {"direct": round(_r2(y, direct), 4),
                    "width_x_share": round(_r2(y, via_width), 4),
                    "mean_of_both": round(_r2(y, (direct + via_width) / 2), 4)}
    return out


def config_for(overrides: dict[str, Any]) -> Level1Config:
    """The production range config (12-candle horizon, purge 72) with overrides."""
    extra = dict(overrides)
    booster = BoosterParams(**extra.pop("booster", {}))
    return Level1Config(horizons=(12,), models=("range",), amd_horizon=PURGE, booster=booster,
                        **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bound-only", action="store_true",
                        help="Recompute only the oracle width bound into the existing JSON.")
    parser.add_argument("--width-model", action="store_true",
                        help="Run only the width-model candidate into the existing JSON.")
    args = parser.parse_args()
    began = time.perf_counter()
    out = ROOT / "benchmarks/results/range_feature_tuning.json"
    loaded = {s: load(s) for s in SCORED}
    bound = width_bound(loaded)
    if args.bound_only or args.width_model:
        report = json.loads(out.read_text())
        report["side_r2_from_realised_width"] = bound
        if args.width_model:
            report["width_model"] = {s: width_model(dataset(s, loaded, ()), config_for({}))
                                     for s in SCORED}
        out.write_text(json.dumps(report, indent=2))
        print(json.dumps({k: report[k] for k in ("side_r2_from_realised_width", "width_model")
                          if k in report}, indent=1))
        return
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for name, (inputs, overrides) in VARIANTS.items():
        t0 = time.perf_counter()
        config = config_for(overrides)
        results[name] = {s: score(forecasts(dataset(s, loaded, inputs), config), loaded[s][3])
                         for s in SCORED}
        timings[name] = round(time.perf_counter() - t0, 1)
        print(name, json.dumps(results[name]), file=sys.stderr, flush=True)
    variants = {k: {"inputs": list(v[0]), "overrides": v[1]} for k, v in VARIANTS.items()}
    report = study_report("range_feature_tuning", __file__, began, timings, results,
                          variants=variants, side_r2_from_realised_width=bound)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
