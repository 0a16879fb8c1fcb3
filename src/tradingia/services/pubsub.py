"""Signal pub-sub: in-process fan-out by default, Redis channels `signals:{symbol}` when set.

Each process keeps one local fan-out of subscribers (WebSocket connections); with Redis, one
pattern subscription per process feeds it, so every API process sees every published signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

from tradingia.core.settings import Settings

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "signals:"
Message = dict[str, Any]


class Subscription:
    """One subscriber: the symbols it follows and a bounded queue of (symbol, message)."""

    def __init__(self, max_pending: int = 1000) -> None:
        self.symbols: set[str] = set()
        self.queue: asyncio.Queue[tuple[str, Message]] = asyncio.Queue(max_pending)
        self.dropped = 0

    def offer(self, symbol: str, message: Message) -> bool:
        """Queue a message when subscribed to `symbol` (True then); a slow subscriber loses
        the oldest."""
        if symbol not in self.symbols:
            return False
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait((symbol, message))
        return True

    async def next(self) -> tuple[str, Message]:
        """Wait for the next message."""
        return await self.queue.get()


class Fanout:
    """The local subscribers of one process."""

    def __init__(self) -> None:
        self._subs: set[Subscription] = set()

    def add(self) -> Subscription:
        """A new subscription (following no symbol yet)."""
        sub = Subscription()
        self._subs.add(sub)
        return sub

    def remove(self, sub: Subscription) -> None:
        """Forget a subscription."""
        self._subs.discard(sub)

    def deliver(self, symbol: str, message: Message) -> int:
        """Hand a message to every subscriber of `symbol`; returns how many got it."""
        return sum(sub.offer(symbol, message) for sub in list(self._subs))

    def __len__(self) -> int:
        return len(self._subs)


class SignalBus(Protocol):
    """Publishes signals per symbol and hands them to local subscribers."""

    kind: str
    fanout: Fanout

    async def start(self) -> None: ...

    async def publish(self, symbol: str, message: Message) -> None: ...

    async def close(self) -> None: ...


class MemoryBus:
    """In-process pub-sub: publishing delivers straight to this process's subscribers."""

    kind = "memory"

    def __init__(self) -> None:
        self.fanout = Fanout()

    async def start(self) -> None:
        """Nothing to start."""

    async def publish(self, symbol: str, message: Message) -> None:
        """Deliver to local subscribers of `symbol`."""
        self.fanout.deliver(symbol, message)

    async def close(self) -> None:
        """Nothing to close."""


class RedisBus:
    """Redis pub-sub on channels `signals:{symbol}`, one pattern subscription per process."""

    kind = "redis"

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self.fanout = Fanout()
        self._client = aioredis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Subscribe to `signals:*` and start relaying to local subscribers."""
        self._task = asyncio.create_task(self._relay(), name="signal-relay")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def publish(self, symbol: str, message: Message) -> None:
        """Publish on `signals:{symbol}`; every process's subscribers receive it."""
        await self._client.publish(CHANNEL_PREFIX + symbol, json.dumps(message, default=str))

    async def close(self) -> None:
        """Stop relaying and close the connection pool."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _relay(self) -> None:
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                    self._ready.set()
                    async for raw in _messages(pubsub):
                        self._deliver(raw)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarted: resubscribe after a pause
                log.warning("signal relay lost Redis (%s); resubscribing", exc)
                await asyncio.sleep(1.0)

    def _deliver(self, raw: dict[str, Any]) -> None:
        channel = raw["channel"].decode() if isinstance(raw["channel"], bytes) else raw["channel"]
        try:
            message = json.loads(raw["data"])
        except (TypeError, ValueError):
            log.warning("ignoring a malformed message on %s", channel)
            return
        self.fanout.deliver(channel.removeprefix(CHANNEL_PREFIX), message)


async def _messages(pubsub: Any) -> AsyncIterator[dict[str, Any]]:
    async for raw in pubsub.listen():
        if raw.get("type") == "pmessage":
            yield raw


def make_bus(settings: Settings) -> SignalBus:
    """Redis pub-sub when `redis_url` is set, otherwise in-process."""
    return RedisBus(settings.redis_url) if settings.redis_url else MemoryBus()
