"""Frozen, typed configuration of a backtest: costs, sizing, exits, intrabar policy."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class CostConfig(BaseModel):
    """Trading costs.

    Candles are read as mid prices: every fill pays half the `spread` (a price difference) and
    market fills (entries at the open, stops, time and end exits) also pay `slippage_bps`.
    Take profits and limit entries are limit orders: maker fee, no slippage. Swap / funding
    accrues at each candle close the position is still open, on its notional.
    """

    model_config = _FROZEN

    taker_fee_bps: float = Field(default=5.0, ge=0, description="Fee of market fills, bps.")
    maker_fee_bps: float = Field(default=2.0, description="Fee of limit fills, bps (<0 rebate).")
    slippage_bps: float = Field(default=1.0, ge=0, description="Adverse slip of market fills.")
    spread: float = Field(default=0.0, ge=0, description="Fixed bid-ask spread, price units.")
    spread_by_hour: tuple[float, ...] | None = Field(
        default=None, description="24 spreads by UTC hour (FX / gold sessions); wins over spread."
    )
    swap_long_bps_per_day: float = Field(default=0.0, description="Daily carry cost of longs.")
    swap_short_bps_per_day: float = Field(default=0.0, description="Daily carry cost of shorts.")

    @field_validator("spread_by_hour")
    @classmethod
    def _twenty_four_hours(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and (len(value) != 24 or min(value) < 0):
            raise ValueError("spread_by_hour needs 24 non-negative spreads (UTC hours 0..23)")
        return value

    @classmethod
    def zero(cls) -> CostConfig:
        """No fees, spread, slippage or swap: R-multiples are exact."""
        return cls(taker_fee_bps=0.0, maker_fee_bps=0.0, slippage_bps=0.0, spread=0.0)


class SizingConfig(BaseModel):
    """How big each position is: risk a fraction of equity (R), a fixed size, or the signal's."""

    model_config = _FROZEN

    mode: Literal["risk", "fixed", "signal"] = "risk"
    risk_fraction: float = Field(default=0.01, gt=0, le=1, description="Equity risked per trade.")
    fixed_size: float = Field(default=1.0, gt=0, description="Units per trade in 'fixed' mode.")


class ExitConfig(BaseModel):
    """Optional exits on top of the signal's stop and targets.

    Break-even and trailing stops move at a candle's close and take effect from the next candle
    (no guess about the path inside a candle).
    """

    model_config = _FROZEN

    time_exit_candles: int | None = Field(
        default=None, ge=1, description="Close at the close of the N-th candle held."
    )
    break_even_at_r: float | None = Field(
        default=None, gt=0, description="Move the stop to entry once price went this many R."
    )
    trailing_stop_r: float | None = Field(
        default=None, gt=0, description="Trail the stop this many R behind the best price."
    )
    take_profit_fractions: tuple[float, ...] | None = Field(
        default=None, description="Share of the position closed at each target (sum 1)."
    )
    limit_expiry_candles: int | None = Field(
        default=None, ge=1, description="Cancel an unfilled limit entry after N candles."
    )

    @field_validator("take_profit_fractions")
    @classmethod
    def _fractions_sum_to_one(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and (min(value) <= 0 or abs(sum(value) - 1.0) > 1e-9):
            raise ValueError("take_profit_fractions must be positive and sum to 1")
        return value


class BacktestConfig(BaseModel):
    """Everything a backtest run needs besides candles and signals."""

    model_config = _FROZEN

    initial_equity: float = Field(default=10_000.0, gt=0)
    costs: CostConfig = Field(default_factory=CostConfig)
    sizing: SizingConfig = Field(default_factory=SizingConfig)
    exits: ExitConfig = Field(default_factory=ExitConfig)
    intrabar: Literal["stop_first", "target_first"] = Field(
        default="stop_first",
        description="Who wins when stop and target share a candle that finer candles can't split.",
    )
    optimistic_bound: bool = Field(
        default=True, description="Also run target-first when trades were ambiguous."
    )

    def with_intrabar(self, policy: Literal["stop_first", "target_first"]) -> BacktestConfig:
        """A copy with another intrabar policy."""
        return self.model_copy(update={"intrabar": policy})
