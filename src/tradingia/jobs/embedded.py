"""The jobs `tradingia serve` runs beside the API in embedded mode: sync, signals, outcomes."""

from __future__ import annotations

import logging
import threading

from tradingia.jobs.outcome_job import make_outcome_job
from tradingia.jobs.scheduler import PeriodicJob, run_forever
from tradingia.jobs.signal_job import make_signal_job
from tradingia.jobs.sync_job import make_sync_job
from tradingia.services.engine import MLEngine

log = logging.getLogger(__name__)


def engine_jobs(engine: MLEngine) -> list[PeriodicJob]:
    """Market-data sync, signal publishing at candle close, outcome resolution."""
    return [make_sync_job(engine.settings), make_signal_job(engine), make_outcome_job(engine)]


def run_engine_jobs(engine: MLEngine, stop: threading.Event) -> None:
    """Run the engine's jobs until `stop` is set (a thread beside the server)."""
    jobs = engine_jobs(engine)
    log.info("embedded jobs: %s", ", ".join(f"{j.name} every {j.interval_seconds:g}s"
                                            for j in jobs))
    run_forever(jobs, engine.clock, stop,
                on_result=lambda name, outcome: log.info("job %s: %s", name, outcome))
