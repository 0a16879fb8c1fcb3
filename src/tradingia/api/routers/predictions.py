"""`POST /api/v1/predictions`, `GET /api/v1/predictions/{symbol}` (+ `/history`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from tradingia.api.deps import ApiKey, EngineDep, MetricsDep, PredictionKey
from tradingia.api.routers import ERRORS
from tradingia.api.schemas import Prediction, PredictionRequest
from tradingia.core.timeframes import Timeframe
from tradingia.services import status

router = APIRouter(prefix="/api/v1/predictions", tags=["predictions"])


@router.post("", response_model=Prediction, responses=ERRORS)
async def create_prediction(
    body: PredictionRequest, engine: EngineDep, metrics: MetricsDep, _: PredictionKey,
    cache_control: Annotated[str | None, Header()] = None,
) -> Response:
    """The prediction at the last closed candle; cached until the next candle closes
    (send `Cache-Control: no-cache` to recompute)."""
    reply = await engine.predict(body.symbol, body.timeframe, body.horizon,
                                 use_cache="no-cache" not in (cache_control or ""))
    metrics.prediction(body.symbol, body.horizon, reply.cached)
    return Response(reply.body, media_type="application/json",
                    headers={"X-Cache": "hit" if reply.cached else "miss"})


@router.get("/{symbol}", responses=ERRORS)
async def current_predictions(
    symbol: str, engine: EngineDep, _: PredictionKey, timeframe: Timeframe = Timeframe.M5,
) -> dict[str, Any]:
    """The current prediction for every horizon the promoted model set supports."""
    return await status.predictions_for_all_horizons(engine, symbol, timeframe)


@router.get("/{symbol}/history", responses=ERRORS)
def prediction_history(
    symbol: str, engine: EngineDep, _: ApiKey,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Logged predictions of a symbol, newest first, with outcomes once resolved."""
    rows = engine.recent_predictions(symbol, limit)
    return {"symbol": symbol.upper(), "count": len(rows), "predictions": rows}
