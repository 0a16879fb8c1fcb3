"""Signal publishing: when a new candle of a served series has closed, generate its signal,
log it and publish it on `signals:{symbol}` (long and short signals; neutral ones are skipped)."""

from __future__ import annotations

import pandas as pd

from tradingia.core.signal import Direction
from tradingia.core.timeframes import Timeframe
from tradingia.jobs.scheduler import PeriodicJob
from tradingia.services.engine import MLEngine
from tradingia.services.predictor import ModelUnavailableError


def make_signal_job(engine: MLEngine, interval_seconds: float = 15.0) -> PeriodicJob:
    """A PeriodicJob that publishes each loaded model set's signal once per new candle."""
    last: dict[tuple[str, str], pd.Timestamp] = {}

    def run(now: pd.Timestamp) -> object:
        published = []
        for model in engine.predictor.status():
            symbol, tf = str(model["symbol"]), Timeframe.parse(str(model["timeframe"]))
            try:
                signal = engine.predictor.signal(symbol, tf, None)
            except ModelUnavailableError:
                continue
            key = (symbol, tf.value)
            seen = last.get(key)
            if seen is not None and pd.Timestamp(signal.time) <= seen:
                continue
            last[key] = pd.Timestamp(signal.time)
            if signal.direction is Direction.NEUTRAL:
                continue
            message = engine.publish_signal_threadsafe(signal, source="job")
            published.append({"symbol": symbol, "timeframe": tf.value, "id": message["id"],
                              "direction": message["direction"], "time": message["time"]})
        return {"published": published}

    return PeriodicJob("signals", interval_seconds, run)
