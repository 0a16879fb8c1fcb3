"""`tradingia backtest` end to end on small files: report written, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradingia.cli import app

runner = CliRunner()
BARS = [(100, 101, 99, 100), (100, 101, 99, 100), (100, 111, 99, 110), (110, 111, 109, 110),
        (110, 111, 109, 110), (110, 111, 104, 105), (105, 106, 104, 105), (105, 106, 104, 105)]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    index = pd.date_range("2024-01-01", periods=len(BARS), freq="1h", tz="UTC")
    candles = pd.DataFrame(BARS, columns=["open", "high", "low", "close"], index=index,
                           dtype="float64")
    candles["volume"] = 1.0
    candles.index = index.strftime("%Y-%m-%dT%H:%M:%SZ")
    candles.to_csv(tmp_path / "candles.csv", index_label="timestamp")
    good = tmp_path / "signals.csv"
    good.write_text("timestamp,direction,stop_loss,take_profit\n"
                    "2024-01-01T00:00:00Z,long,95,110\n"
                    "2024-01-01T03:00:00Z,short,115,90\n", encoding="utf-8")
    return {"candles": tmp_path / "candles.csv", "signals": good, "tmp": tmp_path}


def invoke(files: dict[str, Path], *extra: str, signals: Path | None = None) -> tuple[int, str]:
    args = ["backtest", "--symbol", "EURUSD", "--timeframe", "1h", "--data",
            str(files["candles"]), "--report", str(files["tmp"] / "report"), *extra]
    if signals is not None:
        args += ["--signals", str(signals)]
    result = runner.invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())


def bad_signals(files: dict[str, Path], text: str) -> Path:
    path = files["tmp"] / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_backtest_writes_trades_metrics_html_and_pngs(files: dict[str, Path]) -> None:
    code, output = invoke(files, "--fee-bps", "0", "--slippage-bps", "0", "--spread", "0",
                          "--sizing", "fixed", signals=files["signals"])
    assert code == 0, output
    report = files["tmp"] / "report"
    for name in ("trades.csv", "metrics.json", "report.html", "equity.png", "drawdown.png",
                 "trades.png"):
        assert (report / name).is_file()
    trades = pd.read_csv(report / "trades.csv")
    assert list(trades.columns[:8]) == ["entry_time", "entry_price", "exit_time", "exit_price",
                                        "direction", "exit_reason", "r_multiple", "pnl"]
    assert trades["r_multiple"].tolist() == [2.0, 1.0]  # costs at 0: exact R
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["trades"] == 2 and metrics["total_r"] == 3.0
    assert metrics["symbol"] == "EURUSD"


def test_default_costs_are_on(files: dict[str, Path]) -> None:
    code, output = invoke(files, "--sizing", "fixed", signals=files["signals"])
    assert code == 0, output
    trades = pd.read_csv(files["tmp"] / "report" / "trades.csv")
    assert (trades["fees"] > 0).all()
    assert trades["r_multiple"].iloc[0] < 2.0


def test_unknown_signal_columns_exit_non_zero_with_the_reason(files: dict[str, Path]) -> None:
    path = bad_signals(files, "timestamp,direction,stop_loss,take_profit,conf\n"
                       "2024-01-01T00:00:00Z,long,95,110,1\n")
    code, output = invoke(files, signals=path)
    assert code == 3
    assert "Unknown signal column" in output


def test_stop_on_the_wrong_side_exits_non_zero(files: dict[str, Path]) -> None:
    path = bad_signals(files, "timestamp,direction,stop_loss,take_profit\n"
                       "2024-01-01T00:00:00Z,long,105,110\n")
    code, output = invoke(files, signals=path)
    assert code == 3
    assert "losing side" in output


def test_signal_timestamps_outside_the_candles_exit_non_zero(files: dict[str, Path]) -> None:
    path = bad_signals(files, "timestamp,direction,stop_loss,take_profit\n"
                       "2025-06-01T00:00:00Z,long,95,110\n")
    code, output = invoke(files, signals=path)
    assert code == 3
    assert "not candle open times" in output


def test_preset_without_trained_models_says_to_train_first(files: dict[str, Path],
                                                          tradingia_home: Path) -> None:
    code, output = invoke(files, "--preset", "aggressive_filter")
    assert code == 4
    assert "tradingia train" in output


def test_no_signals_and_no_preset_is_a_usage_error(files: dict[str, Path]) -> None:
    code, output = invoke(files)
    assert code == 2
    assert "--signals" in output


def test_negative_costs_are_rejected(files: dict[str, Path]) -> None:
    code, output = invoke(files, "--fee-bps", "-1", signals=files["signals"])
    assert code == 2
    assert "--fee-bps" in output


def test_missing_signals_file_exits_non_zero(files: dict[str, Path]) -> None:
    code, output = invoke(files, signals=files["tmp"] / "missing.csv")
    assert code == 4
    assert "does not exist" in output


def test_from_to_restrict_the_span(files: dict[str, Path]) -> None:
    code, output = invoke(files, "--from", "2024-01-01T02:00", "--to", "2024-01-01T07:00",
                          signals=files["signals"])
    assert code == 0, output
    metrics = json.loads((files["tmp"] / "report" / "metrics.json").read_text())
    assert metrics["span"]["candles"] == 5
    assert metrics["signals"] == 1  # the 00:00 signal lies before --from


def test_candles_come_from_the_store_without_data(files: dict[str, Path],
                                                  tradingia_home: Path) -> None:
    from tradingia.core.settings import get_settings
    from tradingia.core.timeframes import Timeframe
    from tradingia.data import stores

    candles = pd.read_csv(files["candles"], index_col="timestamp", parse_dates=True)
    store = stores.open_candle_store(get_settings())
    try:
        store.write("EURUSD", Timeframe.H1, candles.astype("float64"))
    finally:
        store.close()
    result = runner.invoke(app, ["backtest", "--symbol", "EURUSD", "--timeframe", "1h",
                                 "--signals", str(files["signals"]), "--fee-bps", "0",
                                 "--slippage-bps", "0", "--sizing", "fixed",
                                 "--report", str(files["tmp"] / "store_report")])
    assert result.exit_code == 0, result.output
    metrics = json.loads((files["tmp"] / "store_report" / "metrics.json").read_text())
    assert metrics["trades"] == 2 and metrics["total_r"] == 3.0


def test_unknown_symbol_in_the_store_says_how_to_import(files: dict[str, Path],
                                                        tradingia_home: Path) -> None:
    result = runner.invoke(app, ["backtest", "--symbol", "BTCUSDT", "--timeframe", "1h",
                                 "--signals", str(files["signals"]),
                                 "--report", str(files["tmp"] / "r")])
    assert result.exit_code == 4
    assert "tradingia data import" in " ".join(result.output.split())
