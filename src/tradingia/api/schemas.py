"""Request and response bodies of the API (documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradingia.core.timeframes import Timeframe

Direction = Literal["long", "short", "neutral"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every error: what kind, what to do, which path."""

    error: str = Field(examples=["UnsupportedError"])
    message: str
    path: str


class PredictionRequest(_Strict):
    """What to predict: a symbol, its timeframe and a horizon in candles."""

    symbol: str = Field(min_length=1, max_length=20, examples=["BTCUSDT"])
    timeframe: Timeframe = Field(default=Timeframe.M5, examples=["5m"])
    horizon: int = Field(default=12, ge=1, le=10_000, examples=[12])


class Prediction(BaseModel):
    """A prediction at the last closed candle (header `X-Cache` says hit or miss)."""

    id: str
    symbol: str
    timeframe: str
    horizon: int
    candle_time: datetime
    generated_at: datetime
    reference_close: float | None = None
    predicted_high: float | None = None
    predicted_low: float | None = None
    delta_high: float | None = None
    delta_low: float | None = None
    p_tp_first_long: float | None = None
    p_tp_first_short: float | None = None
    direction: Direction | None = None
    confidence: float | None = None
    amd_phase: str | None = None
    model_version: str | None = None


class SignalRequest(_Strict):
    """Generate the signal of a symbol at its last stored candle."""

    symbol: str = Field(min_length=1, max_length=20, examples=["BTCUSDT"])
    timeframe: Timeframe = Field(default=Timeframe.M5)
    preset: str | None = Field(default=None, max_length=40, examples=["moderate"])


class SignalOut(BaseModel):
    """A signal as published on `signals:{symbol}` and logged in `ml.signals`."""

    id: str
    symbol: str
    timeframe: str
    time: datetime
    direction: Direction
    entry: float | None = None
    stop_loss: float | None = None
    take_profits: list[float] = []
    confidence: float
    prob_tp_first: float | None = None
    p_tp_first: float | None = None
    predicted_high: float | None = None
    predicted_low: float | None = None
    amd_phase: str | None = None
    attribution: dict[str, float] = {}
    model_versions: dict[str, str] = {}
    source: str | None = None
    created_at: datetime | None = None


class SignalList(BaseModel):
    """Signals matching a filter, newest first."""

    count: int
    signals: list[SignalOut]


class CandleRows(BaseModel):
    """Rows of candles or indicators, oldest first."""

    symbol: str
    timeframe: str
    count: int
    names: list[str] | None = None
    rows: list[dict[str, Any]] | None = None
    candles: list[dict[str, Any]] | None = None


class BacktestRequest(_Strict):
    """A backtest to run in the background."""

    symbol: str = Field(min_length=1, max_length=20, examples=["BTCUSDT"])
    timeframe: Timeframe = Field(default=Timeframe.M5)
    start: datetime | None = None
    end: datetime | None = None
    preset: str | None = Field(default=None, max_length=40, examples=["moderate"])
    fee_bps: float = Field(default=10.0, ge=0, le=1000)
    slippage_bps: float = Field(default=2.0, ge=0, le=1000)


class JobOut(BaseModel):
    """A background job: its id, status, and result or error when finished."""

    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    params: dict[str, Any]
    submitted_at: datetime
    finished_at: datetime | None = None
    result: Any = None
    error: dict[str, str] | None = None
