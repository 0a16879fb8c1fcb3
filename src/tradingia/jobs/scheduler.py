"""A small periodic scheduler: each job runs every `interval` seconds until told to stop.

Clock and stop signal are handed in, so tests drive it with a fake clock and no sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

log = logging.getLogger(__name__)

Clock = Callable[[], pd.Timestamp]


@dataclass
class PeriodicJob:
    """A named unit of scheduled work; `run(now)` returns a JSON-ready summary."""

    name: str
    interval_seconds: float
    run: Callable[[pd.Timestamp], object]
    next_due: pd.Timestamp | None = None
    runs: int = 0
    failures: int = 0


def run_due_jobs(jobs: Sequence[PeriodicJob], now: pd.Timestamp) -> list[tuple[str, object]]:
    """Run every job that is due at `now` once; a failing job is logged and retried next time."""
    results: list[tuple[str, object]] = []
    for job in jobs:
        if job.next_due is not None and now < job.next_due:
            continue
        job.next_due = now + pd.Timedelta(seconds=job.interval_seconds)
        try:
            outcome = job.run(now)
        except Exception as exc:  # a job must never bring the worker down
            job.failures += 1
            log.exception("job %s failed: %s", job.name, exc)
            outcome = {"error": str(exc)}
        job.runs += 1
        results.append((job.name, outcome))
    return results


def run_forever(
    jobs: Sequence[PeriodicJob],
    clock: Clock,
    stop: threading.Event,
    tick_seconds: float = 1.0,
    on_result: Callable[[str, object], None] | None = None,
) -> None:
    """Run due jobs every tick until `stop` is set (SIGINT / SIGTERM in the worker)."""
    while not stop.is_set():
        for name, outcome in run_due_jobs(jobs, clock()):
            if on_result is not None:
                on_result(name, outcome)
        stop.wait(tick_seconds)
