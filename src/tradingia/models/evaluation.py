"""Out-of-sample metrics: R², MAE, band coverage, AUC with confidence intervals, Brier,
calibration tables, directional accuracy. Plain functions on NumPy arrays."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def _known(*arrays: np.ndarray) -> np.ndarray:
    mask = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        mask &= np.isfinite(a)
    return mask


def r2(y: np.ndarray, pred: np.ndarray) -> float:
    """Coefficient of determination on rows where both are known (1 - SSE/SST)."""
    ok = _known(y, pred)
    if ok.sum() < 2:
        return float("nan")
    yk, pk = y[ok], pred[ok]
    sst = float(((yk - yk.mean()) ** 2).sum())
    return 1.0 - float(((yk - pk) ** 2).sum()) / sst if sst > 0 else float("nan")


def mae(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean absolute error on rows where both are known."""
    ok = _known(y, pred)
    return float(np.abs(y[ok] - pred[ok]).mean()) if ok.any() else float("nan")


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of rows whose value falls inside [lo, hi]."""
    ok = _known(y, lo, hi)
    return float(((y[ok] >= lo[ok]) & (y[ok] <= hi[ok])).mean()) if ok.any() else float("nan")


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney statistic (ties count half)."""
    ok = _known(y, score)
    yk, sk = y[ok] > 0.5, score[ok]
    n_pos, n_neg = int(yk.sum()), int((~yk).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(sk)
    return float((ranks[yk].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def delong_ci(y: np.ndarray, score: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """DeLong confidence interval of the AUC (assumes independent rows: a lower bound on width)."""
    ok = _known(y, score)
    yk, sk = y[ok] > 0.5, score[ok]
    pos, neg = sk[yk], sk[~yk]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        return (float("nan"), float("nan"))
    all_ranks = rankdata(np.concatenate([pos, neg]))
    v10 = (all_ranks[:m] - rankdata(pos)) / n
    v01 = 1.0 - (all_ranks[m:] - rankdata(neg)) / m
    value = float(v10.mean())
    se = math.sqrt(float(v10.var(ddof=1)) / m + float(v01.var(ddof=1)) / n)
    z = _z(level)
    return (value - z * se, value + z * se)


def block_bootstrap_auc_ci(
    y: np.ndarray,
    score: np.ndarray,
    block: int,
    n_boot: int = 200,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """AUC interval from a moving-block bootstrap: blocks of `block` consecutive rows keep the
    autocorrelation that overlapping horizons create (DeLong alone would be too narrow)."""
    ok = _known(y, score)
    yk, sk = y[ok], score[ok]
    n = len(yk)
    if n < 2 * block or n_boot < 10:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    n_blocks = math.ceil(n / block)
    offsets = np.arange(block)
    values = []
    for _ in range(n_boot):
        starts = rng.integers(0, n - block + 1, size=n_blocks)
        idx = (starts[:, None] + offsets[None, :]).ravel()[:n]
        values.append(auc(yk[idx], sk[idx]))
    alpha = (1.0 - level) / 2
    lo, hi = np.nanquantile(np.asarray(values), [alpha, 1 - alpha])
    return (float(lo), float(hi))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error of probabilities against 0/1 labels."""
    ok = _known(y, p)
    return float(((p[ok] - y[ok]) ** 2).mean()) if ok.any() else float("nan")


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per probability decile bin: rows, mean predicted, observed frequency."""
    ok = _known(y, p)
    yk, pk = y[ok], p[ok]
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(pk, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = which == b
        if sel.any():
            rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "rows": int(sel.sum()),
                         "predicted": float(pk[sel].mean()), "observed": float(yk[sel].mean())})
    return pd.DataFrame(rows, columns=["bin", "rows", "predicted", "observed"])


def directional_accuracy(realised: np.ndarray, predicted_sign: np.ndarray) -> float:
    """Share of rows with a non-zero predicted sign whose realised move has that sign."""
    ok = _known(realised, predicted_sign) & (predicted_sign != 0) & (realised != 0)
    if not ok.any():
        return float("nan")
    return float((np.sign(realised[ok]) == np.sign(predicted_sign[ok])).mean())


def accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Share of rows where class codes match."""
    ok = _known(y, pred)
    return float((y[ok] == pred[ok]).mean()) if ok.any() else float("nan")


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))
