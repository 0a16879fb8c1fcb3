"""The out-of-sample scorecard: every model metric beside its naive baseline on the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradingia.models import evaluation as ev
from tradingia.models.dataset import AMD_NOW, AMD_TARGET


@dataclass
class Scorecard:
    """Tables of OOS scores (one row per target) and calibration tables per TP-first label."""

    range: pd.DataFrame
    width: pd.DataFrame
    tpsl: pd.DataFrame
    direction: pd.DataFrame
    magnitude: pd.DataFrame
    amd: pd.DataFrame
    calibration: dict[str, pd.DataFrame] = field(default_factory=dict)
    per_fold: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (records per table)."""
        def rec(df: pd.DataFrame) -> list[dict[str, object]]:
            return [{str(k): v for k, v in r.items()}
                    for r in df.replace({np.nan: None}).to_dict(orient="records")]
        return {"range": rec(self.range), "width": rec(self.width), "tpsl": rec(self.tpsl),
                "direction": rec(self.direction), "magnitude": rec(self.magnitude),
                "amd": rec(self.amd), "per_fold": rec(self.per_fold)}


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(np.float64)


def score_oos(
    oos: pd.DataFrame,
    targets: pd.DataFrame,
    baselines: pd.DataFrame,
    horizons: tuple[int, ...],
    n_boot: int = 200,
) -> Scorecard:
    """Score OOS predictions (rows = test rows) against targets and baselines on those rows."""
    tgt = targets.reindex(oos.index)
    base = baselines.reindex(oos.index)
    both = pd.concat([oos, base.drop(columns=[c for c in base if c in oos])], axis=1)
    card = Scorecard(
        range=_range_table(both, tgt, horizons),
        width=_width_table(both, tgt, horizons),
        tpsl=_tpsl_table(both, tgt, horizons, n_boot),
        direction=_direction_table(both, tgt, horizons),
        magnitude=_magnitude_table(both, tgt, horizons),
        amd=_amd_table(both, tgt),
        calibration={f"tp_first_{s}_{h}": ev.calibration_table(
            _col(tgt, f"tp_first_{s}_{h}"), _col(both, f"p_tp_first_{s}_{h}"))
            for h in horizons for s in ("long", "short") if f"p_tp_first_{s}_{h}" in both},
    )
    if "fold" in oos.columns:
        card.per_fold = _per_fold(both, tgt, horizons)
    return card


def _range_table(p: pd.DataFrame, t: pd.DataFrame, horizons: tuple[int, ...]) -> pd.DataFrame:
    """One row per range target (side and horizon)."""
    rows = []
    for h in horizons:
        for col in (f"delta_high_{h}", f"delta_low_{h}"):
            if col in p.columns:
                rows.append(_range_row(col, h, {k: _range_arrays(p, t, col, k) for k in _KINDS}))
    return pd.DataFrame(rows)


def _width_table(p: pd.DataFrame, t: pd.DataFrame, horizons: tuple[int, ...]) -> pd.DataFrame:
    """`width_h` = delta_high_h + delta_low_h, the whole range's size, per horizon.

    Not a target of its own: it shows how much of each side's error is the split between up
    and down, since the range's size is far more predictable than where in it price goes.
    """
    rows = []
    for h in horizons:
        high, low = f"delta_high_{h}", f"delta_low_{h}"
        if high in p.columns and low in p.columns:
            arrays = {k: _range_arrays(p, t, high, k) + _range_arrays(p, t, low, k)
                      for k in ("y", "pred", "recent", "atr")}
            row = _range_row(f"width_{h}", h, arrays)
            rows.append({k: v for k, v in row.items() if k not in _SIDE_ONLY})
    return pd.DataFrame(rows)


_SIDE_ONLY = ("mae_median", "mae_median_gain_vs_recent", "coverage_80")
"""Range-row columns that need a band, which the width has not."""


_KINDS = ("y", "pred", "mid", "recent", "atr", "lo", "hi")


def _range_arrays(p: pd.DataFrame, t: pd.DataFrame, col: str, kind: str) -> np.ndarray:
    """Target, forecasts or baselines of one range column, by kind."""
    name = {"y": col, "pred": col, "mid": f"{col}_mid", "recent": f"recent_{col}",
            "atr": f"atr_{col}", "lo": f"{col}_lo", "hi": f"{col}_hi"}[kind]
    return _col(t if kind == "y" else p, name)


def _range_row(target: str, h: int, a: dict[str, np.ndarray]) -> dict[str, object]:
    y, pred, recent, atr = a["y"], a["pred"], a["recent"], a["atr"]
    ok = np.isfinite(y) & np.isfinite(pred) & np.isfinite(recent)
    mae_m, mae_r = ev.mae(y[ok], pred[ok]), ev.mae(y[ok], recent[ok])
    mid, lo, hi = a.get("mid"), a.get("lo"), a.get("hi")
    mae_mid = ev.mae(y[ok], mid[ok]) if mid is not None else np.nan
    return {
        "target": target, "horizon": h, "rows": int(ok.sum()),
        "r2": ev.r2(y[ok], pred[ok]), "r2_recent": ev.r2(y[ok], recent[ok]),
        "r2_atr": ev.r2(y[ok], atr[ok]),
        "mae": mae_m, "mae_recent": mae_r, "mae_atr": ev.mae(y[ok], atr[ok]),
        "mae_gain_vs_recent": 1.0 - mae_m / mae_r if mae_r > 0 else np.nan,
        "mae_median": mae_mid,
        "mae_median_gain_vs_recent": 1.0 - mae_mid / mae_r if mae_r > 0 else np.nan,
        "coverage_80": (ev.coverage(y[ok], lo[ok], hi[ok]) if lo is not None and hi is not None
                        else np.nan),
    }


