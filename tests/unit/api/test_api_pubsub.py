"""In-process pub-sub: only subscribers of a symbol get its signals."""

from __future__ import annotations

import asyncio

from tradingia.services.pubsub import MemoryBus


def test_subscribers_get_only_the_symbols_they_follow() -> None:
    async def scenario() -> tuple[list[str], int]:
        bus = MemoryBus()
        btc, eth = bus.fanout.add(), bus.fanout.add()
        btc.symbols.add("BTCUSDT")
        eth.symbols.add("ETHUSDT")
        await bus.publish("BTCUSDT", {"id": "1"})
        await bus.publish("ETHUSDT", {"id": "2"})
        got = [(await btc.next())[1]["id"], (await eth.next())[1]["id"]]
        bus.fanout.remove(btc)
        await bus.publish("BTCUSDT", {"id": "3"})
        return got, btc.queue.qsize()

    got, left = asyncio.run(scenario())
    assert got == ["1", "2"] and left == 0


def test_a_slow_subscriber_loses_the_oldest_messages_and_counts_them() -> None:
    async def scenario() -> tuple[int, str]:
        bus = MemoryBus()
        sub = bus.fanout.add()
        sub.symbols.add("BTCUSDT")
        for i in range(1005):
            await bus.publish("BTCUSDT", {"id": str(i)})
        return sub.dropped, (await sub.next())[1]["id"]

    assert asyncio.run(scenario()) == (5, "5")
