"""Backtest speed, one run, same candles and signals: tradingia vs vectorbt vs backtesting.py.

    .venv/bin/python benchmarks/bench_backtest.py [--candles 1000000] [--bt-slice 50000]

Candles: 1,000,000 real 5m candles: BTCUSDT, then ETHUSDT, then SOLUSDT (shared data), each
series rescaled to continue from the previous one's last close and stamped on one continuous
5m grid (real returns, one long synthetic-time series). Signals: an SMA(10/30) cross, stop and
target at 1.5x / 3x the 14-candle mean range, entry at the next open, fixed size, 5 bps fees.

- tradingia: `run_backtest` (the whole pandas layer, signal checks included), best of 5 after
  the numba cache is warm; the kernel alone is timed too.
- vectorbt: `Portfolio.from_signals` with `sl_stop` / `tp_stop` (fractions set so the levels
  equal ours), entries shifted to the next candle and filled at its open, best of 5 after a
  JIT warm-up run.
- backtesting.py is too slow for 1M candles: it runs once on the first `--bt-slice` candles
  and its per-candle speed is extrapolated to the full length (stated in the JSON).

Writes benchmarks/results/backtest.json. No assertions: the figures are the output.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from _common import ROOT, SHARED_DATA
from tradingia.backtest import BacktestConfig, CostConfig, SizingConfig, run_backtest

SHARED = SHARED_DATA
OUT = ROOT / "benchmarks/results/backtest.json"
FEE_BPS = 5.0


def load_candles(n: int) -> pd.DataFrame:
    """`n` real 5m candles: BTC, ETH, SOL chained (each rescaled to continue the last)."""
    parts: list[pd.DataFrame] = []
    total = 0
    for name in ("BTCUSDT_5m", "ETHUSDT_5m", "SOLUSDT_5m"):
        frame = pd.read_csv(SHARED / f"{name}.csv.gz", index_col="timestamp", parse_dates=True)
        frame = frame.loc[:, ["open", "high", "low", "close", "volume"]].astype("float64")
        if parts:
            scale = parts[-1]["close"].iloc[-1] / frame["open"].iloc[0]
            frame[["open", "high", "low", "close"]] *= scale
        parts.append(frame.iloc[: n - total])
        total += len(parts[-1])
        if total >= n:
            break
    candles = pd.concat(parts, ignore_index=True)
    if len(candles) < n:
        raise SystemExit(f"only {len(candles)} candles available, asked for {n}")
    candles.index = pd.date_range("2020-01-01", periods=len(candles), freq="5min", tz="UTC",
                                  name="timestamp")
    return candles


def make_signals(candles: pd.DataFrame) -> pd.DataFrame:
    """SMA(10/30) cross; stop / target at 1.5x / 3x the 14-candle mean range."""
    close = candles["close"]
    diff = close.rolling(10).mean() - close.rolling(30).mean()
    rng = (candles["high"] - candles["low"]).rolling(14).mean()
    up = (diff > 0) & (diff.shift(1) <= 0)
    down = (diff < 0) & (diff.shift(1) >= 0)
    d = pd.Series(np.where(up, 1.0, np.where(down, -1.0, 0.0)), index=candles.index)
    sig = pd.DataFrame({"direction": d, "stop_loss": close - d * 1.5 * rng,
                        "take_profit": close + d * 3.0 * rng}).loc[d != 0].dropna()
    return sig.loc[sig.index < candles.index[-1]]


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_tradingia(candles: pd.DataFrame, signals: pd.DataFrame) -> dict[str, Any]:
    from tradingia.backtest import engine, kernel
    from tradingia.backtest.signals_io import normalize_signals, validate_against_candles

    config = BacktestConfig(costs=CostConfig(taker_fee_bps=FEE_BPS, maker_fee_bps=FEE_BPS,
                                             slippage_bps=0.0),
                            sizing=SizingConfig(mode="fixed"), initial_equity=1e12,
                            optimistic_bound=False)
    t0 = time.perf_counter()
    run_backtest(candles.iloc[:1000], signals.loc[signals.index < candles.index[999]], config)
    warm = time.perf_counter() - t0
    seconds, result = best_of(lambda: run_backtest(candles, signals, config), 5)
    with_bound, bounded = best_of(lambda: run_backtest(
        candles, signals, config.model_copy(update={"optimistic_bound": True})), 3)
    sig = normalize_signals(signals)
    arrays = engine._to_arrays(candles, sig, validate_against_candles(sig, candles), config, None)
    kernel_s, _ = best_of(lambda: kernel.simulate(arrays.bars, arrays.sigs, arrays.fine,
                                                  arrays.fparams, arrays.iparams), 5)
    return {
        "seconds": seconds, "candles_per_second": len(candles) / seconds,
        "trades": len(result.trades), "total_pnl": float(result.trades["pnl"].sum()),
        "ambiguous_trades": result.counters["ambiguous"],
        "seconds_kernel_only": kernel_s, "kernel_candles_per_second": len(candles) / kernel_s,
        "seconds_with_optimistic_bound_rerun": with_bound,
        "optimistic_total_pnl": None if bounded.optimistic is None
        else bounded.optimistic.total_pnl,
        "first_call_seconds_1000_candles": warm,
        "what_is_timed": "run_backtest: signal checks, arrays, numba kernel, trades frame, "
                         "equity series (stop first, no optimistic re-run)",
    }


def bench_vectorbt(candles: pd.DataFrame, signals: pd.DataFrame) -> dict[str, Any]:
    import vectorbt as vbt

    pos = candles.index.get_indexer(signals.index) + 1  # filled at the next candle's open
    entry = candles["open"].to_numpy()[pos]
    d = signals["direction"].to_numpy()
    long_e = np.zeros(len(candles), dtype=bool)
    short_e = np.zeros(len(candles), dtype=bool)
    long_e[pos[d > 0]] = True
    short_e[pos[d < 0]] = True
    sl = np.full(len(candles), np.nan)
    tp = np.full(len(candles), np.nan)
    sl[pos] = np.abs(entry - signals["stop_loss"].to_numpy()) / entry
    tp[pos] = np.abs(signals["take_profit"].to_numpy() - entry) / entry
    o, h, lo, c = (candles[k] for k in ("open", "high", "low", "close"))

    def run() -> Any:
        return vbt.Portfolio.from_signals(
            c, entries=long_e, short_entries=short_e, price=o, open=o, high=h, low=lo,
            sl_stop=sl, tp_stop=tp, size=1.0, fees=FEE_BPS / 1e4, init_cash=1e12,
            upon_opposite_entry="ignore", freq="5min")

    t0 = time.perf_counter()
    run()
    warm = time.perf_counter() - t0
    seconds, pf = best_of(run, 5)
    trades = pf.trades.records_readable
    return {
        "version": vbt.__version__, "seconds": seconds,
        "candles_per_second": len(candles) / seconds, "jit_warmup_seconds": warm,
        "trades": len(trades), "total_pnl": float(trades["PnL"].sum()),
        "what_is_timed": "Portfolio.from_signals with sl_stop / tp_stop (default numba engine)",
    }


def bench_backtesting_py(candles: pd.DataFrame, signals: pd.DataFrame,
                         n_slice: int, n_full: int) -> dict[str, Any]:
    import backtesting
    from backtesting import Backtest, Strategy

    part = candles.iloc[:n_slice]
    data = part.rename(columns=str.capitalize).tz_convert(None)
    sig = signals.loc[signals.index < part.index[-1]]
    plan = {ts.tz_convert(None): row for ts, row in sig.iterrows()}

    class Replay(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            pass

        def next(self) -> None:
            row = plan.get(self.data.index[-1])
            if row is None or self.position:
                return
            order = self.buy if row["direction"] > 0 else self.sell
            with contextlib.suppress(ValueError):  # SL / TP vs its last close check
                order(size=1, sl=row["stop_loss"], tp=row["take_profit"])

    bt = Backtest(data, Replay, cash=1e12, commission=FEE_BPS / 1e4, finalize_trades=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        stats = bt.run()
        seconds = time.perf_counter() - t0
    per_candle = seconds / n_slice
    return {
        "version": backtesting.__version__, "slice_candles": n_slice,
        "seconds_on_slice": seconds, "candles_per_second": n_slice / seconds,
        "extrapolated_seconds_full": per_candle * n_full,
        "trades_on_slice": int(stats["# Trades"]),
        "note": f"run once on the first {n_slice} candles (and their signals); the full-length "
                "time is extrapolated per candle, not measured",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=1_000_000)
    parser.add_argument("--bt-slice", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    candles = load_candles(args.candles)
    signals = make_signals(candles)
    ours = bench_tradingia(candles, signals)
    vbt = bench_vectorbt(candles, signals)
    btpy = bench_backtesting_py(candles, signals, args.bt_slice, len(candles))
    result = {
        "benchmark": "backtest engine speed, same candles and signals",
        "command": f".venv/bin/python benchmarks/bench_backtest.py --candles {args.candles} "
                   f"--bt-slice {args.bt_slice}",
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpu_count": os.cpu_count(), "numpy": np.__version__,
                    "pandas": pd.__version__},
        "data": "real 5m candles BTCUSDT -> ETHUSDT -> SOLUSDT (shared data), each rescaled to "
                "continue the previous close, on one continuous 5m grid",
        "candles": len(candles), "signals": len(signals),
        "settings": f"entry next open, fixed size 1, fees {FEE_BPS} bps per fill, no slippage",
        "tradingia": ours, "vectorbt": vbt, "backtesting_py": btpy,
        "ratios": {
            "tradingia_vs_vectorbt_speed": vbt["seconds"] / ours["seconds"],
            "tradingia_vs_backtesting_py_speed":
                btpy["extrapolated_seconds_full"] / ours["seconds"],
        },
    }
    result["targets_met"] = {
        "at_least_vectorbt": result["ratios"]["tradingia_vs_vectorbt_speed"] >= 1.0,
        "at_least_100x_backtesting_py":
            result["ratios"]["tradingia_vs_backtesting_py_speed"] >= 100.0,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
