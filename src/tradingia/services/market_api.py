"""Market-data and indicator use cases of the API: candles, sync, last candles, indicators.

Thin wrappers over `services.market_data` and `tradingia.features` that open the configured
store for one call and return JSON-ready values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tradingia.core.errors import ConfigError, NotFoundError, UnsupportedError
from tradingia.core.settings import Settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe

MAX_CANDLES = 5000
SNAPSHOT_ROWS = 2000


def _market_data() -> Any:
    """`services.market_data`, imported on first use (it pulls in the whole data layer)."""
    try:
        from tradingia.services import market_data
    except ImportError as exc:
        raise ConfigError(f"The market-data layer is not available in this build: {exc}") from exc
    return market_data


def _iso(ts: Any) -> str:
    return pd.Timestamp(ts).isoformat()


def _num(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"timestamp": _iso(ts), **{str(c): _num(v) for c, v in row.items()}}
            for ts, row in zip(frame.index, frame.to_dict("records"), strict=True)]


def read_candles(
    settings: Settings, symbol: str, timeframe: Timeframe,
    start: pd.Timestamp | None, end: pd.Timestamp | None, limit: int = 1000,
) -> dict[str, Any]:
    """Stored candles in [start, end), the last `limit` of them (at most 5,000)."""
    name = get_symbol(symbol).name
    market_data = _market_data()
    with market_data.candle_store(settings) as store:
        market_data.require_series(store, name, timeframe)
        frame = store.read(name, timeframe, start, end)
    frame = frame.iloc[-min(limit, MAX_CANDLES):]
    return {"symbol": name, "timeframe": timeframe.value, "count": len(frame),
            "candles": _frame_rows(frame)}


def read_range(
    settings: Settings, symbol: str, timeframe: Timeframe, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Stored candles of one series in [start, end) (empty when none)."""
    market_data = _market_data()
    with market_data.candle_store(settings) as store:
        frame: pd.DataFrame = store.read(symbol, timeframe, start, end)
    return frame


def sync_now(
    settings: Settings, symbol: str, timeframe: Timeframe, now: pd.Timestamp
) -> dict[str, Any]:
    """Fetch what the store lacks for one series from the configured venue, now."""
    market_data = _market_data()
    with market_data.candle_store(settings) as store:
        report = market_data.sync_series(store, symbol, timeframe, now=now,
                                         source_name=settings.sync_source, settings=settings)
    out: dict[str, Any] = report.to_dict()
    return out


def last_candles(settings: Settings, now: pd.Timestamp) -> list[dict[str, Any]]:
    """Every stored series with its last candle and that candle's age at `now`, in seconds."""
    market_data = _market_data()
    with market_data.candle_store(settings) as store:
        series = store.series()
    return [{"symbol": s.symbol, "timeframe": s.timeframe.value, "last": _iso(s.last),
             "rows": s.rows,
             "age_seconds": (now - (s.last + s.timeframe.delta)).total_seconds()}
            for s in series]


def _window(
    settings: Settings, name: str, timeframe: Timeframe, start: pd.Timestamp | None,
    end: pd.Timestamp | None, warmup: int,
) -> pd.DataFrame:
    market_data = _market_data()
    with market_data.candle_store(settings) as store:
        market_data.require_series(store, name, timeframe)
        if start is None:
            frame: pd.DataFrame = store.read(name, timeframe, None, end)
            return frame.iloc[-(SNAPSHOT_ROWS + warmup):]
        frame = store.read(name, timeframe, start - warmup * timeframe.delta, end)
    return frame


def indicators(
    settings: Settings, symbol: str, timeframe: Timeframe, names: Sequence[str],
    start: pd.Timestamp | None, end: pd.Timestamp | None, limit: int = 500,
) -> dict[str, Any]:
    """Named feature columns over [start, end), computed with enough warm-up candles before."""
    from tradingia.features import build_features, get_feature_set

    if not names:
        raise UnsupportedError("Name at least one indicator (e.g. names=rsi_14,atr_10).")
    name = get_symbol(symbol).name
    fset = get_feature_set(list(names))
    warmup = fset.settle_rows(timeframe)
    candles = _window(settings, name, timeframe, start, end, warmup)
    if candles.empty:
        raise NotFoundError(f"No {name} {timeframe.value} candles in that range.")
    features = build_features(candles, fset, timeframe=timeframe)
    if start is not None:
        features = features.loc[features.index >= start]
    features = features.iloc[-min(limit, MAX_CANDLES):]
    return {"symbol": name, "timeframe": timeframe.value, "names": list(fset.columns),
            "count": len(features), "rows": _frame_rows(features)}


def group_snapshot(
    settings: Settings, symbol: str, timeframe: Timeframe, group: str
) -> dict[str, Any]:
    """The last candle's columns of one feature group (e.g. 'amd', 'structure')."""
    from tradingia.features import build_features, catalogue, get_feature_set

    columns = [c for c, g in catalogue().items() if g.name == group]
    if not columns:
        raise NotFoundError(f"The {group!r} feature group is not available in this build.")
    name = get_symbol(symbol).name
    fset = get_feature_set(columns)
    candles = _window(settings, name, timeframe, None, None, fset.settle_rows(timeframe))
    if candles.empty:
        raise NotFoundError(f"No {name} {timeframe.value} candles stored.")
    features = build_features(candles, fset, timeframe=timeframe)
    last = features.iloc[-1]
    return {"symbol": name, "timeframe": timeframe.value, "time": _iso(features.index[-1]),
            "values": {str(c): _num(v) for c, v in last.items()}}
