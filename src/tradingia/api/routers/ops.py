"""`GET /metrics`: Prometheus exposition."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from tradingia.api.deps import ApiKey, MetricsDep
from tradingia.api.routers import ERRORS

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response, responses=ERRORS)
def metrics(metrics: MetricsDep, _: ApiKey) -> Response:
    """Counters and histograms: requests, latency, predictions, cache hits, errors, model age."""
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
