"""Candle files: CSV, CSV.gz, Parquet and MetaTrader (MT4 / MT5) exports, parsed to candle frames.

This module only parses: rows stay in file order, unsorted and undeduplicated;
`tradingia.data.validation` checks the candle rules afterwards. Parsing errors name the
file's 1-based line numbers (Parquet: row numbers) and say how to fix them.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from tradingia.core.candles import CANDLE_COLUMNS, INDEX_NAME, empty_candles
from tradingia.core.errors import DataValidationError, NotFoundError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources._timestamps import BadRowsError, parse_timestamps

SUPPORTED_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".parquet", ".pq")
EXPECTED = "timestamp,open,high,low,close,volume"

# Accepted column names per role, in order of preference (compared lower-case, without <>).
_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "datetime", "date_time", "open_time", "opentime", "time_utc",
                  "ts", "t"),
    "date": ("date", "day"),
    "time": ("time",),
    "open": ("open", "o", "open_price"),
    "high": ("high", "h", "high_price"),
    "low": ("low", "l", "low_price"),
    "close": ("close", "c", "close_price"),
    "volume": ("volume", "tick_volume", "tickvol", "vol", "real_volume", "v"),
}
_KNOWN = frozenset(name for names in _ALIASES.values() for name in names)
_SHOWN = 10


def read_candle_file(path: Path, timeframe: Timeframe | None = None) -> pd.DataFrame:
    """Parse a candle file into the candle frame of DESIGN.md, in file order.

    Accepts CSV / CSV.gz / TXT with a header (`timestamp,open,high,low,close,volume`,
    case-insensitive, common variants such as `time`, `date` + `time`, `open_time`, `vol`,
    `tick_volume`), headerless MT4 History Center exports (`2024.01.02,00:00,o,h,l,c,v`) and
    Parquet. `timeframe`, when given, lets offsets that differ by whole candles (DST) through.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"Candle file {path} does not exist (or is not a file).")
    name = path.name.lower()
    if not name.endswith(SUPPORTED_SUFFIXES):
        raise UnsupportedError(
            f"Unsupported candle file {path.name!r}: use one of {', '.join(SUPPORTED_SUFFIXES)}."
        )
    raw = _read_parquet(path) if name.endswith((".parquet", ".pq")) else _read_csv(path)
    return raw.to_candles(timeframe)


@dataclass(frozen=True)
class _Raw:
    """Parsed columns before timestamp conversion, and how to name a row in an error."""

    path: Path
    times: pd.Series
    prices: dict[str, np.ndarray]
    line_of: _LineNumbers

    def to_candles(self, timeframe: Timeframe | None) -> pd.DataFrame:
        if len(self.times) == 0:
            return empty_candles()
        try:
            index = parse_timestamps(self.times, timeframe)
        except BadRowsError as bad:
            raise _bad_rows_error(self.path, bad.rule, bad.groups, bad.hint, self.line_of) from None
        frame = pd.DataFrame(self.prices, index=index.rename(INDEX_NAME), copy=False)
        return frame.loc[:, list(CANDLE_COLUMNS)]


class _LineNumbers:
    """Maps row positions to what a user sees: CSV line numbers, or Parquet row numbers."""

    def __init__(self, path: Path | None, header_lines: int) -> None:
        self._path = path
        self._header_lines = header_lines
        self._lines: np.ndarray | None = None

    @property
    def noun(self) -> str:
        return "row" if self._path is None else "line"

    def __call__(self, positions: np.ndarray) -> list[int]:
        if self._path is None:
            return [int(p) + 1 for p in positions]
        if self._lines is None:  # only on the error path: scan for blank lines the parser skips
            with _open_text(self._path) as fh:
                self._lines = np.array(
                    [n for n, line in enumerate(fh, start=1)
                     if n > self._header_lines and line.strip()], dtype="int64")
        return [int(n) for n in self._lines[positions]]


