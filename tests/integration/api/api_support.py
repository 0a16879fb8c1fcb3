"""Test doubles and a real uvicorn server on loopback for the API tests.

`StubPredictor` stands in for the model registry where a test is about the service itself
(cache, logs, pub-sub, auth); it counts its calls so a test can tell a cache hit from a miss.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pandas as pd
import uvicorn

from tradingia.core.settings import Settings
from tradingia.core.signal import Direction, Signal
from tradingia.core.timeframes import Timeframe
from tradingia.services.predictor import ModelUnavailableError

HORIZONS = (6, 12, 18, 36, 72)
TRAINED = ("BTCUSDT", "ETHUSDT")
LAGGING = "ETHUSDT"  # its store lags the clock by one candle (the sync has not caught up)
BROKEN = "SOLUSDT"  # its 'model' crashes: the API must answer 500 without leaking details


class FakeClock:
    """A settable clock."""

    def __init__(self, now: str) -> None:
        self.now = pd.Timestamp(now, tz="UTC")

    def __call__(self) -> pd.Timestamp:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + pd.Timedelta(**kwargs)


class StubPredictor:
    """Deterministic 'models' for BTCUSDT and ETHUSDT; every other symbol has none."""

    def __init__(self, clock: Any = None, broken: str | None = BROKEN) -> None:
        self.calls = 0
        self.broken = broken
        self.clock = clock or (lambda: pd.Timestamp.now(tz="UTC"))

    def _check(self, symbol: str, timeframe: Timeframe) -> None:
        if symbol == self.broken:
            raise RuntimeError("secret internal detail")
        if symbol not in TRAINED:
            raise ModelUnavailableError(symbol, timeframe)

    def _candle(self, timeframe: Timeframe) -> pd.Timestamp:
        return timeframe.floor(self.clock()) - timeframe.delta

    def predict(self, symbol: str, timeframe: Timeframe, horizon: int) -> dict[str, Any]:
        self._check(symbol, timeframe)
        self.calls += 1
        candle = self._candle(timeframe)
        if symbol == LAGGING:
            candle -= timeframe.delta
        close = 100.0 + candle.minute
        return {"symbol": symbol, "timeframe": timeframe.value, "horizon": horizon,
                "candle_time": candle.isoformat(), "reference_close": close,
                "predicted_high": close * 1.01, "predicted_low": close * 0.99,
                "delta_high": 0.01, "delta_low": -0.01, "p_tp_first_long": 0.6,
                "p_tp_first_short": 0.4, "direction": "long", "confidence": 0.7,
                "amd_phase": "accumulation", "model_version": "stub-1"}

    def signal(self, symbol: str, timeframe: Timeframe, preset: str | None) -> Signal:
        self._check(symbol, timeframe)
        candle = self._candle(timeframe)
        return Signal(symbol=symbol, timeframe=timeframe, time=candle,
                      direction=Direction.LONG, entry=100.0, stop_loss=99.0,
                      take_profits=(102.0,), confidence=0.8, prob_tp_first=0.6,
                      predicted_high=101.0, predicted_low=99.5, amd_phase="accumulation",
                      attribution={"pva": 0.5, "mrd": 0.5}, model_versions={"range": "stub-1"},
                      preset=preset)

    def horizons(self, symbol: str, timeframe: Timeframe) -> tuple[int, ...]:
        self._check(symbol, timeframe)
        return HORIZONS

    def status(self) -> list[dict[str, Any]]:
        return [{"symbol": s, "timeframe": "5m", "version": "stub-1",
                 "trained_at": "2026-01-01T00:00:00+00:00", "horizons": list(HORIZONS)}
                for s in TRAINED]

    def refresh(self) -> bool:
        return False


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Run `app` under a real uvicorn server on loopback; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on", ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


KEY_A, KEY_B = "key-a-0123456789", "key-b-9876543210"


@dataclass
class Server:
    """A running server and the handles a test needs."""

    base: str
    clock: FakeClock
    stub: StubPredictor
    settings: Settings
    app: Any

    def client(self, key: str | None = KEY_A) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)

    @property
    def engine(self) -> Any:
        return self.app.state.tradingia.engine
