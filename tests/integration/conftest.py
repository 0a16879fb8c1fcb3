"""Fixtures for the integration tests that talk to a loopback venue server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from venue_server import VenueServer, running_server


@pytest.fixture
def venue() -> Iterator[VenueServer]:
    """A real HTTP server on 127.0.0.1 speaking Binance's and Polygon's wire formats."""
    yield from running_server()


@pytest.fixture
def sleeps() -> list[float]:
    """Back-off waits a source asked for, recorded instead of slept."""
    return []
