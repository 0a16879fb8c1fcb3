"""`GET /api/amd/{symbol}`, `GET /api/ict/{symbol}`, `GET /api/ensemble/{symbol}` (spec paths)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradingia.api.deps import ApiKey, EngineDep
from tradingia.api.routers import ERRORS
from tradingia.core.timeframes import Timeframe
from tradingia.services import status

router = APIRouter(prefix="/api", tags=["analysis"])


@router.get("/amd/{symbol}", responses=ERRORS)
def amd(symbol: str, engine: EngineDep, _: ApiKey,
        timeframe: Timeframe = Timeframe.M5) -> dict[str, Any]:
    """AMD (accumulation / manipulation / distribution) phase features at the last candle."""
    return status.amd_view(engine, symbol, timeframe)


@router.get("/ict/{symbol}", responses=ERRORS)
def ict(symbol: str, engine: EngineDep, _: ApiKey,
        timeframe: Timeframe = Timeframe.M5) -> dict[str, Any]:
    """Market-structure features (swings, BOS / CHoCH, order blocks, FVG) at the last candle."""
    return status.ict_view(engine, symbol, timeframe)


@router.get("/ensemble/{symbol}", responses=ERRORS)
def ensemble(symbol: str, engine: EngineDep, _: ApiKey,
             timeframe: Timeframe = Timeframe.M5) -> dict[str, Any]:
    """The combined signal with per-strategy attribution (not logged, not published)."""
    return status.ensemble_view(engine, symbol, timeframe)
