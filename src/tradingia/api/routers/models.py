"""`GET /api/v1/models` and `GET /api/v1/models/status`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradingia.api.deps import ApiKey, EngineDep
from tradingia.api.routers import ERRORS
from tradingia.services import status

router = APIRouter(prefix="/api/v1/models", tags=["models"])


@router.get("", responses=ERRORS)
def list_models(engine: EngineDep, _: ApiKey) -> dict[str, Any]:
    """The model sets loaded (promoted) for serving."""
    return {"models": engine.predictor.status()}


@router.get("/status", responses=ERRORS)
def models_status(engine: EngineDep, _: ApiKey) -> dict[str, Any]:
    """How many sets are loaded, their versions and ages."""
    return status.models_status(engine)
