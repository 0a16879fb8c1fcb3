"""Backtests as background jobs of the API, over the backtest use case (`services.backtest`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tradingia.backtest.config import BacktestConfig, CostConfig
from tradingia.backtest.metrics import json_ready
from tradingia.core.settings import Settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.services.background import Job, JobRunner


def _run(settings: Settings, job_id: str, params: dict[str, Any]) -> dict[str, Any]:
    from tradingia.services.backtest import BacktestJob, run_backtest_job

    costs = CostConfig(taker_fee_bps=params["fee_bps"], slippage_bps=params["slippage_bps"])
    job = BacktestJob(
        symbol=params["symbol"], timeframe=Timeframe.parse(params["timeframe"]),
        report_dir=settings.home / "reports" / "backtests" / job_id,
        config=BacktestConfig(costs=costs), preset=params.get("preset") or "moderate",
        start=None if params.get("start") is None else pd.Timestamp(params["start"]),
        end=None if params.get("end") is None else pd.Timestamp(params["end"]),
    )
    outcome = run_backtest_job(job, settings)
    return {"metrics": json_ready(outcome.metrics),
            "files": {k: str(v) for k, v in outcome.files.items()}}


def submit(jobs: JobRunner, settings: Settings, params: dict[str, Any]) -> Job:
    """Check the symbol now (422 at once), then run the backtest in the background."""
    params = params | {"symbol": get_symbol(str(params["symbol"])).name}
    return jobs.submit("backtest", params, lambda job_id: _run(settings, job_id, params))
