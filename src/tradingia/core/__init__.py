"""Domain types, errors and settings; imports nothing else of the project."""

from tradingia.core.candles import CANDLE_COLUMNS, as_candle_frame, empty_candles
from tradingia.core.errors import (
    ConfigError,
    DataValidationError,
    NotFoundError,
    SourceError,
    StoreError,
    TradingiaError,
    UnsupportedError,
)
from tradingia.core.symbols import SYMBOLS, AssetClass, SymbolInfo, get_symbol
from tradingia.core.timeframes import Timeframe

__all__ = [
    "CANDLE_COLUMNS",
    "SYMBOLS",
    "AssetClass",
    "ConfigError",
    "DataValidationError",
    "NotFoundError",
    "SourceError",
    "StoreError",
    "SymbolInfo",
    "Timeframe",
    "TradingiaError",
    "UnsupportedError",
    "as_candle_frame",
    "empty_candles",
    "get_symbol",
]
