"""End to end on a small real series: train -> registry -> `models` and `predict` commands,
and the exit codes of bad input (unknown symbol, no stored data, no trained model)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradingia.cli import app
from tradingia.core.settings import get_settings
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams
from tradingia.services.training import TrainRequest, model_registry, train_on_candles

runner = CliRunner()
FAST = BoosterParams(max_rounds=15, max_depth=4, early_stopping_rounds=5)


def _store_available() -> bool:
    import tradingia.data.stores as stores

    return hasattr(stores, "open_candle_store")


@pytest.fixture(scope="module")
def candle_file(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = pd.read_csv(shared_data_dir / "BTCUSDT_5m.csv.gz", index_col="timestamp",
                        parse_dates=True, nrows=60_000).iloc[-6000:]
    path = tmp_path_factory.mktemp("candles") / "btc.csv"
    frame.to_csv(path)
    return path


def _train(candle_file: Path, seed_rows: int = 0) -> str:
    candles = pd.read_csv(candle_file, index_col="timestamp", parse_dates=True)
    request = TrainRequest(symbol="BTCUSDT", timeframe=Timeframe.M5, feature_set="minimal",
                           horizons=(6, 12), n_folds=2, n_boot=20, booster=FAST,
                           models=("range", "tpsl", "amd"))
    outcome = train_on_candles(candles.iloc[seed_rows:], request,
                               model_registry(get_settings()))
    assert outcome.report.exists() and (outcome.report.parent / "band.png").exists()
    return outcome.version.id


def test_predict_without_a_trained_model_exits_4(tradingia_home: Path, candle_file: Path,
                                                 tmp_path: Path) -> None:
    result = runner.invoke(app, ["predict", "--symbol", "BTCUSDT", "--timeframe", "5m",
                                 "--data", str(candle_file), "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 4
    assert "tradingia train --symbol BTCUSDT" in result.output


def test_unknown_symbol_and_timeframe_exit_2(tradingia_home: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "p.csv")
    bad_symbol = runner.invoke(app, ["predict", "-s", "NOPE", "-t", "5m", "--out", out])
    assert bad_symbol.exit_code == 2
    bad_tf = runner.invoke(app, ["train", "-s", "BTCUSDT", "-t", "7m"])
    assert bad_tf.exit_code == 2 and "7m" in bad_tf.output
    bad_model = runner.invoke(app, ["train", "-s", "BTCUSDT", "-t", "5m", "--models", "lstm"])
    assert bad_model.exit_code == 2


def test_train_without_stored_candles_says_how_to_import(tradingia_home: Path) -> None:
    if not _store_available():
        pytest.skip("candle store (tradingia.data.stores.open_candle_store) not available yet")
    result = runner.invoke(app, ["train", "--symbol", "ETHUSDT", "--timeframe", "5m"])
    assert result.exit_code == 4
    assert "tradingia data import" in result.output


def test_train_list_predict_promote_rollback(tradingia_home: Path, candle_file: Path,
                                            tmp_path: Path) -> None:
    first = _train(candle_file)
    second = _train(candle_file, seed_rows=500)
    listed = runner.invoke(app, ["models", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["id"], r["promoted"]) for r in rows] == [(first, True), (second, False)]

    out = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", "-s", "BTCUSDT", "-t", "5m",
                                 "--data", str(candle_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    pred = pd.read_csv(out)
    expected = ["timestamp"] + [f"{c}_{h}" for h in (6, 12) for c in (
        "delta_high", "delta_low", "p_tp_first_long", "p_tp_first_short")] + [
        "direction", "confidence", "amd_phase"]
    assert list(pred.columns) == expected
    candles = pd.read_csv(candle_file)
    assert 5000 < len(pred) < len(candles)  # one row per candle after the warm-up
    last = pd.Timestamp(candles["timestamp"].iloc[-1])
    last = last.tz_localize("UTC") if last.tzinfo is None else last
    assert pd.Timestamp(pred["timestamp"].iloc[-1]) == last
    assert set(pred["direction"]) <= {"long", "short", "neutral"}
    assert pred["confidence"].between(0, 1).all()

    assert runner.invoke(app, ["models", "promote", second]).exit_code == 0
    assert model_registry().promoted("BTCUSDT", Timeframe.M5).id == second
    back = runner.invoke(app, ["models", "rollback", "-s", "BTCUSDT", "-t", "5m"])
    assert back.exit_code == 0 and first in back.output
    again = runner.invoke(app, ["models", "rollback", "-s", "BTCUSDT", "-t", "5m"])
    assert again.exit_code == 4
    missing = runner.invoke(app, ["models", "promote", "BTCUSDT-5m-v0042"])
    assert missing.exit_code == 4
    bad_id = runner.invoke(app, ["models", "promote", "latest"])
    assert bad_id.exit_code == 2