def _tpsl_table(p: pd.DataFrame, t: pd.DataFrame, horizons: tuple[int, ...],
                n_boot: int) -> pd.DataFrame:
    rows = []
    for h in horizons:
        for side in ("long", "short"):
            col = f"tp_first_{side}_{h}"
            if f"p_{col}" not in p.columns:
                continue
            y, prob, base = _col(t, col), _col(p, f"p_{col}"), _col(p, f"base_{col}")
            ok = np.isfinite(y) & np.isfinite(prob)
            lo, hi = ev.block_bootstrap_auc_ci(y[ok], prob[ok], block=max(h, 12), n_boot=n_boot)
            dlo, dhi = ev.delong_ci(y[ok], prob[ok])
            rows.append({
                "target": col, "horizon": h, "rows": int(ok.sum()),
                "positive_rate": float(np.mean(y[ok])) if ok.any() else np.nan,
                "auc": ev.auc(y[ok], prob[ok]), "auc_lo": lo, "auc_hi": hi,
                "auc_delong_lo": dlo, "auc_delong_hi": dhi,
                "brier": ev.brier(y[ok], prob[ok]), "brier_base_rate": ev.brier(y[ok], base[ok]),
            })
    return pd.DataFrame(rows)


def _direction_table(p: pd.DataFrame, t: pd.DataFrame,
                     horizons: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for h in horizons:
        realised = _col(t, f"return_{h}")
        if f"p_tp_first_long_{h}" in p.columns:
            edge = _col(p, f"p_tp_first_long_{h}") - _col(p, f"p_tp_first_short_{h}")
        elif f"delta_high_{h}" in p.columns:
            edge = _col(p, f"delta_high_{h}") - _col(p, f"delta_low_{h}")
        else:
            continue
        rows.append({
            "horizon": h,
            "accuracy": ev.directional_accuracy(realised, np.sign(edge)),
            "accuracy_momentum": ev.directional_accuracy(realised,
                                                         np.sign(_col(p, f"momentum_{h}"))),
            "accuracy_always_up": ev.directional_accuracy(realised, np.ones(len(realised))),
        })
    return pd.DataFrame(rows)


def _magnitude_table(p: pd.DataFrame, t: pd.DataFrame,
                     horizons: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for h in horizons:
        if f"magnitude_{h}" not in p.columns:
            continue
        y, pred = _col(t, f"abs_return_{h}"), _col(p, f"magnitude_{h}")
        recent = _col(p, f"recent_abs_return_{h}")
        ok = np.isfinite(y) & np.isfinite(pred) & np.isfinite(recent)
        rows.append({"target": f"abs_return_{h}", "rows": int(ok.sum()),
                     "r2": ev.r2(y[ok], pred[ok]), "r2_recent": ev.r2(y[ok], recent[ok]),
                     "mae": ev.mae(y[ok], pred[ok]), "mae_recent": ev.mae(y[ok], recent[ok])})
    return pd.DataFrame(rows)


def _amd_table(p: pd.DataFrame, t: pd.DataFrame) -> pd.DataFrame:
    prob_cols = [c for c in p.columns if c.startswith("p_amd_")]
    if not prob_cols or AMD_TARGET not in t.columns:
        return pd.DataFrame()
    pred = p[prob_cols].to_numpy(np.float64).argmax(axis=1).astype(np.float64)
    y, now = _col(t, AMD_TARGET), _col(t, AMD_NOW)
    return pd.DataFrame([{"target": AMD_TARGET, "rows": int(np.isfinite(y).sum()),
                          "accuracy": ev.accuracy(y, pred),
                          "accuracy_persistence": ev.accuracy(y, now)}])


def _per_fold(p: pd.DataFrame, t: pd.DataFrame, horizons: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for fold, sub in p.groupby("fold"):
        ts = t.reindex(sub.index)
        row: dict[str, object] = {"fold": int(str(fold)), "start": str(sub.index[0]),
                                  "end": str(sub.index[-1]), "rows": len(sub)}
        for h in horizons:
            for side in ("high", "low"):
                col = f"delta_{side}_{h}"
                if col in sub.columns:
                    row[f"r2_{col}"] = ev.r2(_col(ts, col), _col(sub, col))
            col = f"tp_first_long_{h}"
            if f"p_{col}" in sub.columns:
                row[f"auc_{col}"] = ev.auc(_col(ts, col), _col(sub, f"p_{col}"))
        rows.append(row)
    return pd.DataFrame(rows)
