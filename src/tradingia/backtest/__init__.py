"""Backtesting: a numba kernel on candle arrays, a thin pandas layer, metrics and reports."""

from tradingia.backtest.config import BacktestConfig, CostConfig, ExitConfig, SizingConfig
from tradingia.backtest.engine import TRADE_COLUMNS, BacktestResult, OptimisticBound, run_backtest
from tradingia.backtest.signals_io import normalize_signals, read_signals_csv

__all__ = [
    "TRADE_COLUMNS",
    "BacktestConfig",
    "BacktestResult",
    "CostConfig",
    "ExitConfig",
    "OptimisticBound",
    "SizingConfig",
    "normalize_signals",
    "read_signals_csv",
    "run_backtest",
]
