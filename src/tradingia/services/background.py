"""Background jobs of the API (backtests): a job id, a status, a result or an error.

Work runs in a small thread pool; jobs live in memory and the oldest finished ones are
forgotten past `keep`.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tradingia.core.errors import NotFoundError, TradingiaError


@dataclass
class Job:
    """One background job and what became of it."""

    id: str
    kind: str
    params: dict[str, Any]
    submitted_at: pd.Timestamp
    status: str = "queued"  # queued, running, succeeded, failed
    result: Any = None
    error: dict[str, str] | None = None
    finished_at: pd.Timestamp | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view of the job."""
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "params": self.params,
            "submitted_at": self.submitted_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "result": self.result, "error": self.error,
        }


class JobRunner:
    """Runs callables in the background and keeps their status by id."""

    def __init__(self, clock: Callable[[], pd.Timestamp], workers: int = 1,
                 keep: int = 200) -> None:
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, params: dict[str, Any], work: Callable[[str], Any]) -> Job:
        """Queue `work(job_id)`; its return value becomes the job's result."""
        job = Job(str(uuid.uuid4()), kind, params, self._clock())
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job:
        """The job with this id, or NotFoundError."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"No job {job_id!r} (jobs are kept in memory until restart).")
        return job

    def close(self) -> None:
        """Stop accepting work; running jobs finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, work: Callable[[str], Any]) -> None:
        job.status = "running"
        try:
            job.result = work(job.id)
            job.status = "succeeded"
        except TradingiaError as exc:
            job.error, job.status = {"error": type(exc).__name__, "message": str(exc)}, "failed"
        except Exception as exc:  # report, never crash the pool
            job.error = {"error": "InternalError", "message": f"{type(exc).__name__}: {exc}"}
            job.status = "failed"
        job.finished_at = self._clock()

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("succeeded", "failed")]
        for key in finished[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[key]
