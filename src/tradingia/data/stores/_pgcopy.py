"""PostgreSQL binary COPY rows of (ts timestamptz, open..volume float8), built with NumPy.

Every field has a fixed width (8 bytes, no NULLs), so a whole chunk of candles is one
structured big-endian array: encoding and decoding are a few vectorised copies instead of a
Python call per row. Format: https://www.postgresql.org/docs/current/sql-copy.html (Binary).
"""

from __future__ import annotations

import numpy as np

from tradingia.core.candles import CANDLE_COLUMNS
from tradingia.core.errors import StoreError

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z in Unix microseconds
_FIELDS = ("ts", *CANDLE_COLUMNS)
ROW = np.dtype(  # field count, then (length, value) per column; timestamptz is int64 µs
    [("nfields", ">i2")]
    + [item for name in _FIELDS
       for item in ((f"len_{name}", ">i4"), (name, ">i8" if name == "ts" else ">f8"))]
)


def encode(ts_us: np.ndarray, values: list[np.ndarray]) -> bytes:
    """One binary COPY stream (header, rows, trailer) for epoch-µs times and OHLCV arrays."""
    rows = np.empty(len(ts_us), dtype=ROW)
    rows["nfields"] = len(_FIELDS)
    rows["ts"] = ts_us - PG_EPOCH_US
    for name, column in zip(_FIELDS, [None, *values], strict=True):
        rows[f"len_{name}"] = 8
        if column is not None:
            rows[name] = column
    return SIGNATURE + b"\x00" * 8 + rows.tobytes() + TRAILER


def decode(stream: bytes | bytearray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Epoch-µs times and OHLCV arrays from a binary COPY stream of the same six columns."""
    if not stream:
        return np.empty(0, dtype=np.int64), [np.empty(0) for _ in CANDLE_COLUMNS]
    if not stream.startswith(SIGNATURE) or not stream.endswith(TRAILER):
        raise StoreError("PostgreSQL sent a COPY stream this store cannot read (bad framing).")
    extension = int.from_bytes(stream[15:19], "big")
    body = memoryview(stream)[19 + extension: len(stream) - len(TRAILER)]
    if len(body) % ROW.itemsize:
        raise StoreError("PostgreSQL sent candle rows of an unexpected width (NULL values?).")
    rows = np.frombuffer(body, dtype=ROW)
    lengths_ok = all(bool(np.all(rows[f"len_{n}"] == 8)) for n in _FIELDS)
    if not (lengths_ok and bool(np.all(rows["nfields"] == len(_FIELDS)))):
        raise StoreError("PostgreSQL sent candle rows with an unexpected layout.")
    ts = rows["ts"].astype(np.int64) + PG_EPOCH_US
    return ts, [rows[name].astype(np.float64) for name in CANDLE_COLUMNS]
