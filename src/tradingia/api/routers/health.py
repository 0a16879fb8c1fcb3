"""`GET /health` (no key) and `GET /health/detailed`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradingia import __version__
from tradingia.api.deps import ApiKey, EngineDep
from tradingia.api.routers import ERRORS
from tradingia.services import status

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok", "version": __version__}


@router.get("/health/detailed", responses=ERRORS)
async def health_detailed(engine: EngineDep, _: ApiKey) -> dict[str, Any]:
    """Models loaded and their versions, store, cache, database, last candle per series."""
    return await status.detailed_health(engine)
