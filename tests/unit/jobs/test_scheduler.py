"""The periodic scheduler, driven by a fake clock."""

from __future__ import annotations

import threading

import pandas as pd

from tradingia.jobs.scheduler import PeriodicJob, run_due_jobs, run_forever

T0 = pd.Timestamp("2025-01-01 00:00", tz="UTC")


def test_job_runs_at_start_then_once_per_interval() -> None:
    seen: list[pd.Timestamp] = []
    job = PeriodicJob("sync", 300, lambda now: seen.append(now) or len(seen))
    for minute in range(0, 16):
        run_due_jobs([job], T0 + pd.Timedelta(minutes=minute))
    assert seen == [T0, T0 + pd.Timedelta(minutes=5), T0 + pd.Timedelta(minutes=10),
                    T0 + pd.Timedelta(minutes=15)]


def test_failing_job_is_counted_and_retried_without_stopping_others() -> None:
    calls = {"bad": 0, "good": 0}

    def bad(now: pd.Timestamp) -> object:
        calls["bad"] += 1
        raise RuntimeError("venue down")

    def good(now: pd.Timestamp) -> object:
        calls["good"] += 1
        return "ok"

    jobs = [PeriodicJob("bad", 60, bad), PeriodicJob("good", 60, good)]
    first = run_due_jobs(jobs, T0)
    run_due_jobs(jobs, T0 + pd.Timedelta(minutes=1))
    assert first[0] == ("bad", {"error": "venue down"})
    assert calls == {"bad": 2, "good": 2}
    assert jobs[0].failures == 2 and jobs[1].failures == 0


def test_run_forever_stops_when_the_event_is_set() -> None:
    stop = threading.Event()
    ticks = iter(T0 + pd.Timedelta(minutes=5 * i) for i in range(100))
    results: list[str] = []

    def record(name: str, outcome: object) -> None:
        results.append(name)
        if len(results) == 3:
            stop.set()

    run_forever([PeriodicJob("sync", 300, lambda now: None)], lambda: next(ticks), stop,
                tick_seconds=0, on_result=record)
    assert results == ["sync", "sync", "sync"]
