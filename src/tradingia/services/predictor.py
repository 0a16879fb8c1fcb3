"""The seam between the ML engine service and the trained models.

`Predictor` is what the API's use cases need from the models: predictions, signals, the
horizons a model set supports, its status, and a reload when a new set is promoted.
`make_predictor` wires the real one (the `tradingia.services.prediction` use cases over the
model registry); with no trained model every call raises ModelUnavailableError, which the API
answers with 503 and the command to run.
"""

from __future__ import annotations

from typing import Any, Protocol

from tradingia.core.errors import TradingiaError
from tradingia.core.settings import Settings
from tradingia.core.signal import Signal
from tradingia.core.timeframes import Timeframe


class ModelUnavailableError(TradingiaError):
    """No trained (promoted) model set for a symbol and timeframe."""

    exit_code = 4

    def __init__(self, symbol: str, timeframe: Timeframe | str, detail: str = "") -> None:
        tf = str(timeframe)
        super().__init__(
            f"no trained model for {symbol} {tf}: run `tradingia train --symbol {symbol} "
            f"--timeframe {tf}`" + (f" ({detail})" if detail else "")
        )
        self.symbol, self.timeframe = symbol, tf


class Predictor(Protocol):
    """Predictions and signals from the promoted model sets."""

    def predict(self, symbol: str, timeframe: Timeframe, horizon: int) -> dict[str, Any]:
        """One prediction at the last stored candle (see `schemas.Prediction` for the keys)."""
        ...

    def signal(self, symbol: str, timeframe: Timeframe, preset: str | None) -> Signal:
        """The signal at the last stored candle."""
        ...

    def horizons(self, symbol: str, timeframe: Timeframe) -> tuple[int, ...]:
        """Horizons the promoted set predicts; ModelUnavailableError when there is none."""
        ...

    def status(self) -> list[dict[str, Any]]:
        """Loaded model sets: symbol, timeframe, version, trained_at, horizons."""
        ...

    def refresh(self) -> bool:
        """Reload sets whose promoted version changed; True when anything was reloaded."""
        ...


class NoModels:
    """The predictor of an install with no trained model: every use answers how to train one."""

    def predict(self, symbol: str, timeframe: Timeframe, horizon: int) -> dict[str, Any]:
        """Raise ModelUnavailableError."""
        raise ModelUnavailableError(symbol, timeframe)

    def signal(self, symbol: str, timeframe: Timeframe, preset: str | None) -> Signal:
        """Raise ModelUnavailableError."""
        raise ModelUnavailableError(symbol, timeframe)

    def horizons(self, symbol: str, timeframe: Timeframe) -> tuple[int, ...]:
        """Raise ModelUnavailableError."""
        raise ModelUnavailableError(symbol, timeframe)

    def status(self) -> list[dict[str, Any]]:
        """No model loaded."""
        return []

    def refresh(self) -> bool:
        """Nothing to reload."""
        return False


def make_predictor(settings: Settings) -> Predictor:
    """The predictor over the model registry (which answers 503 until a model is trained)."""
    from tradingia.services.serving import RegistryPredictor

    return RegistryPredictor(settings)
