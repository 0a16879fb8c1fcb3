"""End to end with a small model trained on real candles: the API's prediction equals the
prediction service's last row, a promote reloads without restart, outcomes resolve."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
import pytest
import sqlalchemy as sa
from api_support import KEY_A, serve_in_thread

from tradingia.api.app import create_app
from tradingia.api.deps import ApiOptions
from tradingia.core.settings import Settings, load_settings
from tradingia.core.timeframes import Timeframe

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

TF = Timeframe.M5
ROWS, HELD_BACK = 6000, 30


@dataclass
class Live:
    base: str
    app: object
    settings: Settings
    held_back: pd.DataFrame

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"X-API-Key": KEY_A}, timeout=120)


@pytest.fixture(scope="module")
def live(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from tradingia.data.sources import read_candle_file
    from tradingia.services import market_data
    from tradingia.services.training import TrainRequest, train

    home = tmp_path_factory.mktemp("real-model-home")
    settings = load_settings(home=home, api_keys=KEY_A, database_url=None, redis_url=None)
    candles = read_candle_file(shared_data_dir / "BTCUSDT_5m.csv.gz", TF).iloc[-ROWS:]
    known, held_back = candles.iloc[:-HELD_BACK], candles.iloc[-HELD_BACK:]
    with market_data.candle_store(settings) as store:
        market_data.import_candles(store, known, "BTCUSDT", TF)
    train(TrainRequest("BTCUSDT", TF, models=("range", "tpsl"), feature_set="minimal",
                       horizons=(6, 12), n_folds=2, n_boot=20), settings)
    app = create_app(settings, options=ApiOptions(model_poll_seconds=0.2))
    with serve_in_thread(app) as base:
        yield Live(base, app, settings, held_back)


def test_api_prediction_equals_the_prediction_service_last_row(live: Live) -> None:
    from tradingia.services.prediction import predict

    with live.client() as client:
        made = client.post("/api/v1/predictions",
                           json={"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 12})
        again = client.post("/api/v1/predictions",
                            json={"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 12})
    assert made.status_code == 200, made.text
    assert again.headers["x-cache"] == "hit"
    body = made.json()
    last = predict("BTCUSDT", TF, settings=live.settings).frame.iloc[-1]
    assert pd.Timestamp(body["candle_time"]) == last.name
    assert body["delta_high"] == pytest.approx(last["delta_high_12"], rel=1e-9)
    assert body["p_tp_first_long"] == pytest.approx(last["p_tp_first_long_12"], rel=1e-9)
    assert body["direction"] == last["direction"]
    assert body["model_version"] == "BTCUSDT-5m-v0001"


def test_unsupported_horizon_lists_the_trained_ones(live: Live) -> None:
    with live.client() as client:
        response = client.post("/api/v1/predictions", json={"symbol": "BTCUSDT", "horizon": 72})
    assert response.status_code == 422 and "Use one of: 6, 12." in response.json()["message"]


def test_signal_indicators_candles_and_analysis_answer_from_real_data(live: Live) -> None:
    with live.client() as client:
        signal = client.post("/api/v1/signals", json={"symbol": "BTCUSDT"})
        indicators = client.get("/api/v1/indicators", params={
            "symbol": "BTCUSDT", "names": "rsi_14,atr_10", "limit": 5})
        candles = client.get("/api/v1/market/candles", params={"symbol": "BTCUSDT",
                                                              "limit": 3})
        ensemble = client.get("/api/ensemble/BTCUSDT")
        amd = client.get("/api/amd/BTCUSDT")
        ict = client.get("/api/ict/BTCUSDT")
        health = client.get("/health/detailed").json()
    assert signal.status_code == 200 and signal.json()["direction"] in ("long", "short",
                                                                        "neutral")
    assert indicators.json()["names"] == ["rsi_14", "atr_10"]
    assert len(indicators.json()["rows"]) == 5
    assert candles.json()["count"] == 3
    assert ensemble.json()["model_versions"] == {"level1": "BTCUSDT-5m-v0001"}
    for view in (amd, ict):
        assert view.status_code == 200, view.text
        assert view.json()["values"] and view.json()["time"] == candles.json()["candles"][-1][
            "timestamp"]
    assert health["models"]["loaded"] == 1 and health["store"]["ok"] is True
    assert health["store"]["series"][0]["symbol"] == "BTCUSDT"


def test_promoting_a_new_version_reloads_without_restart(live: Live) -> None:
    from tradingia.services.training import model_registry

    registry = model_registry(live.settings)
    model_set = registry.load("BTCUSDT", TF)
    new = registry.register(model_set, "BTCUSDT", TF, {"created_at": "2026-01-01T00:00:00Z"})
    registry.promote("BTCUSDT", TF, new.version)
    deadline, version = time.monotonic() + 30, None
    with live.client() as client:
        while time.monotonic() < deadline and version != new.version:
            version = client.get("/api/v1/models").json()["models"][0]["version"]
            time.sleep(0.1)

    def ask(_: int) -> httpx.Response:  # concurrent first use of the freshly loaded set
        with live.client() as own:
            return own.post("/api/v1/predictions", headers={"Cache-Control": "no-cache"},
                            json={"symbol": "BTCUSDT", "horizon": 6})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    assert version == new.version
    assert [a.status_code for a in answers] == [200] * 8
    assert {a.json()["model_version"] for a in answers} == {f"BTCUSDT-5m-{new.version}"}


def test_outcomes_resolve_once_the_horizon_has_passed(live: Live) -> None:
    from tradingia.jobs.outcome_job import make_outcome_job
    from tradingia.services import market_data

    with live.client() as client:
        made = client.post("/api/v1/predictions", headers={"Cache-Control": "no-cache"},
                           json={"symbol": "BTCUSDT", "horizon": 6}).json()
    engine = live.app.state.tradingia.engine  # type: ignore[attr-defined]
    assert engine.writer.flush(10)
    with market_data.candle_store(live.settings) as store:
        market_data.import_candles(store, live.held_back, "BTCUSDT", TF)
    job = make_outcome_job(engine)
    job.run(live.held_back.index[-1] + TF.delta)
    with engine.db.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT realised_high, realised_low, range_hit FROM ml_prediction_outcomes "
            "WHERE prediction_id = :id"), {"id": made["id"]}).one()
    window = live.held_back.iloc[:6]
    assert row[0] == pytest.approx(window["high"].max())
    assert row[1] == pytest.approx(window["low"].min())
    with live.client() as client:
        history = client.get("/api/v1/predictions/BTCUSDT/history").json()["predictions"]
    assert any(p["id"] == made["id"] and p["realised_high"] is not None for p in history)
