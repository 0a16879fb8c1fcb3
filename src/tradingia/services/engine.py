"""The ML engine service: the one object the API (and `serve`) talks to.

`MLEngine.build(settings)` wires everything from settings: the prediction cache, the signal
bus, the tracking database and its log writer, and the predictor over the model registry.
Its methods are the use cases the routes call; routes never touch a store or a cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from tradingia.core.errors import UnsupportedError
from tradingia.core.settings import Settings
from tradingia.core.signal import Signal
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.services.cache import (
    Cache,
    last_closed_candle,
    make_cache,
    prediction_key,
    seconds_until_next_close,
)
from tradingia.services.predictor import Predictor, make_predictor
from tradingia.services.pubsub import SignalBus, make_bus
from tradingia.tracking import (
    LogWriter,
    SignalFilter,
    TrackingTables,
    create_tables,
    find_signals,
    recent_predictions,
)
from tradingia.tracking.queries import ping

log = logging.getLogger(__name__)

Clock = Callable[[], pd.Timestamp]

# A prediction made on a candle older than the last closed one (the sync has not stored the
# newest candle yet) is cached this long only, so it is redone once the candle lands.
BEHIND_TTL_SECONDS = 15.0


def utc_now() -> pd.Timestamp:
    """The wall clock, as a UTC timestamp."""
    return pd.Timestamp(datetime.now(UTC))


def tracking_url(settings: Settings) -> str:
    """PostgreSQL in server mode, else the embedded SQLite file under TRADINGIA_HOME."""
    if settings.database_url:
        url = settings.database_url
        return url.replace("postgresql://", "postgresql+psycopg://", 1).replace(
            "postgres://", "postgresql+psycopg://", 1)
    settings.home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.home / 'tradingia.sqlite').resolve()}"


@dataclass(frozen=True, slots=True)
class _Window:
    """The candle now forming, [start, end) in epoch seconds, and the last closed candle."""

    start: float
    end: float
    last_closed: pd.Timestamp
    last_closed_s: int


@dataclass(frozen=True, slots=True)
class PredictionReply:
    """A prediction as JSON bytes, and whether it came from the cache."""

    body: bytes
    cached: bool


def _dumps(value: object) -> bytes:
    return json.dumps(value, default=str, separators=(",", ":")).encode()


class MLEngine:
    """Predictions, signals, logs and health behind one object (see `build`)."""

    def __init__(
        self, settings: Settings, *, clock: Clock, predictor: Predictor, cache: Cache,
        bus: SignalBus, db: sa.Engine, tables: TrackingTables, writer: LogWriter,
    ) -> None:
        self.settings, self.clock, self.predictor = settings, clock, predictor
        self.cache, self.bus, self.db, self.tables, self.writer = cache, bus, db, tables, writer
        self.started_at = clock()
        self._inflight: dict[str, asyncio.Future[PredictionReply]] = {}
        # Epoch seconds now: the wall clock itself unless a clock was given (tests).
        self._seconds: Callable[[], float] = (
            time.time if clock is utc_now else (lambda: clock().timestamp()))
        self._windows: dict[Timeframe, _Window] = {}
        self._watch: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, predictor: Predictor | None = None
    ) -> MLEngine:
        """Wire cache, bus, tracking database and predictor from settings."""
        db = sa.create_engine(tracking_url(settings), pool_pre_ping=True)
        tables = create_tables(db)
        now = clock or utc_now
        cache = make_cache(settings, lambda: now().timestamp()) if clock else make_cache(settings)
        return cls(
            settings, clock=now, predictor=predictor or make_predictor(settings),
            cache=cache, bus=make_bus(settings), db=db, tables=tables,
            writer=LogWriter(db, tables),
        )

    async def start(self, model_poll_seconds: float = 5.0) -> None:
        """Start the signal relay and the watcher that reloads promoted models."""
        self._loop = asyncio.get_running_loop()
        await self.bus.start()
        self._watch = asyncio.create_task(self._watch_models(model_poll_seconds))

    async def close(self) -> None:
        """Stop background work, write what is queued, close connections."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.bus.close()
        await self.cache.close()
        await asyncio.to_thread(self.writer.close)
        self.db.dispose()

    async def _watch_models(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.predictor.refresh):
                    log.info("promoted models reloaded")
            except Exception as exc:  # keep serving the loaded models
                log.error("model reload failed: %s", exc)

    # -- predictions -------------------------------------------------------------------------

    def check_request(self, symbol: str, timeframe: str, horizon: int) -> tuple[str, Timeframe]:
        """Canonical symbol and timeframe; UnsupportedError (listing valid values) otherwise."""
        name, tf = get_symbol(symbol).name, Timeframe.parse(timeframe)
        if horizon < 1:
            raise UnsupportedError(f"Unsupported horizon {horizon}: a positive candle count.")
        return name, tf

    def _window(self, tf: Timeframe, now_s: float) -> _Window:
        """The candle window containing `now_s`, worked out with pandas once per candle."""
        window = self._windows.get(tf)
        if window is None or not window.start <= now_s < window.end:
            closed = last_closed_candle(pd.Timestamp(now_s, unit="s", tz="UTC"), tf)
            start = closed + tf.delta
            window = _Window(start.timestamp(), (start + tf.delta).timestamp(), closed,
                             int(closed.timestamp()))
            self._windows[tf] = window
        return window

    def _key(self, name: str, tf: Timeframe, horizon: int, now_s: float) -> str:
        """Cache key of the prediction at the last closed candle."""
        return prediction_key(name, tf, horizon, self._window(tf, now_s).last_closed_s)

    async def cached_prediction(self, name: str, tf: Timeframe, horizon: int) -> bytes | None:
        """The cached prediction body for a checked request (see `check_request`), or None."""
        return await self.cache.get(self._key(name, tf, horizon, self._seconds()))

    async def predict(
        self, symbol: str, timeframe: str, horizon: int, *, use_cache: bool = True
    ) -> PredictionReply:
        """The prediction at the last closed candle, cached until the next candle closes."""
        name, tf = self.check_request(symbol, timeframe, horizon)
        now = self.clock()
        key = self._key(name, tf, horizon, now.timestamp())
        if use_cache:
            hit = await self.cache.get(key)
            if hit is not None:
                return PredictionReply(hit, True)
            pending = self._inflight.get(key)
            if pending is not None:
                return await asyncio.shield(pending)
        future: asyncio.Future[PredictionReply] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            reply = await self._compute(name, tf, horizon, key, now)
            future.set_result(reply)
            return reply
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # consumed: no "never retrieved" warning when nobody waits
            raise
        finally:
            self._inflight.pop(key, None)

    async def _compute(
        self, name: str, tf: Timeframe, horizon: int, key: str, now: pd.Timestamp
    ) -> PredictionReply:
        supported = await asyncio.to_thread(self.predictor.horizons, name, tf)
        if horizon not in supported:
            valid = ", ".join(str(h) for h in supported)
            raise UnsupportedError(
                f"Unsupported horizon {horizon} for {name} {tf}. Use one of: {valid}.")
        pred = await asyncio.to_thread(self.predictor.predict, name, tf, horizon)
        record = {"id": str(uuid.uuid4()), **pred, "generated_at": now.isoformat()}
        body = _dumps(record)
        ttl = seconds_until_next_close(now, tf)
        if pd.Timestamp(record["candle_time"]) < self._window(tf, now.timestamp()).last_closed:
            ttl = min(ttl, BEHIND_TTL_SECONDS)  # the store lags the clock: retry soon
        await self.cache.set(key, body, ttl)
        self.writer.submit("predictions", _prediction_row(record, now))
        return PredictionReply(body, False)

    def recent_predictions(self, symbol: str, limit: int = 50) -> list[dict[str, Any]]:
        """Logged predictions of a symbol, newest first, with outcomes once resolved."""
        return recent_predictions(self.db, self.tables, get_symbol(symbol).name, limit)

    # -- signals -----------------------------------------------------------------------------

    async def generate_signal(
        self, symbol: str, timeframe: str, preset: str | None
    ) -> dict[str, Any]:
        """Generate the signal at the last stored candle, log it and publish it."""
        name, tf = get_symbol(symbol).name, Timeframe.parse(timeframe)
        signal = await asyncio.to_thread(self.predictor.signal, name, tf, preset)
        return await self.publish_signal(signal, source="api")

    async def publish_signal(self, signal: Signal, source: str) -> dict[str, Any]:
        """Log a signal and publish it on `signals:{symbol}`; returns the published message."""
        message = {"id": str(uuid.uuid4()), **signal.to_dict()}
        self.writer.submit("signals", _signal_row(message, self.clock(), source))
        await self.bus.publish(signal.symbol, message)
        return message

    def publish_signal_threadsafe(
        self, signal: Signal, source: str, timeout: float = 30.0
    ) -> dict[str, Any]:
        """`publish_signal` from a thread other than the server's (the embedded jobs)."""
        if self._loop is None:
            raise RuntimeError("the engine is not started")
        future = asyncio.run_coroutine_threadsafe(self.publish_signal(signal, source), self._loop)
        return future.result(timeout)

    def find_signals(self, flt: SignalFilter) -> list[dict[str, Any]]:
        """Logged signals matching the filter, newest first."""
        if flt.symbol is not None:
            flt = SignalFilter(get_symbol(flt.symbol).name, flt.start, flt.end, flt.direction,
                               flt.min_confidence, flt.limit)
        return find_signals(self.db, self.tables, flt)

    # -- health ------------------------------------------------------------------------------

    async def check_cache(self) -> dict[str, Any]:
        """Cache kind and whether it answers."""
        try:
            await self.cache.ping()
        except Exception as exc:
            return {"kind": self.cache.kind, "ok": False, "error": str(exc)}
        return {"kind": self.cache.kind, "ok": True}

    def check_database(self) -> dict[str, Any]:
        """Tracking database dialect, whether it answers, and the log writer's counters."""
        stats = self.writer.stats
        out: dict[str, Any] = {
            "dialect": self.db.dialect.name, "ok": True, "pending_writes": self.writer.pending,
            "written": stats.written, "overflowed": stats.overflowed, "failed": stats.failed,
        }
        try:
            ping(self.db)
        except Exception as exc:
            out.update(ok=False, error=str(exc).splitlines()[0])
        return out


