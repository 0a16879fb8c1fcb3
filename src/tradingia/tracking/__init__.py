"""Prediction / signal logs and outcome resolution (tables, writer, queries)."""

from tradingia.tracking.outcomes import ResolveReport, resolve_due, score_prediction
from tradingia.tracking.queries import SignalFilter, find_signals, recent_predictions
from tradingia.tracking.tables import TrackingTables, build_tables, create_tables
from tradingia.tracking.writer import LogWriter, WriterStats

__all__ = [
    "LogWriter",
    "ResolveReport",
    "SignalFilter",
    "TrackingTables",
    "WriterStats",
    "build_tables",
    "create_tables",
    "find_signals",
    "recent_predictions",
    "resolve_due",
    "score_prediction",
]
