"""`tradingia worker`: runs the scheduled jobs (sync every 5 minutes, ...) until stopped."""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from typing import Annotated

import pandas as pd
import typer

from tradingia.cli._console import console
from tradingia.core.settings import get_settings
from tradingia.jobs.scheduler import run_due_jobs, run_forever
from tradingia.jobs.sync_job import make_sync_job


def _now() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(UTC))


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run every job once and exit.")] = False,
) -> None:
    """Run the scheduled jobs: market-data sync every TRADINGIA_SYNC_INTERVAL_SECONDS."""
    settings = get_settings()
    jobs = [make_sync_job(settings)]

    def report(name: str, outcome: object) -> None:
        console.print(f"[dim]{_now().isoformat()}[/] {name}: {json.dumps(outcome, default=str)}")

    if once:
        for name, outcome in run_due_jobs(jobs, _now()):
            report(name, outcome)
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"worker started ({settings.mode} mode); jobs: "
                  + ", ".join(f"{j.name} every {j.interval_seconds:g}s" for j in jobs))
    run_forever(jobs, _now, stop, on_result=report)
