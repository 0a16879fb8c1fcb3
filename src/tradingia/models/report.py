"""Per-run report: a markdown scorecard plus PNGs (predicted band over candles, calibration
curve, feature importance). Figures are drawn from the run's own OOS predictions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from tradingia.models.scorecard import Scorecard


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    if frame.empty:
        return "_(none)_\n"
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_band(path: Path, candles: pd.DataFrame, oos: pd.DataFrame, horizon: int,
              rows: int = 400) -> None:
    """Close with the predicted high/low reach (point and 80% band) over the last OOS rows."""
    tail = oos.iloc[-rows:]
    close = candles["close"].reindex(tail.index)
    fig = Figure(figsize=(11, 4.5))
    ax = fig.subplots()
    ax.plot(tail.index, close, color="black", lw=0.8, label="close")
    hi, lo = f"delta_high_{horizon}", f"delta_low_{horizon}"
    if hi in tail and lo in tail:
        ax.plot(tail.index, close * (1 + tail[hi]), color="tab:green", lw=0.7,
                label=f"predicted high, next {horizon}")
        ax.plot(tail.index, close * (1 - tail[lo]), color="tab:red", lw=0.7,
                label=f"predicted low, next {horizon}")
        if f"{hi}_hi" in tail and f"{lo}_hi" in tail:
            ax.fill_between(tail.index, close * (1 + tail[f"{hi}_lo"]),
                            close * (1 + tail[f"{hi}_hi"]), color="tab:green", alpha=0.15)
            ax.fill_between(tail.index, close * (1 - tail[f"{lo}_hi"]),
                            close * (1 - tail[f"{lo}_lo"]), color="tab:red", alpha=0.15)
    ax.set_title(f"Out-of-sample predicted range, horizon {horizon} candles")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_calibration(path: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Observed frequency against mean predicted probability, per TP-first label."""
    fig = Figure(figsize=(5.5, 5))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=0.8, label="perfect")
    for name, table in tables.items():
        if not table.empty:
            ax.plot(table["predicted"], table["observed"], marker="o", ms=3, label=name)
    ax.set_xlabel("predicted P(TP first)")
    ax.set_ylabel("observed frequency")
    ax.set_title("Calibration (out of sample)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_importance(path: Path, gains: Mapping[str, float], title: str, top: int = 20) -> None:
    """Horizontal bars of the top features by total gain."""
    items = sorted(gains.items(), key=lambda kv: kv[1], reverse=True)[:top][::-1]
    fig = Figure(figsize=(7, 0.28 * max(len(items), 4) + 1))
    ax = fig.subplots()
    ax.barh([k for k, _ in items], [v for _, v in items], color="tab:blue")
    ax.set_title(title)
    ax.set_xlabel("total gain")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_report(
    out_dir: Path,
    card: Scorecard,
    oos: pd.DataFrame,
    candles: pd.DataFrame,
    importance: Mapping[str, Mapping[str, float]],
    meta: Mapping[str, Any],
    headline: int,
) -> Path:
    """Write `report.md` and its PNGs into `out_dir`; returns the markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_band(out_dir / "band.png", candles, oos, headline)
    plot_calibration(out_dir / "calibration.png",
                     {k: v for k, v in card.calibration.items() if k.endswith(f"_{headline}")})
    key = f"delta_high_{headline}"
    if key in importance:
        plot_importance(out_dir / "importance.png", importance[key], f"Feature gain, {key}")
    lines = [
        f"# Training run {meta.get('id', '')}",
        "",
        f"- symbol / timeframe: {meta.get('symbol')} {meta.get('timeframe')}",
        f"- train range: {meta.get('train_start')} .. {meta.get('train_end')} "
        f"({meta.get('rows')} rows after warm-up)",
        f"- feature set: {meta.get('feature_set')} ({len(meta.get('features', []))} features, "
        f"hash {meta.get('feature_set_hash')})",
        f"- folds: {meta.get('n_folds')} walk-forward, purge {meta.get('purge')} candles; "
        "scores are out-of-sample only; baselines on the same rows",
        f"- code {meta.get('code_version')}, seconds: {meta.get('seconds')}",
        "",
        "## Range (delta_high / delta_low)",
        "Baselines: `recent` = mean realised value of the last 288 completed windows; "
        "`atr` = ATR(14)/close scaled on each fold's train window. `r2` and `mae` score the "
        "mean forecast, `mae_median` the band's median (the point that minimises absolute "
        "error; the targets are right-skewed).",
        "",
        _table(card.range),
        "### Range width (delta_high + delta_low)",
        "How well the size of the coming range is forecast, whichever way price goes; the gap "
        "between this R² and the sides' is what depends on the up / down split.",
        "",
        _table(card.width),
        "## TP before SL",
        "AUC interval: moving-block bootstrap (block = max(h, 12) rows); DeLong interval "
        "assumes independent rows and is narrower. Brier beside the train-window base rate.",
        "",
        _table(card.tpsl, 3),
        "## Direction (sign of P(long) - P(short)) vs momentum and always-up",
        "",
        _table(card.direction, 3),
        "## Movement magnitude |return_h|",
        "",
        _table(card.magnitude),
        "## AMD next phase (vs persistence of the current phase)",
        "",
        _table(card.amd, 3),
        "## Per fold",
        "",
        _table(card.per_fold, 3),
        "## Figures",
        "",
        "![band](band.png)", "", "![calibration](calibration.png)", "",
        "![importance](importance.png)", "",
    ]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    return path
