"""`POST /api/v1/signals` (generate, log, publish) and `GET /api/v1/signals` (filter)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradingia.api.deps import ApiKey, EngineDep, PredictionKey
from tradingia.api.routers import ERRORS, optional_utc
from tradingia.api.schemas import Direction, SignalList, SignalOut, SignalRequest
from tradingia.tracking import SignalFilter

router = APIRouter(prefix="/api/v1/signals", tags=["signals"])


@router.post("", response_model=SignalOut, responses=ERRORS)
async def create_signal(body: SignalRequest, engine: EngineDep, _: PredictionKey) -> Any:
    """Generate the signal at the last stored candle, log it and publish it."""
    return await engine.generate_signal(body.symbol, body.timeframe, body.preset)


@router.get("", response_model=SignalList, responses=ERRORS)
def list_signals(
    engine: EngineDep, _: ApiKey, symbol: str | None = None,
    start: datetime | None = None, end: datetime | None = None,
    direction: Direction | None = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """Logged signals by symbol, time range [start, end), direction and minimum confidence."""
    rows = engine.find_signals(SignalFilter(symbol, optional_utc(start), optional_utc(end),
                                            direction, min_confidence, limit))
    return {"count": len(rows), "signals": rows}
