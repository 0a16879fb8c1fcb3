"""Tracking: the log writer, outcome scoring and resolution, signal queries (SQLite)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tradingia.core.timeframes import Timeframe
from tradingia.tracking import (
    LogWriter,
    SignalFilter,
    create_tables,
    find_signals,
    resolve_due,
    score_prediction,
)

T0 = pd.Timestamp("2026-03-02 10:00", tz="UTC")


def _candles(n: int, start: pd.Timestamp) -> pd.DataFrame:
    close = 100.0 + np.arange(n, dtype=float)
    index = pd.date_range(start, periods=n, freq="5min", tz="UTC", name="timestamp")
    return pd.DataFrame({"open": close - 0.5, "high": close + 1.0, "low": close - 1.0,
                         "close": close, "volume": 1.0}, index=index)


def _prediction(**extra: object) -> dict[str, object]:
    return {"id": "p1", "created_at": T0.to_pydatetime(), "symbol": "BTCUSDT",
            "timeframe": "5m", "horizon": 3, "candle_time": T0.to_pydatetime(),
            "reference_close": 100.0, "predicted_high": 104.0, "predicted_low": 99.5,
            "direction": "long", "confidence": 0.7, "resolved": False, **extra}


@pytest.fixture
def db(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'track.sqlite'}")


def test_score_compares_the_realised_range_and_return_with_the_prediction() -> None:
    future = _candles(5, T0 + pd.Timedelta(minutes=5))  # closes 100..104
    outcome = score_prediction(_prediction(), future)
    assert outcome is not None
    assert outcome["realised_high"] == 103.0 and outcome["realised_low"] == 99.0
    assert outcome["realised_return"] == pytest.approx(0.02)
    assert outcome["high_error"] == pytest.approx(-1.0)
    assert outcome["low_error"] == pytest.approx(-0.5)
    assert outcome["range_hit"] is False  # the low went below the predicted low
    assert outcome["direction_hit"] is True


def test_score_waits_until_the_horizon_is_complete() -> None:
    assert score_prediction(_prediction(), _candles(2, T0 + pd.Timedelta(minutes=5))) is None


def test_resolve_due_scores_only_predictions_whose_horizon_has_passed(db: sa.Engine) -> None:
    tables = create_tables(db)
    with db.begin() as conn:
        conn.execute(sa.insert(tables.predictions), [
            _prediction(), _prediction(id="p2", horizon=30)])
    candles = _candles(40, T0 + pd.Timedelta(minutes=5))

    def read(symbol: str, tf: Timeframe, start: pd.Timestamp, end: pd.Timestamp):
        return candles.loc[(candles.index >= start) & (candles.index < end)]

    report = resolve_due(db, tables, read, T0 + pd.Timedelta(minutes=30))
    assert report.to_dict() == {"resolved": 1, "waiting": 1}
    with db.connect() as conn:
        ids = conn.execute(sa.select(tables.outcomes.c.prediction_id)).scalars().all()
        resolved = conn.execute(sa.select(tables.predictions.c.id)
                                .where(tables.predictions.c.resolved)).scalars().all()
    assert ids == ["p1"] and resolved == ["p1"]
    assert resolve_due(db, tables, read, T0 + pd.Timedelta(hours=4)).resolved == 1


def test_writer_writes_off_the_caller_thread_in_batches(db: sa.Engine) -> None:
    tables = create_tables(db)
    writer = LogWriter(db, tables)
    for i in range(50):
        assert writer.submit("predictions", _prediction(id=f"p{i}"))
    writer.close()
    assert writer.stats.written == 50
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM ml_predictions")).scalar() == 50


def test_writer_counts_overflow_instead_of_dropping_silently(
    db: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    tables = create_tables(db)
    gate = threading.Event()
    real_write = LogWriter._write

    def slow_write(self: LogWriter, rows: dict) -> None:
        gate.wait(10)
        real_write(self, rows)

    LogWriter._write = slow_write  # type: ignore[method-assign]
    try:
        writer = LogWriter(db, tables, max_queue=3, batch_size=1)
        accepted = [writer.submit("predictions", _prediction(id=f"p{i}")) for i in range(10)]
        gate.set()
        writer.close()
    finally:
        LogWriter._write = real_write  # type: ignore[method-assign]
    assert accepted.count(False) == writer.stats.overflowed > 0
    assert writer.stats.written == accepted.count(True)
    assert "tracking queue full" in caplog.text


def test_writer_counts_rows_it_could_not_write(db: sa.Engine) -> None:
    tables = create_tables(db)
    writer = LogWriter(db, tables)
    writer.submit("predictions", {"id": "x"})  # misses NOT NULL columns
    writer.close()
    assert writer.stats.failed == 1 and writer.stats.written == 0


def test_signals_are_found_by_symbol_time_direction_and_confidence(db: sa.Engine) -> None:
    tables = create_tables(db)
    base = {"created_at": T0.to_pydatetime(), "timeframe": "5m", "source": "api"}
    rows = [
        {**base, "id": "a", "symbol": "BTCUSDT", "time": T0.to_pydatetime(),
         "direction": "long", "confidence": 0.8},
        {**base, "id": "b", "symbol": "BTCUSDT", "time": (T0 + pd.Timedelta(hours=1))
         .to_pydatetime(), "direction": "short", "confidence": 0.6},
        {**base, "id": "c", "symbol": "ETHUSDT", "time": T0.to_pydatetime(),
         "direction": "long", "confidence": 0.9},
    ]
    with db.begin() as conn:
        conn.execute(sa.insert(tables.signals), rows)

    def ids(**kw: object) -> list[str]:
        return [r["id"] for r in find_signals(db, tables, SignalFilter(**kw))]  # type: ignore[arg-type]

    assert ids(symbol="BTCUSDT") == ["b", "a"]
    assert sorted(ids(direction="long")) == ["a", "c"]
    assert ids(min_confidence=0.85) == ["c"]
    assert ids(start=T0 + pd.Timedelta(minutes=30)) == ["b"]
    assert ids(end=T0 + pd.Timedelta(minutes=30), symbol="BTCUSDT") == ["a"]
    assert find_signals(db, tables, SignalFilter())[0]["time"].tzinfo is not None
