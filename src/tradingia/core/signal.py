"""The Signal contract of DESIGN.md: one immutable trade idea with everything that explains it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import pandas as pd

from tradingia.core.timeframes import Timeframe


class Direction(StrEnum):
    """Side of a signal; `neutral` means no trade."""

    LONG = "long"
    SHORT = "short"
    NEUTRAL = "neutral"

    def __str__(self) -> str:
        return self.value


def _frozen_map(value: Any) -> MappingProxyType[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True)
class Signal:
    """A trade idea at one candle close: direction, levels, confidence and its provenance.

    Prices are absolute; for a neutral signal `stop_loss` is None and `take_profits` empty.
    `attribution` maps strategy name -> weight, `model_versions` maps model kind -> version.
    """

    symbol: str
    timeframe: Timeframe
    time: pd.Timestamp
    direction: Direction
    entry: float
    stop_loss: float | None
    take_profits: tuple[float, ...]
    confidence: float
    prob_tp_first: float | None
    predicted_high: float | None
    predicted_low: float | None
    amd_phase: str | None = None
    structure: Mapping[str, Any] = field(default_factory=lambda: _frozen_map({}))
    attribution: Mapping[str, float] = field(default_factory=lambda: _frozen_map({}))
    model_versions: Mapping[str, str] = field(default_factory=lambda: _frozen_map({}))
    horizon: int | None = None
    preset: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:  # NaN fails the comparison too
            raise ValueError(f"confidence must be within [0, 1], got {self.confidence}")
        if self.prob_tp_first is not None and not 0.0 <= self.prob_tp_first <= 1.0:
            raise ValueError(f"prob_tp_first must be within [0, 1], got {self.prob_tp_first}")
        if self.direction is not Direction.NEUTRAL:
            self._check_levels()
        for name in ("structure", "attribution", "model_versions"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, _frozen_map(value))

    def _check_levels(self) -> None:
        if self.stop_loss is None or not self.take_profits:
            raise ValueError("a long or short signal needs a stop loss and at least one target")
        sign = 1.0 if self.direction is Direction.LONG else -1.0
        if sign * (self.entry - self.stop_loss) <= 0:
            raise ValueError(f"{self.direction} stop {self.stop_loss} on the wrong side of "
                             f"entry {self.entry}")
        if any(sign * (tp - self.entry) <= 0 for tp in self.take_profits):
            raise ValueError(f"{self.direction} targets {self.take_profits} on the wrong side of "
                             f"entry {self.entry}")

    @property
    def risk(self) -> float | None:
        """Distance from entry to stop, in price units (None when neutral)."""
        return None if self.stop_loss is None else abs(self.entry - self.stop_loss)

    @property
    def reward_risk(self) -> float | None:
        """First target's distance over the stop's distance (None when neutral)."""
        risk = self.risk
        if risk is None or risk == 0 or not self.take_profits:
            return None
        return abs(self.take_profits[0] - self.entry) / risk

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (time as ISO string, enums as values)."""
        return {
            "symbol": self.symbol,
            "timeframe": str(self.timeframe),
            "time": pd.Timestamp(self.time).isoformat(),
            "direction": str(self.direction),
            "entry": self.entry,
            "stop_loss": self.stop_loss,
            "take_profits": list(self.take_profits),
            "confidence": self.confidence,
            "prob_tp_first": self.prob_tp_first,
            "predicted_high": self.predicted_high,
            "predicted_low": self.predicted_low,
            "amd_phase": self.amd_phase,
            "structure": dict(self.structure),
            "attribution": dict(self.attribution),
            "model_versions": dict(self.model_versions),
            "horizon": self.horizon,
            "preset": self.preset,
        }