def _bad_rows_error(
    path: Path, rule: str, groups: dict[str, np.ndarray], hint: str, line_of: _LineNumbers
) -> DataValidationError:
    parts, problems = [], {}
    for what, positions in groups.items():
        lines = line_of(positions)
        labels = [f"{line_of.noun} {n}" for n in lines]
        problems[f"{rule} ({what})" if len(groups) > 1 else rule] = labels
        parts.append(f"{what}: {_enumerate(lines, line_of.noun)}")
    message = f"{path}: {rule} — {'; '.join(parts)}. {hint} Fix or delete these rows."
    return DataValidationError(message, problems)


def _enumerate(numbers: Sequence[int], noun: str) -> str:
    shown = ", ".join(str(n) for n in numbers[:_SHOWN])
    more = f" and {len(numbers) - _SHOWN} more" if len(numbers) > _SHOWN else ""
    return f"{noun}{'s' if len(numbers) > 1 else ''} {shown}{more}"


# --- CSV -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each role sits in a CSV: column positions and lines to skip."""

    width: int
    roles: dict[str, int]
    header_lines: int
    delimiter: str


@contextmanager
def _open_text(path: Path) -> Iterator[IO[str]]:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield fh
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield fh


def _read_csv(path: Path) -> _Raw:
    layout = _sniff(path)
    line_of = _LineNumbers(path, layout.header_lines)
    names = [f"c{i}" for i in range(layout.width)]
    ragged: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged.append(row.text)
        return "skip"

    def read(price_type: pa.DataType) -> pa.Table:
        types = {names[i]: (price_type if role in CANDLE_COLUMNS else pa.string())
                 for role, i in layout.roles.items()}
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=layout.header_lines, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types=types, include_columns=list(types),
                                                 strings_can_be_null=True),
        )

    try:
        table = read(pa.float64())
    except pa.ArrowInvalid:  # a price that is not a number: find every such row
        table = read(pa.string())
        _raise_bad_prices(path, table, layout, line_of)
    if ragged:
        _raise_ragged(path, layout)
    times = _time_column(table, layout)
    prices = {role: table.column(f"c{layout.roles[role]}").to_numpy().astype("float64")
              for role in CANDLE_COLUMNS}
    return _Raw(path, times, prices, line_of)


def _time_column(table: pa.Table, layout: _Layout) -> pd.Series:
    def column(role: str) -> pd.Series:
        return pd.Series(table.column(f"c{layout.roles[role]}").to_pandas())

    if "timestamp" in layout.roles:
        return column("timestamp")
    return _join_date_time(column("date"), column("time"))


def _join_date_time(date: pd.Series, time: pd.Series) -> pd.Series:
    """One `date time` text column from a split date and time column (a null stays null)."""
    joined: pd.Series = date.str.cat(time, sep=" ")
    return joined


def _sniff(path: Path) -> _Layout:
    """Decide delimiter, header and column roles from the first line."""
    with _open_text(path) as fh:
        first = next((line for line in fh if line.strip()), "")
    if not first:
        raise DataValidationError(f"{path} is empty; expected a header `{EXPECTED}` and rows.")
    delimiter = max((",", ";", "\t"), key=first.count)
    fields = next(csv.reader([first], delimiter=delimiter))
    names = [_normalise(f) for f in fields]
    if _KNOWN.intersection(names):
        return _Layout(len(fields), _roles(names, str(path)), 1, delimiter)
    if not fields[0].strip()[:1].isdigit():
        raise DataValidationError(
            f"{path}: unrecognised header {first.strip()!r}. Expected columns {EXPECTED} "
            "(case-insensitive; `time`, `date`, `open_time`, `vol`, `tick_volume` also work), "
            "or a headerless MT4 export `2024.01.02,00:00,open,high,low,close,volume`."
        )
    return _headerless(fields, delimiter, path)


def _headerless(fields: list[str], delimiter: str, path: Path) -> _Layout:
    """MT4 History Center export: date, time, o, h, l, c, v; or one date-time field first."""
    split = len(fields) >= 7 and ":" in fields[1] and ":" not in fields[0]
    start = 2 if split else 1
    if len(fields) < start + 5:
        raise DataValidationError(
            f"{path}: no header and only {len(fields)} fields per line. Add the header "
            f"`{EXPECTED}`, or use the MT4 export layout `2024.01.02,00:00,o,h,l,c,volume`."
        )
    roles = {"date": 0, "time": 1} if split else {"timestamp": 0}
    roles |= {role: start + i for i, role in enumerate(CANDLE_COLUMNS)}
    return _Layout(len(fields), roles, 0, delimiter)


