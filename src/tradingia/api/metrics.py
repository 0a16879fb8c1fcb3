"""Prometheus metrics: requests and latency per route, predictions, cache hits, errors,
model age and the log writer's counters, in a registry of the app's own."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradingia.services.engine import MLEngine
from tradingia.tracking.outcomes import utc

MAX_CACHED_CHILDREN = 4096
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class _EngineCollector(Collector):
    """Model age and tracking-writer counters, read when scraped."""

    def __init__(self, engine: Callable[[], MLEngine | None]) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Any]:
        engine = self._engine()
        if engine is None:
            return
        age = GaugeMetricFamily("tradingia_model_age_seconds",
                                "Seconds since the loaded model set was trained",
                                labels=["symbol", "timeframe", "version"])
        now = engine.clock()
        for model in engine.predictor.status():
            trained = model.get("trained_at")
            if trained is not None:
                seconds = (now - utc(trained)).total_seconds()
                age.add_metric([model["symbol"], model["timeframe"], str(model["version"])],
                               seconds)
        yield age
        stats = engine.writer.stats
        logs = CounterMetricFamily("tradingia_tracking_rows", "Tracking rows by outcome",
                                   labels=["outcome"])
        logs.add_metric(["written"], stats.written)
        logs.add_metric(["overflowed"], stats.overflowed)
        logs.add_metric(["failed"], stats.failed)
        yield logs


class ApiMetrics:
    """The app's metrics and the middleware that records request latency and errors."""

    def __init__(self, engine: Callable[[], MLEngine | None]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "tradingia_request_seconds", "Request latency by route", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("tradingia_errors", "Responses with status >= 400",
                              ["route", "status"], registry=self.registry)
        self.predictions = Counter("tradingia_predictions", "Predictions served",
                                   ["symbol", "horizon"], registry=self.registry)
        self.cache = Counter("tradingia_prediction_cache", "Prediction cache lookups",
                             ["result"], registry=self.registry)
        self.registry.register(_EngineCollector(engine))
        # Labelled children by label values: `labels()` takes a lock and builds tuples on
        # every call, a dict lookup does not. Bounded: past the cap, `labels()` as before.
        self._children: dict[tuple[object, ...], Any] = {}
        self._cache_hit, self._cache_miss = self.cache.labels("hit"), self.cache.labels("miss")

    def _child(self, metric: Histogram | Counter, *labels: str) -> Any:
        key = (metric, *labels)
        child = self._children.get(key)
        if child is None:
            child = metric.labels(*labels)
            if len(self._children) < MAX_CACHED_CHILDREN:
                self._children[key] = child
        return child

    def prediction(self, symbol: str, horizon: int, cached: bool) -> None:
        """Count one prediction served and its cache result."""
        self._child(self.predictions, symbol, str(horizon)).inc()
        (self._cache_hit if cached else self._cache_miss).inc()

    def request(self, method: str, route: str, seconds: float, status: int) -> None:
        """Record one HTTP request's latency, and an error when its status is >= 400."""
        self._child(self.requests, method, route).observe(seconds)
        if status >= 400:
            self._child(self.errors, route, str(status)).inc()

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Pure ASGI middleware timing every HTTP request by its route template."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.request(scope["method"], route, time.perf_counter() - start, status)
