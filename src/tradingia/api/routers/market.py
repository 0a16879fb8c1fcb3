"""`GET /api/v1/market/candles` and `POST /api/v1/sync/{symbol}`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradingia.api.deps import ApiKey, EngineDep, SettingsDep
from tradingia.api.routers import ERRORS, optional_utc
from tradingia.api.schemas import CandleRows
from tradingia.core.timeframes import Timeframe
from tradingia.services import market_api

router = APIRouter(prefix="/api/v1", tags=["market"])


@router.get("/market/candles", response_model=CandleRows, responses=ERRORS)
def candles(
    settings: SettingsDep, _: ApiKey, symbol: str, timeframe: Timeframe = Timeframe.M5,
    start: datetime | None = None, end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Any:
    """Stored candles in [start, end), oldest first (the last `limit` of them)."""
    return market_api.read_candles(settings, symbol, timeframe,
                                   optional_utc(start),
                                   optional_utc(end), limit)


@router.post("/sync/{symbol}", responses={**ERRORS, 502: ERRORS[503]})
def sync(symbol: str, engine: EngineDep, _: ApiKey,
         timeframe: Timeframe = Timeframe.M5) -> dict[str, Any]:
    """Fetch the candles the store lacks for this series from the configured venue, now."""
    return market_api.sync_now(engine.settings, symbol, timeframe, engine.clock())