def _normalise(name: str) -> str:
    return name.strip().strip("<>").strip().lower().replace(" ", "_").replace("-", "_")


def _roles(names: list[str], where: str) -> dict[str, int]:
    """Column position per role; raises naming what is missing and what was found."""

    def find(role: str) -> int | None:
        return next((names.index(a) for a in _ALIASES[role] if a in names), None)

    roles = {role: i for role in CANDLE_COLUMNS if (i := find(role)) is not None}
    stamp, date, time = find("timestamp"), find("date"), find("time")
    if stamp is not None:
        roles["timestamp"] = stamp
    elif date is not None and time is not None:
        roles |= {"date": date, "time": time}
    elif date is not None or time is not None:
        roles["timestamp"] = date if date is not None else time  # type: ignore[assignment]
    missing = [r for r in CANDLE_COLUMNS if r not in roles]
    if "timestamp" not in roles and "date" not in roles:
        missing.insert(0, "timestamp")
    if missing:
        raise DataValidationError(
            f"{where}: missing column(s) {', '.join(missing)}; found {', '.join(names)}. "
            f"Expected {EXPECTED} (case-insensitive; `time`, `date` + `time`, `open_time`, "
            "`vol`, `tick_volume` also work)."
        )
    return roles


def _parse_prices(
    columns: Mapping[str, pd.Series],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each column as float64, and per column the row positions present but not a number."""
    prices: dict[str, np.ndarray] = {}
    bad: dict[str, np.ndarray] = {}
    for role, column in columns.items():
        numbers = pd.to_numeric(column, errors="coerce")
        wrong = numbers.isna() & column.notna()
        if wrong.any():
            bad[role] = np.flatnonzero(wrong.to_numpy())
        prices[role] = numbers.to_numpy(dtype="float64", na_value=np.nan)
    return prices, bad


def _raise_bad_prices(path: Path, table: pa.Table, layout: _Layout, line_of: _LineNumbers) -> None:
    _, groups = _parse_prices({role: table.column(f"c{layout.roles[role]}").to_pandas()
                               for role in CANDLE_COLUMNS})
    raise _bad_rows_error(path, "unparseable price", groups,
                          "Prices and volume must be plain numbers with a '.' decimal point.",
                          line_of)


def _raise_ragged(path: Path, layout: _Layout) -> None:
    with _open_text(path) as fh:
        rows = csv.reader(fh, delimiter=layout.delimiter)
        lines = [n for n, row in enumerate(rows, start=1)
                 if n > layout.header_lines and row and len(row) != layout.width]
    raise DataValidationError(
        f"{path}: wrong number of fields at {_enumerate(lines, 'line')} "
        f"(expected {layout.width}, like the first line). Fix or delete these lines.",
        {"wrong number of fields": [f"line {n}" for n in lines]},
    )


# --- Parquet -------------------------------------------------------------------------------


def _read_parquet(path: Path) -> _Raw:
    frame = pd.read_parquet(path)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    names = [_normalise(str(c)) for c in frame.columns]
    roles = _roles(names, str(path))
    if "timestamp" in roles:
        times = frame.iloc[:, roles["timestamp"]]
    else:
        times = _join_date_time(frame.iloc[:, roles["date"]].astype("str"),
                                frame.iloc[:, roles["time"]].astype("str"))
    line_of = _LineNumbers(None, 0)
    prices, bad = _parse_prices({role: frame.iloc[:, roles[role]] for role in CANDLE_COLUMNS})
    if bad:
        raise _bad_rows_error(path, "unparseable price", bad,
                              "Prices and volume must be numeric columns.", line_of)
    return _Raw(path, times.reset_index(drop=True), prices, line_of)
