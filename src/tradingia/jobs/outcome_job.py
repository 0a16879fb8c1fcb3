"""Outcome resolution: once a logged prediction's horizon has passed, score it against the
candles that happened (`ml.prediction_outcomes`)."""

from __future__ import annotations

import pandas as pd

from tradingia.jobs.scheduler import PeriodicJob
from tradingia.services import market_api
from tradingia.services.engine import MLEngine
from tradingia.tracking import resolve_due


def make_outcome_job(engine: MLEngine, interval_seconds: float = 60.0) -> PeriodicJob:
    """A PeriodicJob resolving every prediction whose horizon has passed."""

    def run(now: pd.Timestamp) -> object:
        report = resolve_due(
            engine.db, engine.tables,
            lambda s, tf, a, b: market_api.read_range(engine.settings, s, tf, a, b), now)
        return report.to_dict()

    return PeriodicJob("outcomes", interval_seconds, run)
