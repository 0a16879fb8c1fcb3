"""Server mode: two uvicorn processes sharing the real PostgreSQL (logs) and Redis (cache,
rate limits, pub-sub on `signals:{symbol}`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa
from api_support import KEY_A, KEY_B, free_port
from websockets.sync.client import connect

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

HERE = Path(__file__).resolve().parent
REDIS_DB = 14


@pytest.fixture(scope="module")
def database(postgres_url: str) -> Iterator[str]:
    """A fresh database of our own for this module, dropped afterwards."""
    name = f"tradingia_api_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def redis_db(redis_url: str) -> str:
    """Our own Redis database number, emptied first."""
    url = str(sa.make_url(redis_url.replace("redis://", "postgresql://"))
              .set(database=str(REDIS_DB))).replace("postgresql://", "redis://")
    redis.Redis.from_url(url).flushdb()
    return url


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {err}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


@pytest.fixture(scope="module")
def servers(database: str, redis_db: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[list[str]]:
    """Two API processes with the same PostgreSQL and Redis."""
    env = {**os.environ, "TRADINGIA_DATABASE_URL": database, "TRADINGIA_REDIS_URL": redis_db,
           "TRADINGIA_API_KEYS": f"{KEY_A},{KEY_B}",
           "TRADINGIA_HOME": str(tmp_path_factory.mktemp("server-home"))}
    procs, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            proc = subprocess.Popen([sys.executable, str(HERE / "_stub_server.py"), str(port)],
                                    env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            procs.append(proc)
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            _wait_healthy(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


def _client(base: str, key: str = KEY_A) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)


def test_a_signal_made_on_one_process_reaches_websockets_on_the_other(
    servers: list[str],
) -> None:
    url_b = servers[1].replace("http://", "ws://") + "/ws/signals"
    with connect(url_b, additional_headers={"X-API-Key": KEY_B}) as ws:
        ws.send(json.dumps({"action": "subscribe", "symbols": ["ETHUSDT"]}))
        assert json.loads(ws.recv(10))["symbols"] == ["ETHUSDT"]
        with _client(servers[0]) as client:
            made = client.post("/api/v1/signals", json={"symbol": "ETHUSDT"})
        assert made.status_code == 200
        pushed = json.loads(ws.recv(10))
    assert pushed["type"] == "signal" and pushed["signal"]["id"] == made.json()["id"]


def test_a_prediction_cached_by_one_process_is_a_hit_on_the_other(servers: list[str]) -> None:
    body = {"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 6}
    with _client(servers[0]) as a, _client(servers[1]) as b:
        first = a.post("/api/v1/predictions", json=body)
        second = b.post("/api/v1/predictions", json=body)
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert second.json() == first.json()


def test_predictions_and_signals_are_logged_in_postgresql(
    servers: list[str], database: str
) -> None:
    with _client(servers[0]) as client:
        made = client.post("/api/v1/predictions", headers={"Cache-Control": "no-cache"},
                           json={"symbol": "ETHUSDT", "horizon": 72}).json()
        signal = client.post("/api/v1/signals", json={"symbol": "BTCUSDT"}).json()
    engine = sa.create_engine(database)
    deadline, rows = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM ml.predictions WHERE id = :p), "
                "(SELECT count(*) FROM ml.signals WHERE id = :s)"),
                {"p": made["id"], "s": signal["id"]}).all()
        if rows == [(1, 1)]:
            break
        time.sleep(0.1)
    engine.dispose()
    assert rows == [(1, 1)]
    with _client(servers[1]) as client:
        listed = client.get("/api/v1/signals", params={"symbol": "BTCUSDT"}).json()
    assert signal["id"] in {s["id"] for s in listed["signals"]}


def test_detailed_health_reports_postgresql_and_redis(servers: list[str]) -> None:
    with _client(servers[1]) as client:
        body = client.get("/health/detailed").json()
    assert body["mode"] == "server"
    assert body["cache"] == {"kind": "redis", "ok": True}
    assert body["database"]["dialect"] == "postgresql" and body["database"]["ok"] is True


def test_rate_limits_are_shared_between_processes_through_redis(servers: list[str]) -> None:
    limit = 100  # the default per-key prediction limit, per minute
    left = 60 - time.time() % 60
    if left < 10:  # start inside one fixed window
        time.sleep(left + 0.1)
    with _client(servers[0], KEY_B) as a, _client(servers[1], KEY_B) as b:
        codes = [(a if i % 2 == 0 else b).post("/api/v1/predictions",
                                               json={"symbol": "BTCUSDT"}).status_code
                 for i in range(limit + 1)]
        refused = b.post("/api/v1/predictions", json={"symbol": "BTCUSDT"})
    assert codes == [200] * limit + [429]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
