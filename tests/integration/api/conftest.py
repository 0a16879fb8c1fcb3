"""Fixtures of the API integration tests: real uvicorn servers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import BROKEN, KEY_A, KEY_B, FakeClock, Server, StubPredictor, serve_in_thread

from tradingia.api.app import create_app
from tradingia.api.deps import ApiOptions
from tradingia.api.ratelimit import RateLimit
from tradingia.core.settings import load_settings


def _start(home: Path, options: ApiOptions, broken: str | None = BROKEN) -> Iterator[Server]:
    clock = FakeClock("2026-03-02 10:07:30")
    stub = StubPredictor(clock, broken=broken)
    settings = load_settings(home=home, api_keys=f"{KEY_A},{KEY_B}", database_url=None,
                             redis_url=None)
    app = create_app(settings, options=options, clock=clock, predictor=stub)
    with serve_in_thread(app) as base:
        yield Server(base, clock, stub, settings, app)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An embedded-mode server (SQLite logs, in-process cache and pub-sub)."""
    options = ApiOptions(prediction_limit=RateLimit(10_000, 60), model_poll_seconds=0.2)
    yield from _start(tmp_path_factory.mktemp("api-home"), options)


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[Server]:
    """A server allowing 3 predictions per minute per key."""
    yield from _start(tmp_path / "home", ApiOptions(prediction_limit=RateLimit(3, 60)))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server for fuzzing: no deliberately broken model, limits out of the way."""
    options = ApiOptions(prediction_limit=RateLimit(0, 60), default_limit=RateLimit(0, 60))
    yield from _start(tmp_path_factory.mktemp("fuzz-home"), options, broken=None)
