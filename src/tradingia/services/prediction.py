"""Prediction use case: promoted models over candles (stored, or from a file) -> one row per
candle after the warm-up, with range, TP-first probabilities, direction, confidence, AMD phase.

Features at a row are built from candles up to that row only (the feature builder is causal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tradingia.core.errors import DataValidationError
from tradingia.core.settings import Settings, get_settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.models.level1 import ModelSet
from tradingia.models.pipeline import predict_candles
from tradingia.services.training import model_registry
from tradingia.signals import DEFAULT_PRESET, SignalGenerator


@dataclass(frozen=True, slots=True)
class PredictOutcome:
    """The prediction frame, where it was written, and which model version made it."""

    frame: pd.DataFrame
    out: Path | None
    model_id: str


def prediction_frame(model_set: ModelSet, candles: pd.DataFrame, symbol: str,
                     timeframe: Timeframe, preset: str = DEFAULT_PRESET) -> pd.DataFrame:
    """The CSV columns of `predict`: `timestamp`, per horizon range and P(TP-first), then
    `direction`, `confidence`, `amd_phase` (empty without an AMD model)."""
    preds = predict_candles(model_set, candles, timeframe)
    version = str(model_set.metadata.get("id", "unregistered"))
    gen = SignalGenerator(symbol, timeframe, preset, {"level1": version})
    decisions = gen.decisions(preds, candles)
    cols: dict[str, pd.Series] = {}
    for h in model_set.config.horizons:
        for name in (f"delta_high_{h}", f"delta_low_{h}", f"p_tp_first_long_{h}",
                     f"p_tp_first_short_{h}"):
            if name in preds.columns:
                cols[name] = preds[name]
    cols["direction"] = decisions["direction"]
    cols["confidence"] = decisions["confidence"]
    cols["amd_phase"] = (preds["amd_phase"] if "amd_phase" in preds.columns
                         else pd.Series("", index=preds.index))
    frame = pd.DataFrame(cols, index=preds.index)
    frame.index.name = "timestamp"
    return frame


def load_candles(symbol: str, timeframe: Timeframe, data: Path | None,
                 settings: Settings) -> pd.DataFrame:
    """Candles from a file (validated where they enter) or from the store."""
    if data is not None:
        from tradingia.data.sources import read_candle_file

        candles = read_candle_file(data, timeframe)
    else:
        from tradingia.services.market_data import candle_store, require_series

        with candle_store(settings) as store:
            require_series(store, symbol, timeframe)
            candles = store.read(symbol, timeframe)
    if candles.empty:
        raise DataValidationError(f"no {symbol} {timeframe} candles to predict on")
    return candles


def predict(
    symbol: str,
    timeframe: Timeframe,
    data: Path | None = None,
    out: Path | None = None,
    settings: Settings | None = None,
    version: str | None = None,
    preset: str = DEFAULT_PRESET,
) -> PredictOutcome:
    """Run the promoted (or given) model version of a series; write a CSV when `out` is set."""
    settings = settings or get_settings()
    name = get_symbol(symbol).name
    registry = model_registry(settings)
    entry = registry.get(name, timeframe, version) if version else registry.promoted(
        name, timeframe)
    model_set = registry.load(name, timeframe, entry.version)
    candles = load_candles(name, timeframe, data, settings)
    frame = prediction_frame(model_set, candles, name, timeframe, preset)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, date_format="%Y-%m-%dT%H:%M:%SZ", float_format="%.6g")
    return PredictOutcome(frame=frame, out=out, model_id=entry.id)
