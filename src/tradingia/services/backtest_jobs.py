"""Backtests as background jobs of the API, over the backtest use case (`services.backtest`)."""

from __future__ import annotations

import importlib
from typing import Any

from tradingia.core.errors import ConfigError
from tradingia.core.settings import Settings
from tradingia.core.symbols import get_symbol
from tradingia.services.background import Job, JobRunner


def _backtest_service() -> Any:
    try:
        return importlib.import_module("tradingia.services.backtest")
    except ImportError as exc:
        raise ConfigError(
            f"The backtest service is not available in this build ({exc}); "
            "run `tradingia backtest ...` once it is."
        ) from exc


def submit(jobs: JobRunner, settings: Settings, params: dict[str, Any]) -> Job:
    """Check the request now (422 / 503 at once), then run the backtest in the background."""
    params = params | {"symbol": get_symbol(str(params["symbol"])).name}
    service = _backtest_service()
    runner = getattr(service, "run_backtest_job", None)
    if runner is None:
        raise ConfigError("The backtest service has no `run_backtest_job` use case yet.")
    return jobs.submit("backtest", params, lambda: runner(settings, **params))
