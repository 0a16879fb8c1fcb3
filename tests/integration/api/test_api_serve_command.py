"""`tradingia serve`: refuses to start without API keys, starts with `--dev`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from api_support import free_port

TRADINGIA = str(Path(sys.executable).parent / "tradingia")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADINGIA_")}
    return env | {"TRADINGIA_HOME": str(home)}


def test_serve_refuses_to_start_without_api_keys(tmp_path: Path) -> None:
    done = subprocess.run([TRADINGIA, "serve", "--port", str(free_port()), "--no-jobs"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "TRADINGIA_API_KEYS" in done.stderr and "--dev" in done.stderr


def test_serve_with_dev_answers_health_and_needs_no_key(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([TRADINGIA, "serve", "--port", str(port), "--dev", "--no-jobs"],
                            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.1)
        assert health is not None and health.status_code == 200
        models = httpx.get(f"http://127.0.0.1:{port}/api/v1/models", timeout=10)
        assert models.status_code == 200 and models.json() == {"models": []}
        fresh = httpx.post(f"http://127.0.0.1:{port}/api/v1/predictions", timeout=10,
                           json={"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 12})
        assert fresh.status_code == 503
        assert "run `tradingia train --symbol BTCUSDT --timeframe 5m`" in fresh.json()["message"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
