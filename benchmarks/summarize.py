"""Render benchmarks/results/*.json as Markdown into README.md, between the figure markers.

    .venv/bin/python benchmarks/summarize.py          # rewrite the README block
    .venv/bin/python benchmarks/summarize.py --print  # only print it

Numbers in the README come from here, never typed in (DESIGN.md, rule 5).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _store(d: dict[str, Any]) -> str:
    rows = [
        ["DuckDB (embedded)", f"{d['duckdb']['import']['seconds']:.2f}",
         f"{d['duckdb']['reimport_unchanged']['seconds']:.2f}",
         f"{d['duckdb']['read']['seconds']:.2f}"],
        ["PostgreSQL (server, COPY, partitioned)", f"{d['postgres']['import']['seconds']:.2f}",
         f"{d['postgres']['reimport_unchanged']['seconds']:.2f}",
         f"{d['postgres']['read']['seconds']:.2f}"],
        ["peer: Parquet (pyarrow) write / read", f"{d['files']['parquet_write']['seconds']:.2f}",
         "-", f"{d['files']['parquet_read']['seconds']:.2f}"],
        ["peer: CSV (pandas) write / read", f"{d['files']['csv_write']['seconds']:.2f}", "-",
         f"{d['files']['csv_read']['seconds']:.2f}"],
    ]
    res = d["resample"]
    return (
        f"**Store** — {d['data']['rows']:,} {d['data']['timeframe']} candles "
        f"({d['data']['kind']}); seconds, best of runs:\n\n"
        + _table(["store", "import", "re-import unchanged", "read back"], rows)
        + f"\n\nResample 1m→5m: tradingia {res['ours']['seconds']:.3f} s vs pandas "
        f"{res['pandas']['seconds']:.3f} s (ratio {d['ratios']['resample_ours_vs_pandas']}, "
        f"same result: {res['same_result']})."
    )


def _features(d: dict[str, Any]) -> str:
    t = d["build_features"]["timing"]
    peer = d["indicators_vs_pandas_ta_classic"]
    return (
        f"**Features** — {d['data']['rows']:,} real 5m candles: `full` set "
        f"({d['feature_sets']['full']['columns']} columns) {t['full']['best_s']:.2f} s, peak "
        f"{d['build_features']['full_peak_mib']:,.0f} MiB; structure alone "
        f"{d['structure_amd']['structure']['timing']['best_s']:.2f} s. Same indicators: TA-Lib "
        f"{peer['talib_same_indicators']['best_s']:.3f} s vs pandas-ta-classic "
        f"{peer['pandas_ta_classic']['total_s']:.2f} s "
        f"(**{peer['ratio_pandas_ta_over_talib']}x**)."
    )


def _backtest(d: dict[str, Any]) -> str:
    rows = [
        ["tradingia", f"{d['tradingia']['seconds']:.3f}",
         f"{d['tradingia']['candles_per_second'] / 1e6:.1f} M", "1"],
        [f"vectorbt {d['vectorbt']['version']} (after JIT warm-up)",
         f"{d['vectorbt']['seconds']:.2f}", f"{d['vectorbt']['candles_per_second'] / 1e6:.2f} M",
         f"{d['ratios']['tradingia_vs_vectorbt_speed']:.0f}x slower"],
        [f"backtesting.py {d['backtesting_py']['version']} (per-candle rate on a "
         f"{d['backtesting_py']['slice_candles']:,} slice)",
         f"{d['backtesting_py']['extrapolated_seconds_full']:.1f}",
         f"{d['backtesting_py']['candles_per_second'] / 1e3:.0f} k",
         f"{d['ratios']['tradingia_vs_backtesting_py_speed']:.0f}x slower"],
    ]
    return (f"**Backtest** — {d['candles']:,} candles, {d['signals']:,} signals, same stops:\n\n"
            + _table(["engine", "seconds", "candles/s", "vs tradingia"], rows))


def _models(d: dict[str, Any]) -> str:
    rows = []
    for r in d["results"]:
        h = r["headline"]
        hi, lo = h["delta_high_12"], h["delta_low_12"]
        tpl = h["tp_first_long_12"]
        rows.append([
            r["symbol"], f"{r['first'][:10]} .. {r['last'][:10]}",
            f"{hi['r2']:.3f} ({hi['r2_atr']:.3f})", f"{lo['r2']:.3f} ({lo['r2_atr']:.3f})",
            f"{h['width_12']['r2']:.3f}" if "width_12" in h else "",
            f"{hi['mae_median_gain_vs_recent']:+.1%} / {lo['mae_median_gain_vs_recent']:+.1%}",
            f"{hi['mae_gain_vs_recent']:+.1%} / {lo['mae_gain_vs_recent']:+.1%}",
            f"{tpl['auc']:.3f} [{tpl['auc_lo']:.3f}, {tpl['auc_hi']:.3f}]",
            f"{r['train_seconds']:.0f}", f"{r['predict_seconds']:.1f}",
        ])
    return ("**Models** — out of sample, walk-forward (purged), 5m candles:\n\n" + _table(
        ["symbol", "span", "R² Δhigh₁₂ (ATR baseline)", "R² Δlow₁₂ (ATR baseline)",
         "R² width₁₂ (high + low)",
         "MAE gain vs recent range, median forecast (high / low)",
         "same, mean forecast", "TP-first AUC long₁₂ [95% CI]", "train s",
         f"predict {d['results'][0]['predict_candles']:,} s"], rows))


def _api(d: dict[str, Any]) -> str:
    rows = []
    for key, label in (("cached", "cached, closed loop"),
                       ("cached_at_target_rate", "cached, paced"), ("uncached", "uncached")):
        r = d.get(key)
        if r:
            rows.append([label, str(r["clients"]), f"{r['requests_per_second']:,.0f}",
                         f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}"])
    return ("**API** — `POST /api/v1/predictions` on loopback:\n\n"
            + _table(["run", "clients", "req/s", "p50 ms", "p99 ms"], rows))


SECTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "store": _store, "features": _features, "backtest": _backtest, "models": _models,
    "api": _api,
}


def render() -> str:
    """The Markdown block: one paragraph or table per benchmark that has results."""
    parts = []
    for name, fn in SECTIONS.items():
        data = _load(name)
        if data is None:
            parts.append(f"**{name}** — not run yet (`python benchmarks/bench_{name}.py`).")
            continue
        command = data.get("command", f"python benchmarks/bench_{name}.py")
        parts.append(fn(data) + f"\n\n<sub>`{command}` → benchmarks/results/{name}.json</sub>")
    return "\n\n".join(parts)


def main() -> None:
    """Print the block, or write it into README.md between the markers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    block = render()
    if args.print:
        print(block)
        return
    readme = ROOT / "README.md"
    text = readme.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{START}\n{block}\n{END}{tail}")


if __name__ == "__main__":
    main()