def _prediction_row(record: dict[str, Any], now: pd.Timestamp) -> dict[str, Any]:
    return {
        "id": record["id"], "created_at": now.to_pydatetime(), "symbol": record["symbol"],
        "timeframe": record["timeframe"], "horizon": int(record["horizon"]),
        "candle_time": pd.Timestamp(record["candle_time"]).to_pydatetime(),
        "reference_close": record.get("reference_close"),
        "predicted_high": record.get("predicted_high"),
        "predicted_low": record.get("predicted_low"),
        "p_tp_first_long": record.get("p_tp_first_long"),
        "p_tp_first_short": record.get("p_tp_first_short"),
        "direction": record.get("direction"), "confidence": record.get("confidence"),
        "model_version": record.get("model_version"), "resolved": False,
        "payload": json.loads(_dumps(record)),
    }


def _signal_row(message: dict[str, Any], now: pd.Timestamp, source: str) -> dict[str, Any]:
    return {
        "id": message["id"], "created_at": now.to_pydatetime(), "symbol": message["symbol"],
        "timeframe": message["timeframe"],
        "time": pd.Timestamp(message["time"]).to_pydatetime(),
        "direction": message["direction"], "entry": message["entry"],
        "stop_loss": message["stop_loss"], "take_profits": message["take_profits"],
        "confidence": message["confidence"], "p_tp_first": message["prob_tp_first"],
        "predicted_high": message["predicted_high"], "predicted_low": message["predicted_low"],
        "amd_phase": message["amd_phase"], "source": source,
        "payload": json.loads(_dumps(message)),
    }
