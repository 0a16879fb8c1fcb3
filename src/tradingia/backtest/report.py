"""Report files of a backtest: trades.csv, metrics.json, PNG charts and report.html."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tradingia.backtest.engine import TRADE_COLUMNS, BacktestResult

_MAX_POINTS = 4000
_MAX_MARKERS = 2000
_HEADLINE = (
    "trades", "win_rate", "expectancy_r", "total_r", "profit_factor", "total_pnl",
    "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "max_drawdown_value",
    "max_drawdown_duration_days", "exposure", "avg_holding_hours", "ambiguous_trades",
    "resolved_by_finer_candles",
)


def write_report(result: BacktestResult, metrics: dict[str, Any], directory: str | Path,
                 title: str = "Backtest", banner: str | None = None) -> dict[str, Path]:
    """Write trades.csv, metrics.json, equity.png, drawdown.png, trades.png and report.html.

    `banner` is shown in large red letters at the top (e.g. IN-SAMPLE); `metrics["sample"]`
    (what the run is out of sample of) and `metrics["folds"]` (walk-forward folds) get their
    own sections when present.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "trades": out / "trades.csv",
        "metrics": out / "metrics.json",
        "equity": out / "equity.png",
        "drawdown": out / "drawdown.png",
        "chart": out / "trades.png",
        "html": out / "report.html",
    }
    write_trades_csv(result.trades, paths["trades"])
    paths["metrics"].write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    _plot_equity(result, paths["equity"])
    _plot_drawdown(result, paths["drawdown"])
    _plot_trades(result, paths["chart"])
    paths["html"].write_text(_html(title, metrics, result.trades, banner, result.config.intrabar),
                             encoding="utf-8")
    return paths


def write_trades_csv(trades: pd.DataFrame, path: Path) -> None:
    """The trades file: `TRADE_COLUMNS` first (ISO UTC times), then the details."""
    frame = trades.copy()
    for col in ("entry_time", "exit_time", "signal_time"):
        frame[col] = pd.DatetimeIndex(frame[col]).strftime("%Y-%m-%dT%H:%M:%SZ")
    frame.to_csv(path, index=False, columns=[*TRADE_COLUMNS, *frame.columns[len(TRADE_COLUMNS):]])


def _thin(series: pd.Series) -> pd.Series:
    step = max(1, len(series) // _MAX_POINTS)
    return series.iloc[::step]


def _plot_equity(result: BacktestResult, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(11, 4))
    eq = _thin(result.equity)
    ax.plot(eq.index, eq.to_numpy(), label="strategy", color="tab:blue", lw=1.2)
    if len(result.candles):
        first = float(result.candles["open"].iloc[0])
        hold = _thin(result.candles["close"] / first * result.config.initial_equity)
        ax.plot(hold.index, hold.to_numpy(), label="buy and hold", color="tab:gray", lw=0.9)
    ax.set_title("Equity")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_drawdown(result: BacktestResult, path: Path) -> None:
    eq = result.equity
    peak = np.maximum.accumulate(np.maximum(eq.to_numpy(), result.config.initial_equity))
    dd = _thin(pd.Series(eq.to_numpy() / peak - 1.0, index=eq.index))
    fig, ax = plt.subplots(figsize=(11, 2.6))
    ax.fill_between(dd.index, dd.to_numpy() * 100, 0, color="tab:red", alpha=0.4)
    ax.set_title("Drawdown (%)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_trades(result: BacktestResult, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(11, 4.5))
    close = _thin(result.candles["close"])
    ax.plot(close.index, close.to_numpy(), color="black", lw=0.7, label="close")
    trades = result.trades.iloc[: _MAX_MARKERS]
    for side, colour, marker in (("long", "tab:green", "^"), ("short", "tab:red", "v")):
        sel = trades.loc[trades["direction"] == side]
        ax.scatter(sel["entry_time"], sel["entry_price"], color=colour, marker=marker, s=18,
                   label=f"{side} entry", zorder=3)
    ax.scatter(trades["exit_time"], trades["exit_price"], color="tab:blue", marker="x", s=14,
               label="exit", zorder=3)
    ax.set_title("Trades on the chart" + (f" (first {_MAX_MARKERS})"
                                          if len(result.trades) > _MAX_MARKERS else ""))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}"
    return html.escape(str(value))


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _sample_html(metrics: dict[str, Any], banner: str | None) -> str:
    parts = []
    if banner:
        parts.append('<div style="border:4px solid #c00;background:#fee;color:#c00;'
                     'padding:0.5em 1em;margin:1em 0"><h1 style="font-size:2.6em;margin:0.2em 0">'
                     f"{html.escape(banner)}</h1></div>")
    sample = metrics.get("sample")
    if isinstance(sample, dict):
        parts.append("<h2>What is out of sample</h2>" + _table(list(sample.items())))
    folds = metrics.get("folds")
    if isinstance(folds, list) and folds:
        parts.append("<h2>Walk-forward folds</h2>"
                     + pd.DataFrame(folds).to_html(index=False,
                                                   float_format=lambda v: f"{v:,.4f}"))
    return "\n".join(parts)


def _html(title: str, metrics: dict[str, Any], trades: pd.DataFrame,
          banner: str | None = None, intrabar: str = "stop_first") -> str:
    first = "target" if intrabar == "target_first" else "stop"
    headline = _table([(k, metrics.get(k)) for k in _HEADLINE])
    bound = metrics.get("optimistic_bound") or {}
    extra = _table([
        ("optimistic bound total R (targets first when ambiguous)", bound.get("total_r", "-")),
        ("buy and hold return", metrics.get("buy_and_hold", {}).get("total_return")),
        ("buy and hold max drawdown", metrics.get("buy_and_hold", {}).get("max_drawdown")),
        *[(f"skipped: {k}", v) for k, v in metrics.get("skipped", {}).items()],
    ])
    direction = _table([(f"{d}: {k}", v) for d, stats in metrics["per_direction"].items()
                        for k, v in stats.items()])
    months = pd.DataFrame(metrics.get("per_month", []))
    month_html = months.to_html(index=False, float_format=lambda v: f"{v:,.4f}") \
        if len(months) else "<p>no candles</p>"
    trades_html = trades.head(200).to_html(index=False, float_format=lambda v: f"{v:,.6g}")
    span = metrics.get("span", {})
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;
margin:1em 0}}th,td{{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}}
th{{background:#f4f4f4;text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1>
{_sample_html(metrics, banner)}
<p>{span.get('start')} .. {span.get('end')}, {span.get('candles')} candles. Entries at the next
candle's open; {first} first when stop and target share a candle (unless finer candles settle it).
</p>
<h2>Summary</h2>{headline}{extra}
<img src="equity.png" alt="equity"><img src="drawdown.png" alt="drawdown">
<img src="trades.png" alt="trades">
<h2>By direction</h2>{direction}
<h2>By month</h2>{month_html}
<h2>Trades (first 200; all in trades.csv)</h2>{trades_html}
</body></html>
"""
