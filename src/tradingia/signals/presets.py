"""Named, versioned, frozen parameter sets for the signal generator.

Thresholds are on calibrated P(TP before SL) with TP-first labels at 2 ATR target / 1 ATR stop:
a side breaks even near p = 1/3, so every preset asks for more than that.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tradingia.core.errors import UnsupportedError


class SignalPreset(BaseModel):
    """Filters and level placement for turning model outputs into signals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: int = Field(ge=1)
    horizon: int = Field(default=12, ge=1, description="Preferred horizon; nearest trained used.")
    min_prob: float = Field(ge=0, le=1, description="Calibrated P(TP-first) of the chosen side.")
    min_edge: float = Field(ge=0, le=1, description="P(side) minus P(other side).")
    min_reward_risk: float = Field(ge=0, description="First target distance / stop distance.")
    min_range_atr: float = Field(default=0.0, ge=0,
                                 description="Predicted favourable reach, in ATRs, at least.")
    stop_atr: float = Field(default=1.0, gt=0, description="Stop distance in ATR(14).")
    tp_fractions: tuple[float, ...] = Field(
        default=(0.6, 1.0), description="Targets as fractions of the predicted favourable reach.")
    allowed_amd_phases: tuple[str, ...] | None = Field(
        default=None, description="Trade only in these predicted AMD phases (None: any).")

    @property
    def id(self) -> str:
        """`name@vN`, recorded with every signal."""
        return f"{self.name}@v{self.version}"


PRESETS: dict[str, SignalPreset] = {
    "conservative": SignalPreset(name="conservative", version=1, min_prob=0.45, min_edge=0.15,
                                 min_reward_risk=1.5, min_range_atr=1.5, stop_atr=1.0,
                                 tp_fractions=(0.6, 1.0)),
    "moderate": SignalPreset(name="moderate", version=1, min_prob=0.40, min_edge=0.08,
                             min_reward_risk=1.2, min_range_atr=1.2, stop_atr=1.0,
                             tp_fractions=(0.6, 1.0)),
    "aggressive_filter": SignalPreset(name="aggressive_filter", version=1, min_prob=0.36,
                                      min_edge=0.04, min_reward_risk=1.0, min_range_atr=1.0,
                                      stop_atr=1.0, tp_fractions=(0.5, 0.8, 1.0)),
}
DEFAULT_PRESET = "moderate"


def get_preset(name: str | SignalPreset) -> SignalPreset:
    """A preset by name; UnsupportedError lists the known ones."""
    if isinstance(name, SignalPreset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise UnsupportedError(
            f"Unknown signal preset {name!r}; use one of {', '.join(PRESETS)}."
        ) from None
