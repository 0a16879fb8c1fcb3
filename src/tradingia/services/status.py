"""Read-only use cases of the API: detailed health, models, per-horizon and analysis views."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.services import market_api
from tradingia.services.engine import MLEngine
from tradingia.tracking.outcomes import utc


async def detailed_health(engine: MLEngine) -> dict[str, Any]:
    """Models, store, cache, database and last candles; status 'degraded' when one fails."""
    now = engine.clock()
    cache = await engine.check_cache()
    database = await asyncio.to_thread(engine.check_database)
    try:
        series = await asyncio.to_thread(market_api.last_candles, engine.settings, now)
        store: dict[str, Any] = {"ok": True, "series": series}
    except Exception as exc:  # report, do not fail the health check
        store = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    models = engine.predictor.status()
    ok = cache["ok"] and database["ok"] and store["ok"]
    return {
        "status": "ok" if ok else "degraded", "mode": engine.settings.mode,
        "time": now.isoformat(), "uptime_seconds": (now - engine.started_at).total_seconds(),
        "models": {"loaded": len(models), "sets": models},
        "store": store, "cache": cache, "database": database,
    }


def models_status(engine: MLEngine) -> dict[str, Any]:
    """Loaded model sets with their versions and ages."""
    now = engine.clock()
    sets = [
        item | {"age_seconds": None if item.get("trained_at") is None
                else (now - utc(item["trained_at"])).total_seconds()}
        for item in engine.predictor.status()
    ]
    return {"loaded": len(sets), "sets": sets, "checked_at": now.isoformat()}


async def predictions_for_all_horizons(
    engine: MLEngine, symbol: str, timeframe: Timeframe
) -> dict[str, Any]:
    """The current (cached) prediction for each horizon of the promoted set."""
    name = get_symbol(symbol).name
    horizons = await asyncio.to_thread(engine.predictor.horizons, name, timeframe)
    replies = [await engine.predict(name, timeframe, h) for h in horizons]
    return {"symbol": name, "timeframe": timeframe.value,
            "predictions": [json.loads(r.body) for r in replies]}


def ensemble_view(engine: MLEngine, symbol: str, timeframe: Timeframe) -> dict[str, Any]:
    """The combined signal and its per-strategy attribution, without logging or publishing."""
    name = get_symbol(symbol).name
    return engine.predictor.signal(name, timeframe, None).to_dict()


def amd_view(engine: MLEngine, symbol: str, timeframe: Timeframe) -> dict[str, Any]:
    """The rule-based AMD phase features at the last candle."""
    return market_api.group_snapshot(engine.settings, symbol, timeframe, "amd")


def ict_view(engine: MLEngine, symbol: str, timeframe: Timeframe) -> dict[str, Any]:
    """Market-structure (ICT / smart-money) features at the last candle."""
    return market_api.group_snapshot(engine.settings, symbol, timeframe, "structure")
