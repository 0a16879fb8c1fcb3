"""Small hand-made candle sequences and signals for the backtest rules."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tradingia.backtest import BacktestConfig, CostConfig, SizingConfig

Bar = tuple[float, float, float, float]


def make_candles(bars: Sequence[Bar], freq: str = "1h",
                 start: str = "2024-01-01") -> pd.DataFrame:
    """Candles from (open, high, low, close) tuples, one per `freq`."""
    index = pd.date_range(start, periods=len(bars), freq=freq, tz="UTC", name="timestamp")
    frame = pd.DataFrame(list(bars), columns=["open", "high", "low", "close"], index=index,
                         dtype="float64")
    frame["volume"] = 1.0
    return frame


def make_signals(candles: pd.DataFrame, rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    """Signals from dicts with a `bar` (candle position) and the signal columns."""
    records = [{k: v for k, v in r.items() if k != "bar"} for r in rows]
    index = pd.DatetimeIndex([candles.index[int(str(r["bar"]))] for r in rows], name="timestamp")
    return pd.DataFrame(records, index=index)


def exact(**updates: object) -> BacktestConfig:
    """No costs, one unit per trade: R-multiples and P&L are exact."""
    base = BacktestConfig(costs=CostConfig.zero(), sizing=SizingConfig(mode="fixed"))
    return base.model_copy(update=updates)
