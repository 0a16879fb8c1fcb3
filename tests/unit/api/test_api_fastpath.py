"""The cache-hit fast path's request parsing, key ids and candle windows, without a server."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tradingia.api.auth import KeyChecker
from tradingia.api.fastpath import parse_request
from tradingia.api.schemas import PredictionRequest
from tradingia.core.timeframes import Timeframe
from tradingia.services.cache import last_closed_candle
from tradingia.services.engine import MLEngine


@pytest.mark.parametrize("body", [
    {"symbol": "BTCUSDT", "timeframe": "5m", "horizon": 12},
    {"symbol": "btcusdt"},
    {"symbol": "ETHUSDT", "timeframe": "1h", "horizon": 1},
    {"symbol": "X" * 20, "horizon": 10_000},
])
def test_a_plain_body_parses_as_the_schema_reads_it(body: dict[str, object]) -> None:
    parsed = parse_request(json.dumps(body).encode())
    model = PredictionRequest.model_validate_json(json.dumps(body))
    assert parsed == (model.symbol, model.timeframe, model.horizon)


@pytest.mark.parametrize("raw", [
    b"not json", b"[]", b"{}", b'{"timeframe": "5m"}',
    b'{"symbol": "BTCUSDT", "extra": 1}',  # the schema forbids extra fields
    b'{"symbol": ""}', b'{"symbol": "' + b"X" * 21 + b'"}', b'{"symbol": 1}',
    b'{"symbol": "BTCUSDT", "horizon": "12"}',  # valid once coerced: the route decides
    b'{"symbol": "BTCUSDT", "horizon": 12.0}', b'{"symbol": "BTCUSDT", "horizon": true}',
    b'{"symbol": "BTCUSDT", "horizon": 0}', b'{"symbol": "BTCUSDT", "horizon": 10001}',
    b'{"symbol": "BTCUSDT", "timeframe": "M5"}', b'{"symbol": "BTCUSDT", "timeframe": null}',
])
def test_anything_less_plain_is_left_to_the_route(raw: bytes) -> None:
    assert parse_request(raw) is None


def test_key_id_is_the_checks_id_and_none_for_a_wrong_key() -> None:
    checker = KeyChecker(["alpha", "beta"])
    assert checker.key_id("beta") == checker.check("beta") != checker.key_id("alpha")
    assert checker.key_id("gamma") is None and checker.key_id(None) is None
    assert checker.key_id("") is None
    assert KeyChecker([], dev=True).key_id(None) == "dev"


@pytest.mark.parametrize("timeframe", list(Timeframe))
def test_the_memoised_candle_window_agrees_with_last_closed_candle(
        timeframe: Timeframe) -> None:
    engine = MLEngine.__new__(MLEngine)  # only the window memo is exercised
    engine._windows = {}
    start = pd.Timestamp("2026-03-01 23:58:30", tz="UTC")
    for step in range(0, 3 * 24 * 60 * 60 * 7, 4999):
        now = start + pd.Timedelta(seconds=step)
        window = engine._window(timeframe, now.timestamp())
        assert window.last_closed == last_closed_candle(now, timeframe)
        assert window.last_closed_s == int(window.last_closed.timestamp())


def test_the_memoised_window_moves_exactly_at_the_candle_close() -> None:
    engine = MLEngine.__new__(MLEngine)
    engine._windows = {}
    close = pd.Timestamp("2026-03-02 10:05", tz="UTC")
    for now in (close - pd.Timedelta(minutes=4), close - pd.Timedelta(microseconds=1), close,
                close + pd.Timedelta(minutes=4, seconds=59), close - pd.Timedelta(minutes=7)):
        window = engine._window(Timeframe.M5, now.timestamp())
        assert window.last_closed == last_closed_candle(now, Timeframe.M5), now
