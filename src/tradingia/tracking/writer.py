"""A log writer that keeps database writes off the request's hot path.

Rows go into a bounded queue and a background thread inserts them in batches. When the queue
is full the row is not written, but never silently: every overflow is counted (and exported as
a metric by the API) and logged.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tradingia.tracking.tables import TrackingTables

log = logging.getLogger(__name__)

Row = dict[str, Any]
_STOP = object()


@dataclass
class WriterStats:
    """Counters of a LogWriter: rows written, rows lost to a full queue, rows lost to errors."""

    written: int = 0
    overflowed: int = 0
    failed: int = 0


class LogWriter:
    """Batches rows into the tracking tables from a background thread."""

    def __init__(
        self, engine: sa.Engine, tables: TrackingTables, max_queue: int = 10_000,
        batch_size: int = 500,
    ) -> None:
        self._engine = engine
        self._tables = {"predictions": tables.predictions, "signals": tables.signals}
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queue)
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.stats = WriterStats()
        self._thread = threading.Thread(target=self._run, name="tracking-writer", daemon=True)
        self._thread.start()

    def submit(self, table: str, row: Row) -> bool:
        """Queue a row for `table` ('predictions' or 'signals'); False when it overflowed."""
        if table not in self._tables:
            raise ValueError(f"unknown tracking table {table!r}; use one of {sorted(self._tables)}")
        try:
            self._queue.put_nowait((table, row))
        except queue.Full:
            with self._lock:
                self.stats.overflowed += 1
                count = self.stats.overflowed
            if count == 1 or count % 1000 == 0:
                log.warning("tracking queue full: %d %s rows not logged so far", count, table)
            return False
        return True

    @property
    def pending(self) -> int:
        """Rows waiting in the queue."""
        return self._queue.qsize()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row has been handled; False on timeout."""
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        self.flush(timeout)
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch, markers, stop = [first], [], False
            while len(batch) < self._batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows: defaultdict[str, list[Row]] = defaultdict(list)
            for item in batch:
                if item is _STOP:
                    stop = True
                elif isinstance(item, threading.Event):
                    markers.append(item)
                elif isinstance(item, tuple):
                    rows[str(item[0])].append(item[1])
            self._write(rows)
            for marker in markers:
                marker.set()
            if stop:
                return

    def _write(self, rows: dict[str, list[Row]]) -> None:
        for table, batch in rows.items():
            if not batch:
                continue
            try:
                with self._engine.begin() as conn:
                    conn.execute(sa.insert(self._tables[table]), batch)
            except Exception as exc:  # a failed write must not kill the writer
                with self._lock:
                    self.stats.failed += len(batch)
                log.error("tracking: %d %s rows not logged: %s", len(batch), table, exc)
            else:
                with self._lock:
                    self.stats.written += len(batch)
