"""Typed dependencies of the routes: the engine, settings, the job runner, the API key.

Every dependency is `async def`: FastAPI runs a plain `def` dependency in its threadpool, a
thread hop per request for what is an attribute read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from tradingia.api.auth import HEADER, KeyChecker
from tradingia.api.metrics import ApiMetrics
from tradingia.api.ratelimit import RateLimit, RateLimiter
from tradingia.core.settings import Settings
from tradingia.services.background import JobRunner
from tradingia.services.engine import MLEngine

PREDICTION_LIMIT = RateLimit(100, 60)
DEFAULT_LIMIT = RateLimit(1000, 60)


@dataclass(frozen=True, slots=True)
class ApiOptions:
    """Options of one app: dev mode (no key needed), rate limits, model reload poll."""

    dev: bool = False
    prediction_limit: RateLimit = PREDICTION_LIMIT
    default_limit: RateLimit = DEFAULT_LIMIT
    model_poll_seconds: float = 5.0


@dataclass
class AppState:
    """What the lifespan builds and the routes use."""

    settings: Settings
    options: ApiOptions
    keys: KeyChecker
    metrics: ApiMetrics
    engine: MLEngine | None = None
    jobs: JobRunner | None = None
    limiter: RateLimiter | None = None


async def get_state(request: Request) -> AppState:
    """The app's state."""
    state: AppState = request.app.state.tradingia
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_engine(state: StateDep) -> MLEngine:
    """The running ML engine."""
    assert state.engine is not None, "the engine starts with the app"
    return state.engine


async def get_settings_dep(state: StateDep) -> Settings:
    """The app's settings."""
    return state.settings


async def get_jobs(state: StateDep) -> JobRunner:
    """The background job runner."""
    assert state.jobs is not None, "the job runner starts with the app"
    return state.jobs


async def get_metrics(state: StateDep) -> ApiMetrics:
    """The app's metrics."""
    return state.metrics


_key_header = APIKeyHeader(name=HEADER, auto_error=False,
                           description="One of the keys in TRADINGIA_API_KEYS.")


async def _counted_key(state: AppState, key: str | None, bucket: str, limit: RateLimit) -> str:
    """The caller's key id (401 without a valid key), counted against `bucket`'s limit."""
    key_id = state.keys.check(key)
    assert state.limiter is not None
    await state.limiter.hit(bucket, key_id, limit)
    return key_id


async def require_api_key(
    state: StateDep, key: Annotated[str | None, Security(_key_header)]
) -> str:
    """The caller's key id; 401 without a valid key; counts against the default limit."""
    return await _counted_key(state, key, "api", state.options.default_limit)


ApiKey = Annotated[str, Depends(require_api_key)]


async def limit_predictions(
    state: StateDep, key: Annotated[str | None, Security(_key_header)]
) -> str:
    """The caller's key id; 401 without a valid key; counts against the prediction limit."""
    return await _counted_key(state, key, "prediction", state.options.prediction_limit)


PredictionKey = Annotated[str, Depends(limit_predictions)]
EngineDep = Annotated[MLEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
MetricsDep = Annotated[ApiMetrics, Depends(get_metrics)]
