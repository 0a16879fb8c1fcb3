"""Performance metrics of a backtest: R-multiples, risk-adjusted returns, drawdowns, splits.

Sharpe and Sortino are annualised by the number of candles per year actually present in the
data (the timeframe's calendar on 24/7 markets, fewer candles for FX / gold sessions).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tradingia.backtest.engine import BacktestResult, candle_step

_YEAR = pd.Timedelta(days=365.25)


def compute_metrics(result: BacktestResult) -> dict[str, Any]:
    """All metrics of one run as a JSON-ready dict (NaN becomes None)."""
    trades, equity = result.trades, result.equity
    index = pd.DatetimeIndex(equity.index)
    step = candle_step(index, pd.Timedelta(0))
    years = max((index[-1] - index[0] + step) / _YEAR, 1e-9) if len(index) else float("nan")
    per_year = len(index) / years if len(index) else float("nan")
    initial = result.config.initial_equity
    out: dict[str, Any] = {
        "span": {"start": _iso(index[0]) if len(index) else None,
                 "end": _iso(index[-1]) if len(index) else None, "candles": len(index),
                 "years": years, "candles_per_year": per_year},
        **trade_stats(trades),
        **equity_stats(equity.to_numpy(), index, initial, per_year, years),
        "exposure": float(trades["candles_held"].sum() / len(index)) if len(index) else 0.0,
        "avg_holding_candles": _mean(trades["candles_held"]),
        "avg_holding_hours": _mean(_hours(trades, step)),
        "ambiguous_trades": result.counters["ambiguous"],
        "resolved_by_finer_candles": result.counters["resolved_by_finer"],
        "optimistic_bound": None if result.optimistic is None else {
            "total_r": result.optimistic.total_r, "total_pnl": result.optimistic.total_pnl,
            "final_equity": result.optimistic.final_equity},
        "signals": result.meta.get("signals"),
        "skipped": {k: v for k, v in result.counters.items()
                    if k not in ("ambiguous", "resolved_by_finer")},
        "exit_reasons": {str(k): int(v) for k, v in
                         trades["exit_reason"].value_counts().sort_index().items()},
        "per_direction": {d: trade_stats(trades.loc[trades["direction"] == d])
                          for d in ("long", "short")},
        "per_month": per_month(trades, equity, initial),
        "buy_and_hold": buy_and_hold(result.candles, per_year, years),
        "config": result.config.model_dump(mode="json"),
    }
    cleaned: dict[str, Any] = json_ready(out)
    return cleaned


def trade_stats(trades: pd.DataFrame) -> dict[str, Any]:
    """Counts, win rate, expectancy and total in R, profit factor, P&L of a set of trades."""
    r = trades["r_multiple"].to_numpy(dtype="float64")
    pnl = trades["pnl"].to_numpy(dtype="float64")
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    loss_sum = -losses.sum()
    return {
        "trades": len(trades),
        "win_rate": float((pnl > 0).mean()) if len(pnl) else None,
        "expectancy_r": float(r.mean()) if len(r) else None,
        "total_r": float(r.sum()),
        "avg_win_r": float(r[pnl > 0].mean()) if len(wins) else None,
        "avg_loss_r": float(r[pnl < 0].mean()) if len(losses) else None,
        "profit_factor": float(wins.sum() / loss_sum) if loss_sum > 0 else None,
        "total_pnl": float(pnl.sum()),
    }


def equity_stats(equity: np.ndarray, index: pd.DatetimeIndex, initial: float,
                 per_year: float, years: float) -> dict[str, Any]:
    """Return, CAGR, Sharpe, Sortino and max drawdown (value, fraction, duration) of a curve."""
    if len(equity) == 0:
        return {"final_equity": initial, "total_return": 0.0}
    curve = np.concatenate(([initial], equity))
    rets = curve[1:] / curve[:-1] - 1.0
    final = float(equity[-1])
    dd = drawdown(equity, index, initial)
    return {
        "final_equity": final,
        "total_return": final / initial - 1.0,
        "cagr": (final / initial) ** (1.0 / years) - 1.0 if final > 0 else -1.0,
        "sharpe": _sharpe(rets, per_year),
        "sortino": _sortino(rets, per_year),
        **dd,
    }


def drawdown(equity: np.ndarray, index: pd.DatetimeIndex, initial: float) -> dict[str, Any]:
    """Deepest fall from a peak (fraction and value) and the longest time under water."""
    peak = np.maximum.accumulate(np.maximum(equity, initial))
    under = equity / peak - 1.0
    deepest = int(np.argmin(under))
    padded = np.diff(np.concatenate(([0], (under < 0).astype("int8"), [0])))
    starts, ends = np.flatnonzero(padded == 1), np.flatnonzero(padded == -1)
    longest, duration = 0, pd.Timedelta(0)
    if len(starts):
        j = int(np.argmax(ends - starts))
        longest = int(ends[j] - starts[j])
        # from the peak (the candle before) to the recovery (or the last candle)
        duration = index[min(int(ends[j]), len(index) - 1)] - index[max(int(starts[j]) - 1, 0)]
    return {
        "max_drawdown": float(-under[deepest]),
        "max_drawdown_value": float(peak[deepest] - equity[deepest]),
        "max_drawdown_duration_candles": longest,
        "max_drawdown_duration_days": duration / pd.Timedelta(days=1),
    }


def per_month(trades: pd.DataFrame, equity: pd.Series, initial: float) -> list[dict[str, Any]]:
    """Trades, R, P&L by exit month, and the equity return of each calendar month."""
    idx = pd.DatetimeIndex(equity.index)
    if len(idx) == 0:
        return []
    months = idx.tz_localize(None).to_period("M")
    last = equity.groupby(months).last()
    prev = last.shift(1)
    prev.iloc[0] = initial
    exits = pd.DatetimeIndex(trades["exit_time"]).tz_localize(None).to_period("M")
    by_trade = trades.groupby(exits).agg(trades=("pnl", "size"), total_r=("r_multiple", "sum"),
                                         pnl=("pnl", "sum"))
    by_trade = by_trade.reindex(last.index, fill_value=0)
    returns = (last / prev - 1.0).to_numpy()
    return [
        {"month": str(month), "trades": int(n), "total_r": float(r), "pnl": float(p),
         "return": float(ret)}
        for month, n, r, p, ret in zip(last.index, by_trade["trades"], by_trade["total_r"],
                                       by_trade["pnl"], returns, strict=True)
    ]


def buy_and_hold(candles: pd.DataFrame, per_year: float, years: float) -> dict[str, Any]:
    """Holding the asset from the first open to the last close of the same span."""
    if len(candles) == 0:
        return {}
    close = candles["close"].to_numpy(dtype="float64")
    first = float(candles["open"].iloc[0])
    curve = close / first
    rets = np.diff(np.concatenate(([1.0], curve)))
    rets = rets / np.concatenate(([1.0], curve[:-1]))
    peak = np.maximum.accumulate(np.maximum(curve, 1.0))
    return {
        "total_return": float(curve[-1] - 1.0),
        "cagr": float(curve[-1] ** (1.0 / years) - 1.0),
        "sharpe": _sharpe(rets, per_year),
        "max_drawdown": float(-(curve / peak - 1.0).min()),
    }


def _sharpe(rets: np.ndarray, per_year: float) -> float | None:
    sd = rets.std(ddof=1) if len(rets) > 1 else 0.0
    return float(rets.mean() / sd * math.sqrt(per_year)) if sd > 0 else None


def _sortino(rets: np.ndarray, per_year: float) -> float | None:
    downside = math.sqrt(float(np.mean(np.minimum(rets, 0.0) ** 2))) if len(rets) else 0.0
    return float(rets.mean() / downside * math.sqrt(per_year)) if downside > 0 else None


def _hours(trades: pd.DataFrame, step: pd.Timedelta) -> pd.Series:
    held = pd.to_timedelta(trades["exit_time"] - trades["entry_time"]) + step
    return pd.Series(held.dt.total_seconds() / 3600.0)


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def json_ready(value: Any) -> Any:
    """`value` with dicts and sequences walked: NumPy scalars as Python ones, NaN and
    infinities as None, keys as strings, anything else not JSON-native as its `str`."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
