"""`tradingia worker`: runs the scheduled jobs (sync, signal publishing, outcome resolution).

In server mode the API processes serve requests and one worker runs the jobs; in embedded mode
`tradingia serve` runs the same jobs itself.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from tradingia.cli._console import console

if TYPE_CHECKING:
    from tradingia.core.settings import Settings


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run every job once and exit.")] = False,
) -> None:
    """Run sync (every TRADINGIA_SYNC_INTERVAL_SECONDS), signal publishing and outcome jobs."""
    from tradingia.core.settings import get_settings

    settings = get_settings()
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    asyncio.run(_run(settings, stop, once))


async def _run(settings: Settings, stop: threading.Event, once: bool) -> None:
    from tradingia.jobs.embedded import engine_jobs, run_engine_jobs
    from tradingia.jobs.scheduler import run_due_jobs
    from tradingia.services.engine import MLEngine

    engine = MLEngine.build(settings)
    await engine.start()
    try:
        if once:
            results = await asyncio.to_thread(run_due_jobs, engine_jobs(engine), engine.clock())
            for name, outcome in results:
                console.print(f"{name}: {json.dumps(outcome, default=str)}")
            return
        console.print(f"worker started ({settings.mode} mode): "
                      + ", ".join(f"{j.name} every {j.interval_seconds:g}s"
                                  for j in engine_jobs(engine)))
        await asyncio.to_thread(run_engine_jobs, engine, stop)
    finally:
        await engine.close()
