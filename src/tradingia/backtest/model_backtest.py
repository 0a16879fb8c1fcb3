"""Backtests of model signals, honest about what the models saw.

- `promoted_backtest`: one fitted model set over the candles after its training data
  (`out_of_sample_start`); a span entirely inside the training data is refused unless the
  caller asks for an in-sample run, which is labelled as such.
- `walk_forward_model_backtest`: fold models fit (by an injected `fit`, e.g. the training
  pipeline) on the candles before each test window, `purge` candles apart, so the stitched
  equity curve is out of sample end to end.

Both return the run plus a `sample` dict (what was out of sample) for metrics and reports.
Nothing here reads settings or stores: candles and models are handed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tradingia.backtest.config import BacktestConfig
from tradingia.backtest.engine import BacktestResult, run_backtest
from tradingia.backtest.model_signals import (
    FoldSignalMaker,
    ModelFitter,
    longest_horizon,
    model_signals,
    out_of_sample_start,
    train_end,
)
from tradingia.backtest.walkforward import FoldDone, walk_forward_backtest
from tradingia.core.errors import ConfigError, NotFoundError
from tradingia.core.timeframes import Timeframe
from tradingia.models.level1 import ModelSet

IN_SAMPLE_BANNER = "IN-SAMPLE: the models were trained on these candles — not evidence of skill"


@dataclass(frozen=True, slots=True)
class ModelRun:
    """A model-signal backtest, what was out of sample, and the walk-forward folds if any."""

    result: BacktestResult
    sample: dict[str, Any]
    folds: list[dict[str, Any]] = field(default_factory=list)
    banner: str | None = None


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def promoted_backtest(
    model_set: ModelSet,
    history: pd.DataFrame,
    symbol: str,
    timeframe: Timeframe,
    preset: str,
    config: BacktestConfig,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    in_sample: bool = False,
    finer_candles: pd.DataFrame | None = None,
) -> ModelRun:
    """Trade `model_set`'s signals on `history` (all candles before `end`, the earlier ones
    warm the features up) from `start`, or from its first out-of-sample candle."""
    meta: Mapping[str, Any] = model_set.metadata
    index = pd.DatetimeIndex(history.index)
    oos = out_of_sample_start(meta, index)
    model_id = str(meta.get("id", "unregistered"))
    begin = traded_from(meta, index, start=start, end=end, in_sample=in_sample)
    candles = history.loc[index >= begin] if begin is not None else history
    if len(candles) == 0:
        raise NotFoundError(f"No {symbol} {timeframe} candles from {begin}: widen --from/--to.")
    signals = model_signals(model_set, history, symbol, timeframe, preset, start=candles.index[0])
    result = run_backtest(candles, signals, config, finer_candles=finer_candles)
    seen = int((candles.index < oos).sum()) if oos is not None else len(candles)
    sample = {
        "mode": "in_sample" if in_sample else "out_of_sample",
        "out_of_sample": not in_sample or seen == 0,
        "model_id": model_id, "preset": preset,
        "train_start": str(meta.get("train_start")), "train_end": _iso(train_end(meta)),
        "longest_horizon": longest_horizon(meta),
        "out_of_sample_from": _iso(oos), "backtest_from": _iso(candles.index[0]),
        "in_sample_candles": seen,
        "note": (f"{seen} of {len(candles)} candles were inside the model set's training data."
                 if in_sample else
                 "Only candles after the model set's training data (its last training row plus "
                 "the longest horizon its targets read) are traded."),
    }
    return ModelRun(result=result, sample=sample,
                    banner=IN_SAMPLE_BANNER if in_sample and seen else None)


def traded_from(meta: Mapping[str, Any], index: pd.DatetimeIndex, *,
                start: pd.Timestamp | None = None, end: pd.Timestamp | None = None,
                in_sample: bool = False) -> pd.Timestamp | None:
    """The first candle `promoted_backtest` trades: `start` (or the first of `index`), moved
    to the first out-of-sample candle unless `in_sample`. Raises ConfigError when the span
    lies inside the training data (and `in_sample` is off)."""
    first = start if start is not None else (index[0] if len(index) else None)
    if in_sample:
        return first
    oos = out_of_sample_start(meta, index)
    _refuse_in_sample(str(meta.get("id", "unregistered")), meta, oos, start, end)
    return oos if first is None or oos is None or first < oos else first


def _refuse_in_sample(model_id: str, meta: Mapping[str, Any], oos: pd.Timestamp | None,
                      start: pd.Timestamp | None, end: pd.Timestamp | None) -> None:
    trained = f"{model_id} was trained on candles up to {_iso(train_end(meta))}"
    hint = ("backtest later candles, train with `tradingia train --until DATE`, use "
            "--walk-forward (fold models, all out of sample), or pass --in-sample for a "
            "labelled in-sample run.")
    if end is not None and (oos is None or end <= oos):
        first = _iso(oos) if oos is not None else "after the stored candles"
        raise ConfigError(f"The requested span ({_iso(start) or 'start'} .. {_iso(end)}) lies "
                          f"inside the training data: {trained}; the first out-of-sample "
                          f"candle is {first}. To test it, {hint}")
    if oos is None:
        raise ConfigError(f"No out-of-sample candle: {trained} (+{longest_horizon(meta)} "
                          f"candles of targets), which covers every stored candle; {hint}")


def walk_forward_model_backtest(
    candles: pd.DataFrame,
    fit: ModelFitter,
    splits: list[tuple[slice, slice]],
    symbol: str,
    timeframe: Timeframe,
    preset: str,
    config: BacktestConfig,
    *,
    purge: int,
    finer_candles: pd.DataFrame | None = None,
    n_jobs: int = 1,
    on_fold: FoldDone | None = None,
) -> ModelRun:
    """Fit per fold with `fit` on the train slice, signal and trade its test slice; equity
    carries over. `splits` are positional (train, test) slices `purge` candles apart."""
    maker = FoldSignalMaker(candles, fit, symbol, timeframe, preset)
    wf = walk_forward_backtest(candles, maker, lambda _n: splits, config,
                               finer_candles=finer_candles, n_jobs=n_jobs, on_fold=on_fold)
    index = pd.DatetimeIndex(candles.index)
    folds: list[dict[str, Any]] = []
    equity = config.initial_equity
    for number, ((train, test), fold) in enumerate(zip(splits, wf.folds, strict=True)):
        final = float(fold.equity.iloc[-1]) if len(fold.equity) else equity
        folds.append({
            "fold": number, "train_start": _iso(index[train.start]),
            "train_end": _iso(index[train.stop - 1]), "train_candles": train.stop - train.start,
            "purge_candles": test.start - train.stop, "test_start": _iso(index[test.start]),
            "test_end": _iso(index[test.stop - 1]), "test_candles": len(fold.candles),
            "trades": len(fold.trades), "total_r": float(fold.trades["r_multiple"].sum()),
            "return": final / equity - 1.0,
        })
        equity = final
    sample = {
        "mode": "walk_forward", "out_of_sample": True, "preset": preset,
        "folds": len(splits), "purge_candles": purge,
        "backtest_from": folds[0]["test_start"], "backtest_to": folds[-1]["test_end"],
        "note": ("Walk-forward: each test window is traded with models trained only on "
                 f"candles before it, {purge} candles (the longest horizon) apart; the whole "
                 "equity curve is out of sample."),
    }
    return ModelRun(result=wf.combined, sample=sample, folds=folds)
