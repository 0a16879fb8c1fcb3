"""Model outputs -> backtest signals, and where a model set's out-of-sample candles begin.

A registered model set records `train_end`: the last candle whose targets it learnt. Those
targets read up to the longest horizon further, so the candles the set saw end
`longest_horizon(metadata)` candles after `train_end`; the first candle after that is the first
one it never saw (`out_of_sample_start`). Backtesting earlier candles is in-sample.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradingia.core.errors import DataValidationError
from tradingia.core.signal import Direction, Signal
from tradingia.core.timeframes import Timeframe
from tradingia.models.level1 import ModelSet
from tradingia.models.pipeline import predict_candles
from tradingia.signals import SignalGenerator

ModelFitter = Callable[[pd.DataFrame], ModelSet]
"""Fits a model set on a training slice of candles (e.g. the training pipeline)."""


def longest_horizon(metadata: Mapping[str, Any]) -> int:
    """The furthest candle a model set's targets look ahead (its purge), from its metadata."""
    horizons = [int(h) for h in metadata.get("horizons") or []]
    purge = int(metadata.get("purge") or 0)
    return max([*horizons, purge, 0])


def train_end(metadata: Mapping[str, Any]) -> pd.Timestamp | None:
    """The last training row of a model set (UTC), or None when the metadata lacks it."""
    value = metadata.get("train_end")
    if not value:
        return None
    ts = pd.Timestamp(str(value))
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def out_of_sample_start(metadata: Mapping[str, Any],
                        index: pd.DatetimeIndex) -> pd.Timestamp | None:
    """First candle of `index` the model set never saw (its features, targets or `until`).

    None when every candle of `index` is inside the training data; the first candle when the
    metadata says nothing about the training range (nothing to protect).
    """
    end = train_end(metadata)
    if end is None or len(index) == 0:
        return index[0] if len(index) else None
    pos = int(index.searchsorted(end, side="right")) + longest_horizon(metadata)
    until = metadata.get("until")
    if until:
        cut = pd.Timestamp(str(until))
        cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
        pos = max(pos, int(index.searchsorted(cut, side="left")))
    return index[pos] if pos < len(index) else None


def signals_frame(signals: Sequence[Signal]) -> pd.DataFrame:
    """`Signal`s as a backtest signals frame: `direction`, `stop_loss`, `take_profit`,
    `take_profit_2`, ... indexed by `timestamp` (neutral signals dropped)."""
    rows: list[dict[str, Any]] = []
    for sig in signals:
        if sig.direction is Direction.NEUTRAL or sig.stop_loss is None:
            continue
        row: dict[str, Any] = {"timestamp": sig.time, "direction": str(sig.direction),
                               "stop_loss": float(sig.stop_loss)}
        for i, tp in enumerate(sig.take_profits):
            row["take_profit" if i == 0 else f"take_profit_{i + 1}"] = float(tp)
        row.setdefault("take_profit", np.nan)
        rows.append(row)
    if not rows:
        frame = pd.DataFrame(columns=["direction", "stop_loss", "take_profit"],
                             index=pd.DatetimeIndex([], tz="UTC", name="timestamp"))
        return frame.astype({"stop_loss": "float64", "take_profit": "float64"})
    return pd.DataFrame(rows).set_index("timestamp")


def model_signals(
    model_set: ModelSet,
    candles: pd.DataFrame,
    symbol: str,
    timeframe: Timeframe,
    preset: str,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Signals of `model_set` with `preset` for candles in [start, end].

    Features are built on all of `candles` (causal: earlier candles only warm them up), so
    pass the history before `start` too.
    """
    preds = predict_candles(model_set, candles, timeframe)
    index = pd.DatetimeIndex(preds.index)
    keep = np.ones(len(index), dtype=bool)
    if start is not None:
        keep &= index >= start
    if end is not None:
        keep &= index <= end
    version = str(model_set.metadata.get("id", "unregistered"))
    generator = SignalGenerator(symbol, timeframe, preset, {"level1": version})
    return signals_frame(generator.generate(preds.loc[keep], candles))


@dataclass(frozen=True)
class FoldSignalMaker:
    """`make_signals(train, test)` for `walk_forward_backtest`: fit on the train slice, then
    signal the test slice with the fold's own models (history before the test slice warms the
    features up). Picklable when `fit` is, so folds run in worker processes."""

    candles: pd.DataFrame
    fit: ModelFitter
    symbol: str
    timeframe: Timeframe
    preset: str

    def __call__(self, train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
        """Signals stamped inside `test`, from a model set that never saw `test`."""
        model_set = self.fit(train)
        index = pd.DatetimeIndex(self.candles.index)
        unseen = out_of_sample_start(model_set.metadata, index)
        if unseen is None or unseen > test.index[0]:
            raise DataValidationError(
                f"Fold model trained up to {train_end(model_set.metadata)} (+"
                f"{longest_horizon(model_set.metadata)} candles of targets), so its first "
                f"unseen candle is {unseen if unseen is not None else 'after the data'}, past "
                f"its test start {test.index[0]}: the walk-forward split leaks; purge at "
                "least the horizon.")
        lo = int(index.searchsorted(train.index[0], side="left"))
        hi = int(index.searchsorted(test.index[-1], side="right"))
        return model_signals(model_set, self.candles.iloc[lo:hi], self.symbol, self.timeframe,
                             self.preset, start=test.index[0], end=test.index[-1])
