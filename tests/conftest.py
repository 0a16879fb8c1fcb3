"""Shared fixtures: real services and the shared candle files.

A test that needs PostgreSQL, Redis or ../shared/data skips with the reason on a machine that
lacks them, and fails instead when CI=true (CI runs where all three exist).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI, where a missing dependency means the test did not really run."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1",
                                       parsed.port or default_port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """Folder of real candles (`TRADINGIA_SHARED_DATA`, default ../shared/data/ohlcv)."""
    path = Path(os.environ.get("TRADINGIA_SHARED_DATA", REPO_ROOT.parent / "shared/data/ohlcv"))
    if not path.is_dir() or not any(path.glob("*.csv.gz")):
        skip_or_fail(f"shared candle files not found at {path} (set TRADINGIA_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a real PostgreSQL (`TRADINGIA_TEST_DATABASE_URL`, default the local `test` db)."""
    url = os.environ.get(
        "TRADINGIA_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    if not _reachable(url, 5432):
        skip_or_fail(f"PostgreSQL not reachable at {url} (set TRADINGIA_TEST_DATABASE_URL)")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a real Redis (`TRADINGIA_TEST_REDIS_URL`, default redis://127.0.0.1:6379/15)."""
    url = os.environ.get("TRADINGIA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not _reachable(url, 6379):
        skip_or_fail(f"Redis not reachable at {url} (set TRADINGIA_TEST_REDIS_URL)")
    return url


@pytest.fixture
def tradingia_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty TRADINGIA_HOME for one test, in embedded mode."""
    home = tmp_path / "home"
    monkeypatch.setenv("TRADINGIA_HOME", str(home))
    monkeypatch.delenv("TRADINGIA_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRADINGIA_REDIS_URL", raising=False)
    from tradingia.core.settings import get_settings

    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
