"""The API through a real uvicorn server on loopback, embedded mode (SQLite, in-process)."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
import sqlalchemy as sa
from api_support import KEY_B, Server
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

PROTECTED = [
    ("GET", "/health/detailed", None),
    ("POST", "/api/v1/predictions", {"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 12}),
    ("GET", "/api/v1/predictions/BTCUSDT", None),
    ("GET", "/api/v1/predictions/BTCUSDT/history", None),
    ("POST", "/api/v1/signals", {"symbol": "BTCUSDT"}),
    ("GET", "/api/v1/signals", None),
    ("GET", "/api/v1/indicators?symbol=BTCUSDT&names=rsi_14", None),
    ("GET", "/api/v1/models", None),
    ("GET", "/api/v1/models/status", None),
    ("GET", "/api/amd/BTCUSDT", None),
    ("GET", "/api/ict/BTCUSDT", None),
    ("GET", "/api/ensemble/BTCUSDT", None),
    ("GET", "/api/v1/market/candles?symbol=BTCUSDT", None),
    ("POST", "/api/v1/sync/BTCUSDT", None),
    ("POST", "/api/v1/backtesting/run", {"symbol": "BTCUSDT"}),
    ("GET", "/api/v1/backtesting/jobs/nope", None),
    ("GET", "/metrics", None),
]


def _predict(server: Server, horizon: int = 12, symbol: str = "BTCUSDT", **headers: str):
    with server.client() as client:
        return client.post("/api/v1/predictions", headers=headers,
                           json={"symbol": symbol, "timeframe": "5m", "horizon": horizon})


def test_health_answers_without_a_key(server: Server) -> None:
    with server.client(key=None) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_every_endpoint_but_health_refuses_a_missing_or_wrong_key(
    server: Server, method: str, path: str, body: object, key: str | None
) -> None:
    with server.client(key=key) as client:
        response = client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": response.json()["message"],
                               "path": path.split("?")[0]}
    assert "X-API-Key" in response.json()["message"]


def test_detailed_health_reports_models_cache_database_and_store(server: Server) -> None:
    with server.client() as client:
        body = client.get("/health/detailed").json()
    assert body["models"]["loaded"] == 2
    assert {m["version"] for m in body["models"]["sets"]} == {"stub-1"}
    assert body["cache"] == {"kind": "memory", "ok": True}
    assert body["database"]["dialect"] == "sqlite" and body["database"]["ok"] is True
    assert "ok" in body["store"]
    assert body["mode"] == "embedded"


def test_unknown_symbol_is_422_listing_the_supported_symbols(server: Server) -> None:
    response = _predict(server, symbol="NOPECOIN")
    assert response.status_code == 422
    assert response.json()["error"] == "UnsupportedError"
    assert "BTCUSDT" in response.json()["message"] and "EURUSD" in response.json()["message"]


def test_unknown_timeframe_is_422_listing_the_timeframes(server: Server) -> None:
    with server.client() as client:
        response = client.post("/api/v1/predictions",
                               json={"symbol": "BTCUSDT", "timeframe": "7m", "horizon": 12})
    assert response.status_code == 422
    message = response.json()["message"]
    assert all(tf in message for tf in ("'1m'", "'5m'", "'1h'", "'1w'"))


def test_unsupported_horizon_is_422_listing_the_horizons(server: Server) -> None:
    response = _predict(server, horizon=13)
    assert response.status_code == 422
    assert "6, 12, 18, 36, 72" in response.json()["message"]


def test_symbol_without_a_trained_model_is_503_saying_how_to_train(server: Server) -> None:
    response = _predict(server, symbol="EURUSD")
    assert response.status_code == 503
    assert response.json()["message"].startswith("no trained model for EURUSD 5m: run "
                                                 "`tradingia train --symbol EURUSD")


def test_an_internal_error_answers_500_without_details(server: Server) -> None:
    response = _predict(server, symbol="SOLUSDT")
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_prediction_is_cached_until_the_next_candle_closes(server: Server) -> None:
    server.clock.now = server.clock.now.floor("5min") + pd.Timedelta(minutes=1)
    calls = server.stub.calls
    first = _predict(server, horizon=18)
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    again = _predict(server, horizon=18)
    assert again.headers["x-cache"] == "hit" and again.json() == first.json()
    server.clock.advance(minutes=3, seconds=59)  # still inside the same candle
    assert _predict(server, horizon=18).headers["x-cache"] == "hit"
    assert server.stub.calls == calls + 1
    server.clock.advance(seconds=1)  # the candle closes
    after = _predict(server, horizon=18)
    assert after.headers["x-cache"] == "miss"
    assert server.stub.calls == calls + 2
    assert after.json()["candle_time"] > first.json()["candle_time"]


def test_a_prediction_on_a_lagging_store_is_redone_soon(server: Server) -> None:
    server.clock.now = server.clock.now.floor("5min") + pd.Timedelta(seconds=10)
    calls = server.stub.calls
    assert _predict(server, symbol="ETHUSDT").headers["x-cache"] == "miss"
    assert _predict(server, symbol="ETHUSDT").headers["x-cache"] == "hit"
    server.clock.advance(seconds=16)  # same candle, but past the short TTL of a lagging store
    assert _predict(server, symbol="ETHUSDT").headers["x-cache"] == "miss"
    assert server.stub.calls == calls + 2


def test_no_cache_header_recomputes(server: Server) -> None:
    _predict(server, horizon=36)
    calls = server.stub.calls
    response = _predict(server, horizon=36, **{"Cache-Control": "no-cache"})
    assert response.headers["x-cache"] == "miss" and server.stub.calls == calls + 1


def test_predictions_are_logged_and_listed_in_history(server: Server) -> None:
    made = _predict(server, horizon=72, **{"Cache-Control": "no-cache"}).json()
    assert server.engine.writer.flush(10)
    with server.engine.db.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT symbol, horizon, predicted_high FROM ml_predictions WHERE id = :id"),
            {"id": made["id"]}).all()
    assert rows == [("BTCUSDT", 72, pytest.approx(made["predicted_high"]))]
    with server.client() as client:
        history = client.get("/api/v1/predictions/BTCUSDT/history").json()
    assert made["id"] in {p["id"] for p in history["predictions"]}


def test_current_predictions_cover_every_supported_horizon(server: Server) -> None:
    with server.client() as client:
        body = client.get("/api/v1/predictions/btcusdt?timeframe=5m").json()
    assert [p["horizon"] for p in body["predictions"]] == [6, 12, 18, 36, 72]


def _ws_url(server: Server) -> str:
    return server.base.replace("http://", "ws://") + "/ws/signals"


def test_signal_is_pushed_to_subscribers_logged_and_filtered(server: Server) -> None:
    with connect(_ws_url(server), additional_headers={"X-API-Key": KEY_B}) as ws:
        ws.send(json.dumps({"action": "subscribe", "symbols": ["btcusdt"]}))
        assert json.loads(ws.recv(10)) == {"type": "subscribed", "symbols": ["BTCUSDT"]}
        with server.client() as client:
            made = client.post("/api/v1/signals", json={"symbol": "BTCUSDT"}).json()
        pushed = json.loads(ws.recv(10))
        assert pushed["type"] == "signal" and pushed["signal"]["id"] == made["id"]
        ws.send(json.dumps({"action": "unsubscribe", "symbols": ["BTCUSDT"]}))
        assert json.loads(ws.recv(10)) == {"type": "subscribed", "symbols": []}
    assert server.engine.writer.flush(10)
    with server.client() as client:
        found = client.get("/api/v1/signals", params={
            "symbol": "BTCUSDT", "direction": "long", "min_confidence": 0.5}).json()
        too_confident = client.get("/api/v1/signals", params={"min_confidence": 0.9}).json()
        shorts = client.get("/api/v1/signals", params={"direction": "short"}).json()
        later = client.get("/api/v1/signals", params={"start": "2030-01-01T00:00:00Z"}).json()
    assert made["id"] in {s["id"] for s in found["signals"]}
    assert too_confident["count"] == 0 and shorts["count"] == 0 and later["count"] == 0


def test_websocket_without_a_key_is_refused(server: Server) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(_ws_url(server)).close()
    assert refused.value.response.status_code == 403


def test_websocket_answers_a_bad_message_with_an_error(server: Server) -> None:
    with connect(_ws_url(server) + f"?api_key={KEY_B}") as ws:
        ws.send("not json")
        assert json.loads(ws.recv(10))["type"] == "error"
        ws.send(json.dumps({"action": "subscribe", "symbols": ["NOPE"]}))
        assert "Supported symbols" in json.loads(ws.recv(10))["message"]


def test_metrics_count_predictions_cache_hits_and_errors(server: Server) -> None:
    _predict(server, horizon=6)
    _predict(server, horizon=6)
    _predict(server, symbol="NOPECOIN")
    with server.client() as client:
        text = client.get("/metrics").text
    assert 'tradingia_predictions_total{horizon="6",symbol="BTCUSDT"}' in text
    assert 'tradingia_prediction_cache_total{result="hit"}' in text
    assert 'tradingia_errors_total{route="/api/v1/predictions",status="422"}' in text
    assert 'tradingia_request_seconds_bucket{le="0.025",method="POST",' in text
    assert "tradingia_model_age_seconds{" in text


def test_models_and_status_list_the_loaded_sets(server: Server) -> None:
    with server.client() as client:
        models = client.get("/api/v1/models").json()
        status = client.get("/api/v1/models/status").json()
    assert {m["symbol"] for m in models["models"]} == {"BTCUSDT", "ETHUSDT"}
    assert status["loaded"] == 2 and all(s["age_seconds"] > 0 for s in status["sets"])


def test_ensemble_returns_the_signal_with_attribution(server: Server) -> None:
    with server.client() as client:
        body = client.get("/api/ensemble/ETHUSDT").json()
    assert body["attribution"] == {"pva": 0.5, "mrd": 0.5} and body["symbol"] == "ETHUSDT"


def test_backtest_runs_as_a_background_job(server: Server) -> None:
    with server.client() as client:
        queued = client.post("/api/v1/backtesting/run", json={"symbol": "btcusdt"})
        assert queued.status_code == 202
        job_id = queued.json()["id"]
        deadline = time.monotonic() + 60
        while (job := client.get(f"/api/v1/backtesting/jobs/{job_id}").json())["status"] in (
                "queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
    assert job["id"] == job_id and job["params"]["symbol"] == "BTCUSDT"
    assert job["status"] in ("succeeded", "failed")
    assert job["result"] is not None if job["status"] == "succeeded" else job["error"]["message"]


def test_unknown_backtest_job_is_404(server: Server) -> None:
    with server.client() as client:
        response = client.get("/api/v1/backtesting/jobs/nope")
    assert response.status_code == 404 and response.json()["error"] == "NotFoundError"


def test_openapi_documents_the_versioned_and_spec_paths(server: Server) -> None:
    with server.client(key=None) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/predictions", "/api/v1/signals", "/api/v1/indicators",
                 "/api/v1/models/status", "/api/amd/{symbol}", "/api/ict/{symbol}",
                 "/api/ensemble/{symbol}", "/api/v1/market/candles", "/api/v1/sync/{symbol}",
                 "/api/v1/backtesting/run", "/health/detailed", "/metrics"):
        assert path in paths


def test_rate_limit_answers_429_with_retry_after_per_key(limited_server: Server) -> None:
    statuses = [_predict(limited_server).status_code for _ in range(3)]
    limited = _predict(limited_server)
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429 and limited.json()["error"] == "RateLimited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    with limited_server.client(key=KEY_B) as other:
        assert other.post("/api/v1/predictions", json={"symbol": "BTCUSDT"}).status_code == 200


def test_a_cache_hit_answers_as_the_route_does(server: Server) -> None:
    first = _predict(server, horizon=12, **{"Cache-Control": "no-cache"})
    with server.client() as client:
        before = client.get("/metrics").text
        hit = client.post("/api/v1/predictions",
                          json={"symbol": "btcusdt", "timeframe": "5m", "horizon": 12})
        coerced = client.post("/api/v1/predictions",  # not plain: the route answers it
                              json={"symbol": "BTCUSDT", "timeframe": "5m", "horizon": "12"})
        extra = client.post("/api/v1/predictions", json={"symbol": "BTCUSDT", "x": 1})
        after = client.get("/metrics").text
    with server.client(key="wrong-key") as stranger:
        refused = stranger.post("/api/v1/predictions", json={"symbol": "BTCUSDT", "horizon": 12})
    for response in (hit, coerced):
        assert response.status_code == 200 and response.headers["x-cache"] == "hit"
        assert response.headers["content-type"] == "application/json"
        assert response.content == first.content
    assert extra.status_code == 422 and extra.json()["error"] == "ValidationError"
    assert refused.status_code == 401 and refused.json()["path"] == "/api/v1/predictions"

    def count(text: str, line: str) -> float:
        found = [ln for ln in text.splitlines() if ln.startswith(line)]
        return float(found[0].rsplit(" ", 1)[1]) if found else 0.0

    served = 'tradingia_predictions_total{horizon="12",symbol="btcusdt"}'
    timed = 'tradingia_request_seconds_count{method="POST",route="/api/v1/predictions"}'
    assert count(after, served) == count(before, served) + 1
    assert count(after, timed) >= count(before, timed) + 3
