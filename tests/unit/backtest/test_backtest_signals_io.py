"""Signals enter once, checked, with errors that say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from backtest_helpers import exact, make_candles, make_signals

from tradingia.backtest import read_signals_csv, run_backtest
from tradingia.core.errors import DataValidationError, NotFoundError

FLAT = (100.0, 101.0, 99.0, 100.0)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "signals.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_signals_csv_with_optional_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit,take_profit_2,size,entry\n"
                 "2024-01-01T00:00:00Z,long,95,105,110,2,99\n"
                 "2024-01-01T02:00:00Z,SELL,105,95,,1,\n"
                 "2024-01-01T03:00:00Z,neutral,,,,,\n")
    frame = read_signals_csv(path)
    assert frame["direction"].tolist() == [1.0, -1.0]
    assert str(frame.index.tz) == "UTC"
    assert frame["take_profit_2"].isna().tolist() == [False, True]


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        read_signals_csv(tmp_path / "nope.csv")


def test_unknown_columns_are_rejected_with_the_allowed_list(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit,confidence\n"
                 "2024-01-01T00:00:00Z,long,95,105,0.7\n")
    with pytest.raises(DataValidationError, match=r"Unknown signal column.*confidence.*allowed"):
        read_signals_csv(path)


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,take_profit\n2024-01-01T00:00:00Z,long,105\n")
    with pytest.raises(DataValidationError, match=r"lack column.*stop_loss"):
        read_signals_csv(path)


def test_missing_timestamp_column_says_what_header_to_use(tmp_path: Path) -> None:
    path = write(tmp_path, "time,direction,stop_loss,take_profit\n2024-01-01,long,95,105\n")
    with pytest.raises(DataValidationError, match="no `timestamp` column"):
        read_signals_csv(path)


def test_unknown_directions_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit\n"
                 "2024-01-01T00:00:00Z,up,95,105\n")
    with pytest.raises(DataValidationError, match=r"Unknown direction.*'up'"):
        read_signals_csv(path)


def test_non_numeric_prices_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit\n"
                 "2024-01-01T00:00:00Z,long,abc,105\n")
    with pytest.raises(DataValidationError, match=r"stop_loss.*non-numeric"):
        read_signals_csv(path)


def test_duplicate_timestamps_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit\n"
                 "2024-01-01T00:00:00Z,long,95,105\n2024-01-01T00:00:00Z,long,95,105\n")
    with pytest.raises(DataValidationError, match="duplicate"):
        read_signals_csv(path)


def test_a_signal_without_stop_loss_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "timestamp,direction,stop_loss,take_profit\n"
                 "2024-01-01T00:00:00Z,long,,105\n")
    with pytest.raises(DataValidationError, match="needs a stop_loss"):
        read_signals_csv(path)


def test_stop_on_the_wrong_side_of_entry_is_rejected() -> None:
    candles = make_candles([FLAT] * 3)
    bad = make_signals(candles, [{"bar": 0, "direction": "long", "stop_loss": 101.0,
                                  "take_profit": 110.0}])
    with pytest.raises(DataValidationError, match="stop_loss is not on the losing side"):
        run_backtest(candles, bad, exact())
    bad_limit = make_signals(candles, [{"bar": 0, "direction": "short", "stop_loss": 97.0,
                                        "take_profit": 90.0, "entry": 98.0}])
    with pytest.raises(DataValidationError, match="losing side"):
        run_backtest(candles, bad_limit, exact())


def test_target_on_the_wrong_side_of_entry_is_rejected() -> None:
    candles = make_candles([FLAT] * 3)
    bad = make_signals(candles, [{"bar": 0, "direction": "long", "stop_loss": 95.0,
                                  "take_profit": 99.0}])
    with pytest.raises(DataValidationError, match="take_profit is not beyond"):
        run_backtest(candles, bad, exact())


def test_timestamps_outside_the_candles_are_rejected() -> None:
    candles = make_candles([FLAT] * 3)
    sig = pd.DataFrame({"direction": ["long"], "stop_loss": [95.0], "take_profit": [105.0]},
                       index=pd.DatetimeIndex(["2023-12-31T00:00:00Z"], name="timestamp"))
    with pytest.raises(DataValidationError, match="not candle open times"):
        run_backtest(candles, sig, exact())


def test_signal_sizing_without_sizes_is_rejected() -> None:
    from tradingia.backtest import SizingConfig

    candles = make_candles([FLAT] * 3)
    sig = make_signals(candles, [{"bar": 0, "direction": "long", "stop_loss": 95.0,
                                  "take_profit": 105.0}])
    with pytest.raises(DataValidationError, match="needs a `size`"):
        run_backtest(candles, sig, exact(sizing=SizingConfig(mode="signal")))
