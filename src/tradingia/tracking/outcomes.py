"""Outcome resolution: once a prediction's horizon has passed, compare it with what happened.

`score_prediction` is pure (a logged prediction and the candles after it); `resolve_due` finds
the predictions whose horizon has passed, reads their candles through the function it is
handed, and writes `prediction_outcomes`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from tradingia.core.timeframes import Timeframe
from tradingia.tracking.tables import TrackingTables

ReadCandles = Callable[[str, Timeframe, pd.Timestamp, pd.Timestamp], pd.DataFrame]


def utc(value: Any) -> pd.Timestamp:
    """A UTC timestamp from a datetime that may come back naive (SQLite)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def outcome_window(
    candle_time: pd.Timestamp, timeframe: Timeframe, horizon: int
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of the `horizon` candles after the candle a prediction was made on."""
    start = candle_time + timeframe.delta
    return start, start + horizon * timeframe.delta


def _opt(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def score_prediction(prediction: dict[str, Any], future: pd.DataFrame) -> dict[str, Any] | None:
    """Realised high / low / return over the horizon vs predicted; None until it is complete."""
    horizon = int(prediction["horizon"])
    if len(future) < horizon:
        return None
    window = future.iloc[:horizon]
    high, low = float(window["high"].max()), float(window["low"].min())
    ref = _opt(prediction.get("reference_close"))
    ret = None if not ref else float(window["close"].iloc[-1]) / ref - 1.0
    p_high, p_low = _opt(prediction.get("predicted_high")), _opt(prediction.get("predicted_low"))
    direction = prediction.get("direction")
    direction_hit = None
    if ret is not None and direction in ("long", "short"):
        direction_hit = ret > 0 if direction == "long" else ret < 0
    range_hit = None
    if p_high is not None and p_low is not None:
        range_hit = p_low <= low and high <= p_high
    return {
        "prediction_id": prediction["id"],
        "symbol": prediction["symbol"],
        "horizon": horizon,
        "realised_high": high,
        "realised_low": low,
        "realised_return": ret,
        "high_error": None if p_high is None else high - p_high,
        "low_error": None if p_low is None else low - p_low,
        "range_hit": range_hit,
        "direction_hit": direction_hit,
    }


@dataclass(frozen=True, slots=True)
class ResolveReport:
    """What one resolution pass did."""

    resolved: int
    waiting: int

    def to_dict(self) -> dict[str, int]:
        """JSON-ready summary for the job log."""
        return {"resolved": self.resolved, "waiting": self.waiting}


def resolve_due(
    engine: sa.Engine, tables: TrackingTables, read_candles: ReadCandles, now: pd.Timestamp,
    limit: int = 500,
) -> ResolveReport:
    """Resolve up to `limit` unresolved predictions whose horizon has passed at `now`."""
    preds = tables.predictions
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(preds).where(preds.c.resolved.is_(False), preds.c.candle_time < now)
            .order_by(preds.c.candle_time).limit(limit)
        ).mappings().all()
    resolved = waiting = 0
    for row in rows:
        pred = dict(row)
        tf = Timeframe.parse(pred["timeframe"])
        start, end = outcome_window(utc(pred["candle_time"]), tf, int(pred["horizon"]))
        if end > now:
            waiting += 1
            continue
        outcome = score_prediction(pred, read_candles(pred["symbol"], tf, start, end))
        if outcome is None:
            waiting += 1
            continue
        with engine.begin() as conn:
            conn.execute(sa.insert(tables.outcomes), [{**outcome, "resolved_at": now}])
            conn.execute(sa.update(preds).where(preds.c.id == pred["id"]).values(resolved=True))
        resolved += 1
    return ResolveReport(resolved, waiting)
