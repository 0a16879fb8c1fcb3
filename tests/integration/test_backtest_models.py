"""`tradingia backtest --preset` end to end on a small real slice (7,000 BTCUSDT 5m candles):
the promoted set trades only candles after its training data, in-sample spans are refused
unless asked for (and then labelled), and walk-forward trades every fold with models trained
before it. Small models (minimal features, horizons 6 and 12, 15 trees) keep it quick."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradingia.cli import app
from tradingia.core.settings import get_settings
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams
from tradingia.services.backtest import run_model_backtest
from tradingia.services.training import TrainRequest, model_registry, train_on_candles

runner = CliRunner()
FAST = BoosterParams(max_rounds=15, max_depth=4, early_stopping_rounds=5)
TRAIN_ROWS = 4000
HORIZON = 12
STEP = pd.Timedelta(minutes=5)
WALK_FORWARD = ["--walk-forward", "--folds", "2", "--max-trees", "15", "--feature-set",
                "minimal", "--horizons", "6,12"]


@pytest.fixture(scope="module")
def trained(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A TRADINGIA_HOME holding 7,000 stored candles and a set trained on the first 4,000."""
    base = tmp_path_factory.mktemp("models_backtest")
    candles = pd.read_csv(shared_data_dir / "BTCUSDT_5m.csv.gz", index_col="timestamp",
                          parse_dates=True, nrows=60_000).iloc[-7000:]
    path = base / "btc.csv"
    candles.to_csv(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRADINGIA_HOME", str(base / "home"))
        mp.delenv("TRADINGIA_DATABASE_URL", raising=False)
        mp.delenv("TRADINGIA_REDIS_URL", raising=False)
        get_settings.cache_clear()
        imported = runner.invoke(app, ["data", "import", str(path), "--symbol", "BTCUSDT",
                                       "--timeframe", "5m"])
        assert imported.exit_code == 0, imported.output
        request = TrainRequest(symbol="BTCUSDT", timeframe=Timeframe.M5, feature_set="minimal",
                               horizons=(6, HORIZON), n_folds=1, n_boot=10, booster=FAST,
                               models=("range", "tpsl"))
        train_on_candles(candles.iloc[:TRAIN_ROWS], request, model_registry(get_settings()))
        yield base
        get_settings.cache_clear()


def backtest(report: Path, *extra: str) -> tuple[int, str]:
    """Run the command; the exit code and its output on one line."""
    args = ["backtest", "--symbol", "BTCUSDT", "--timeframe", "5m", "--report", str(report),
            *extra]
    result = runner.invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())


def promoted_train_end() -> pd.Timestamp:
    entry = model_registry(get_settings()).promoted("BTCUSDT", Timeframe.M5)
    return pd.Timestamp(entry.metadata["train_end"])


def test_preset_trades_only_candles_after_the_training_data(trained: Path) -> None:
    report = trained / "oos"
    code, output = backtest(report, "--preset", "aggressive_filter")
    assert code == 0, output
    assert "out of sample" in output
    metrics = json.loads((report / "metrics.json").read_text())
    first_unseen = promoted_train_end() + (HORIZON + 1) * STEP
    assert metrics["sample"]["mode"] == "out_of_sample"
    assert pd.Timestamp(metrics["sample"]["out_of_sample_from"]) == first_unseen
    assert pd.Timestamp(metrics["span"]["start"]) == first_unseen
    trades = pd.read_csv(report / "trades.csv", parse_dates=["entry_time", "signal_time"])
    assert len(trades) > 0
    assert trades["signal_time"].min() >= first_unseen
    assert trades["entry_time"].min() > first_unseen
    assert metrics["buy_and_hold"]["total_return"] is not None
    assert "What is out of sample" in (report / "report.html").read_text()


def test_a_span_inside_the_training_data_is_refused(trained: Path) -> None:
    code, output = backtest(trained / "refused", "--preset", "moderate", "--to", "2022-03-15")
    assert code == 2
    assert "inside the training data" in output and "--in-sample" in output
    assert not (trained / "refused" / "metrics.json").exists()


def test_in_sample_runs_only_when_asked_and_says_so(trained: Path) -> None:
    report = trained / "in_sample"
    code, output = backtest(report, "--preset", "moderate", "--to", "2022-03-15",
                            "--in-sample")
    assert code == 0, output
    assert "IN-SAMPLE" in output
    metrics = json.loads((report / "metrics.json").read_text())
    assert metrics["sample"]["mode"] == "in_sample"
    assert metrics["sample"]["in_sample_candles"] == metrics["span"]["candles"]
    assert "IN-SAMPLE: the models were trained on these candles" in (
        report / "report.html").read_text()


def test_unknown_preset_lists_the_presets(trained: Path) -> None:
    code, output = backtest(trained / "bad", "--preset", "yolo")
    assert code == 2
    assert "yolo" in output
    for name in ("conservative", "moderate", "aggressive_filter"):
        assert name in output


def test_no_trained_model_says_to_train_first(trained: Path) -> None:
    result = runner.invoke(app, ["backtest", "--symbol", "ETHUSDT", "--timeframe", "5m",
                                 "--preset", "moderate", "--report", str(trained / "eth")])
    assert result.exit_code == 4
    assert "tradingia train --symbol ETHUSDT" in " ".join(result.output.split())


def test_walk_forward_options_need_walk_forward(trained: Path) -> None:
    code, output = backtest(trained / "wf_bad", "--preset", "moderate", "--folds", "2")
    assert code == 2
    assert "--walk-forward" in output


def test_walk_forward_folds_too_short_to_train_are_refused(trained: Path) -> None:
    code, output = backtest(trained / "wf_short", "--preset", "moderate", "--walk-forward",
                            "--train-days", "2", "--test-days", "1")
    assert code == 3
    assert "at least 2000 candles" in output


def test_walk_forward_trades_each_fold_with_models_trained_before_it(trained: Path) -> None:
    report = trained / "wf"
    code, output = backtest(report, "--preset", "aggressive_filter", *WALK_FORWARD)
    assert code == 0, output
    assert "Walk-forward folds" in output
    metrics = json.loads((report / "metrics.json").read_text())
    folds = metrics["folds"]
    assert metrics["sample"]["mode"] == "walk_forward" and len(folds) == 2
    assert pd.Timestamp(metrics["span"]["start"]) == pd.Timestamp(folds[0]["test_start"])
    trades = pd.read_csv(report / "trades.csv", parse_dates=["entry_time", "signal_time"])
    assert len(trades) > 0 and set(trades["fold"]) <= {0, 1}
    for fold in folds:
        train_end = pd.Timestamp(fold["train_end"])
        assert fold["purge_candles"] >= HORIZON
        assert pd.Timestamp(fold["test_start"]) > train_end + HORIZON * STEP
        mine = trades.loc[trades["fold"] == fold["fold"]]
        if len(mine):
            assert mine["signal_time"].min() >= pd.Timestamp(fold["test_start"])
            assert mine["entry_time"].min() > train_end + HORIZON * STEP
    html = (report / "report.html").read_text()
    assert "Walk-forward folds" in html and "buy and hold return" in html


def test_service_returns_result_metrics_and_report(trained: Path) -> None:
    outcome = run_model_backtest("BTCUSDT", Timeframe.M5, "conservative", trained / "svc")
    assert outcome.report.is_file() and outcome.report.name == "report.html"
    assert outcome.metrics["sample"]["out_of_sample"] is True
    assert outcome.metrics["trades"] == len(outcome.result.trades)
