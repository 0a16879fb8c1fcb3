"""`create_app(settings)`: the FastAPI application of the ML engine service."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from tradingia import __version__
from tradingia.api.auth import KeyChecker
from tradingia.api.deps import ApiOptions, AppState
from tradingia.api.errors import install_error_handlers
from tradingia.api.fastpath import PATH, CachedPredictions
from tradingia.api.metrics import ApiMetrics, MetricsMiddleware
from tradingia.api.ratelimit import RateLimiter
from tradingia.api.routers import (
    analysis,
    backtesting,
    health,
    indicators,
    market,
    models,
    ops,
    predictions,
    signals,
    ws,
)
from tradingia.core.settings import Settings
from tradingia.services.background import JobRunner
from tradingia.services.engine import Clock, MLEngine
from tradingia.services.predictor import Predictor

# Work run in a thread beside the server (the embedded jobs): it returns when `stop` is set.
BackgroundWork = Callable[[MLEngine, threading.Event], None]

DESCRIPTION = (
    "Predictions, signals, indicators, models, market data and backtests of tradingia. "
    "Every endpoint except `/health` needs an `X-API-Key` header. Errors are "
    '`{"error", "message", "path"}`.'
)


def create_app(
    settings: Settings, *, options: ApiOptions | None = None, clock: Clock | None = None,
    predictor: Predictor | None = None, background: Sequence[BackgroundWork] = (),
) -> FastAPI:
    """The app; refuses (ConfigError) to be built without API keys unless `options.dev`."""
    opts = options or ApiOptions()
    state = AppState(settings, opts, KeyChecker(settings.api_key_list, dev=opts.dev),
                     ApiMetrics(lambda: state.engine))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = MLEngine.build(settings, clock=clock, predictor=predictor)
        await engine.start(opts.model_poll_seconds)
        state.engine, state.limiter = engine, RateLimiter(engine.cache)
        state.jobs = JobRunner(engine.clock)
        stop = threading.Event()
        threads = [threading.Thread(target=work, args=(engine, stop), daemon=True,
                                    name=f"background-{i}") for i, work in enumerate(background)]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            state.jobs.close()
            await engine.close()

    app = FastAPI(title="tradingia ML engine", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.tradingia = state
    install_error_handlers(app)
    for module in (health, predictions, signals, indicators, models, analysis, market,
                   backtesting, ops, ws):
        app.include_router(module.router)
    route = next((r for r in predictions.router.routes if isinstance(r, APIRoute) and r.path == PATH
                  and "POST" in (r.methods or ())), None)
    app.add_middleware(CachedPredictions, state=state, route=route)  # inside the metrics
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    return app

