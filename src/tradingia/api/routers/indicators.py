"""`GET /api/v1/indicators`: named indicators (feature columns) over a time range."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tradingia.api.deps import ApiKey, SettingsDep
from tradingia.api.routers import ERRORS, optional_utc
from tradingia.api.schemas import CandleRows
from tradingia.core.timeframes import Timeframe
from tradingia.services import market_api

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/indicators", response_model=CandleRows, responses=ERRORS)
def indicators(
    settings: SettingsDep, _: ApiKey, symbol: str,
    names: Annotated[str, Query(description="Comma-separated, e.g. rsi_14,atr_10")],
    timeframe: Timeframe = Timeframe.M5, start: datetime | None = None,
    end: datetime | None = None, limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> Any:
    """Indicator values per candle in [start, end) (the last `limit` rows)."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    return market_api.indicators(settings, symbol, timeframe, wanted,
                                 optional_utc(start),
                                 optional_utc(end), limit)
