"""Reads of the tracking tables: signals by filter, recent predictions of a symbol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from tradingia.tracking.outcomes import utc
from tradingia.tracking.tables import TrackingTables


@dataclass(frozen=True, slots=True)
class SignalFilter:
    """Filters of `GET /signals`; None means no filter on that field."""

    symbol: str | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    direction: str | None = None
    min_confidence: float | None = None
    limit: int = 100


def _row(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("created_at", "time", "candle_time", "resolved_at"):
        if out.get(key) is not None:
            out[key] = utc(out[key])
    return out


def find_signals(
    engine: sa.Engine, tables: TrackingTables, flt: SignalFilter
) -> list[dict[str, Any]]:
    """Logged signals matching `flt`, newest first."""
    t = tables.signals
    query = sa.select(t)
    if flt.symbol is not None:
        query = query.where(t.c.symbol == flt.symbol)
    if flt.start is not None:
        query = query.where(t.c.time >= flt.start)
    if flt.end is not None:
        query = query.where(t.c.time < flt.end)
    if flt.direction is not None:
        query = query.where(t.c.direction == flt.direction)
    if flt.min_confidence is not None:
        query = query.where(t.c.confidence >= flt.min_confidence)
    query = query.order_by(t.c.time.desc(), t.c.created_at.desc()).limit(flt.limit)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def recent_predictions(
    engine: sa.Engine, tables: TrackingTables, symbol: str, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest logged predictions of `symbol`, newest first, with outcomes when resolved."""
    p, o = tables.predictions, tables.outcomes
    query = (
        sa.select(p, o.c.realised_high, o.c.realised_low, o.c.realised_return,
                  o.c.range_hit, o.c.direction_hit)
        .select_from(p.outerjoin(o, o.c.prediction_id == p.c.id))
        .where(p.c.symbol == symbol)
        .order_by(p.c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def ping(engine: sa.Engine) -> None:
    """Raise when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
