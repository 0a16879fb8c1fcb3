"""`WS /ws/signals`: subscribe / unsubscribe per symbol, one message per new signal.

Client messages: `{"action": "subscribe" | "unsubscribe", "symbols": ["BTCUSDT", ...]}`.
Server messages: `{"type": "subscribed", "symbols": [...]}`,
`{"type": "signal", "symbol": ..., "signal": {...}}` and `{"type": "error", "message": ...}`.
The API key comes in the `X-API-Key` header or the `api_key` query parameter (browsers).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from tradingia.api.auth import HEADER
from tradingia.api.deps import AppState
from tradingia.api.errors import ApiError
from tradingia.core.errors import UnsupportedError
from tradingia.core.symbols import get_symbol
from tradingia.services.pubsub import Subscription

router = APIRouter(tags=["websocket"])


def _apply(sub: Subscription, message: Any) -> dict[str, Any]:
    if not isinstance(message, dict) or message.get("action") not in ("subscribe", "unsubscribe"):
        return {"type": "error",
                "message": 'send {"action": "subscribe" | "unsubscribe", "symbols": [...]}'}
    raw = message.get("symbols", [])
    symbols = [raw] if isinstance(raw, str) else raw
    try:
        names = {get_symbol(str(s)).name for s in symbols}
    except UnsupportedError as exc:
        return {"type": "error", "message": str(exc)}
    if message["action"] == "subscribe":
        sub.symbols |= names
    else:
        sub.symbols -= names
    return {"type": "subscribed", "symbols": sorted(sub.symbols)}


async def _pump(ws: WebSocket, sub: Subscription) -> None:
    while True:
        symbol, signal = await sub.next()
        await ws.send_json({"type": "signal", "symbol": symbol, "signal": signal})


@router.websocket("/ws/signals")
async def signals_ws(ws: WebSocket) -> None:
    """Live signals for the symbols this connection subscribes to."""
    state: AppState = ws.app.state.tradingia
    try:
        state.keys.check(ws.headers.get(HEADER) or ws.query_params.get("api_key"))
    except ApiError as exc:
        await ws.close(code=4401, reason=exc.message)
        return
    assert state.engine is not None
    await ws.accept()
    fanout = state.engine.bus.fanout
    sub = fanout.add()
    pump = asyncio.create_task(_pump(ws, sub))
    try:
        while True:
            try:
                message = await ws.receive_json()
            except ValueError:
                message = None
            await ws.send_json(_apply(sub, message))
    except WebSocketDisconnect:
        pass
    finally:
        fanout.remove(sub)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
