"""`POST /api/v1/backtesting/run` (a background job) and its status endpoint."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tradingia.api.deps import ApiKey, EngineDep, JobsDep
from tradingia.api.routers import ERRORS
from tradingia.api.schemas import BacktestRequest, JobOut
from tradingia.services import backtest_jobs

router = APIRouter(prefix="/api/v1/backtesting", tags=["backtesting"])


@router.post("/run", response_model=JobOut, status_code=202, responses=ERRORS)
def run_backtest(body: BacktestRequest, engine: EngineDep, jobs: JobsDep, _: ApiKey) -> Any:
    """Queue a backtest; poll `GET /api/v1/backtesting/jobs/{id}` for its result."""
    return backtest_jobs.submit(jobs, engine.settings, body.model_dump(mode="json")).to_dict()


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
def backtest_job(job_id: str, jobs: JobsDep, _: ApiKey) -> Any:
    """Status of a backtest job, with its result or error once finished."""
    return jobs.get(job_id).to_dict()
