"""SignalGenerator: level-1 outputs + candles -> `Signal`s, through a preset's filters.

Per row, for the preset's horizon h: the side with the larger calibrated P(TP-first) is chosen;
it becomes a signal only if P(side) >= min_prob, P(side) - P(other) >= min_edge, the predicted
favourable reach is >= min_range_atr ATRs, the first target gives reward/risk >= min_reward_risk
and the predicted AMD phase is allowed. Entry is the candle's close, the stop `stop_atr` ATRs
away, targets at `tp_fractions` of the predicted reach. The decision is a vectorised kernel on
arrays (`decide`), shared by the CSV of `predict` and by `generate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingia.core.signal import Direction, Signal
from tradingia.core.timeframes import Timeframe
from tradingia.models.baselines import atr_ratio
from tradingia.signals.presets import SignalPreset, get_preset

LONG, NEUTRAL, SHORT = 1, 0, -1
REASONS = ("ok", "no_prediction", "probability", "edge", "range", "reward_risk", "amd_phase")


@dataclass(frozen=True, slots=True)
class Decisions:
    """Per-row decision arrays: side (1, 0, -1), confidence, P(TP-first), reason code."""

    side: np.ndarray
    confidence: np.ndarray
    prob: np.ndarray
    reason: np.ndarray
    stop_distance: np.ndarray
    reach: np.ndarray


def pick_horizon(predictions: pd.DataFrame, wanted: int) -> int:
    """The trained horizon closest to `wanted` (ties: the shorter)."""
    horizons = sorted({int(c.rsplit("_", 1)[1]) for c in predictions.columns
                       if c.startswith("p_tp_first_long_")})
    if not horizons:
        raise ValueError("predictions carry no p_tp_first_long_{h} column")
    return min(horizons, key=lambda h: (abs(h - wanted), h))


def decide(
    p_long: np.ndarray,
    p_short: np.ndarray,
    reach_up: np.ndarray,
    reach_down: np.ndarray,
    atr: np.ndarray,
    preset: SignalPreset,
    amd_phase: np.ndarray | None = None,
) -> Decisions:
    """Vectorised decisions. Reaches and ATR are fractions of the entry price."""
    side = np.where(p_long >= p_short, LONG, SHORT)
    prob = np.where(side == LONG, p_long, p_short)
    other = np.where(side == LONG, p_short, p_long)
    reach = np.where(side == LONG, reach_up, reach_down)
    stop = preset.stop_atr * atr
    first_tp = min(preset.tp_fractions) * reach
    reason = np.zeros(len(side), dtype=np.int8)
    checks = [
        (~(np.isfinite(prob) & np.isfinite(other) & np.isfinite(reach) & np.isfinite(atr)
           & (atr > 0)), 1),
        (prob < preset.min_prob, 2),
        (prob - other < preset.min_edge, 3),
        (reach < preset.min_range_atr * atr, 4),
        (first_tp < preset.min_reward_risk * stop, 5),
    ]
    if preset.allowed_amd_phases is not None and amd_phase is not None:
        allowed = np.isin(amd_phase.astype(str), list(preset.allowed_amd_phases))
        checks.append((~allowed, 6))
    for failed, code in reversed(checks):  # the first failing check wins
        reason = np.where(failed, code, reason)
    side = np.where(reason == 0, side, NEUTRAL)
    confidence = np.clip(np.nan_to_num(np.maximum(p_long, p_short), nan=0.0), 0.0, 1.0)
    return Decisions(side=side, confidence=confidence, prob=prob, reason=reason,
                     stop_distance=stop, reach=reach)


class SignalGenerator:
    """Turns a frame of level-1 outputs (one row per candle) into Signals with a preset."""

    def __init__(
        self,
        symbol: str,
        timeframe: Timeframe,
        preset: str | SignalPreset = "moderate",
        model_versions: Mapping[str, str] | None = None,
    ) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self.preset = get_preset(preset)
        self.model_versions = dict(model_versions or {})

    def decisions(self, predictions: pd.DataFrame, candles: pd.DataFrame) -> pd.DataFrame:
        """Per row: `direction`, `confidence`, `prob_tp_first`, `reason`, `horizon`."""
        h, dec = self._decide(predictions, candles)
        names = np.array([str(Direction.SHORT), str(Direction.NEUTRAL), str(Direction.LONG)])
        return pd.DataFrame({
            "direction": names[dec.side + 1],
            "confidence": dec.confidence,
            "prob_tp_first": dec.prob,
            "reason": np.asarray(REASONS)[dec.reason],
            "horizon": h,
        }, index=predictions.index)

    def _decide(self, predictions: pd.DataFrame,
                candles: pd.DataFrame) -> tuple[int, Decisions]:
        h = pick_horizon(predictions, self.preset.horizon)
        atr = atr_ratio(candles).reindex(predictions.index).to_numpy(np.float64)
        col = predictions.get
        amd = col("amd_phase")
        dec = decide(
            predictions[f"p_tp_first_long_{h}"].to_numpy(np.float64),
            predictions[f"p_tp_first_short_{h}"].to_numpy(np.float64),
            _array(col(f"delta_high_{h}"), len(predictions)),
            _array(col(f"delta_low_{h}"), len(predictions)),
            atr, self.preset,
            None if amd is None else amd.to_numpy(dtype=object),
        )
        return h, dec

    def generate(self, predictions: pd.DataFrame, candles: pd.DataFrame,
                 include_neutral: bool = False) -> list[Signal]:
        """Signals for the rows of `predictions` (entry = that candle's close)."""
        h, dec = self._decide(predictions, candles)
        close = candles["close"].reindex(predictions.index).to_numpy(np.float64)
        out: list[Signal] = []
        for i, ts in enumerate(predictions.index):
            side = int(dec.side[i])
            if side == NEUTRAL and not include_neutral:
                continue
            out.append(self._signal(predictions.iloc[i], pd.Timestamp(ts), close[i], side,
                                    dec, i, h))
        return out

    def _signal(self, row: pd.Series, ts: pd.Timestamp, entry: float, side: int,
                dec: Decisions, i: int, h: int) -> Signal:
        up, down = row.get(f"delta_high_{h}"), row.get(f"delta_low_{h}")
        stop = tps = None
        if side != NEUTRAL:
            stop = entry * (1 - side * float(dec.stop_distance[i]))
            tps = tuple(entry * (1 + side * f * float(dec.reach[i]))
                        for f in self.preset.tp_fractions)
        amd = row.get("amd_phase")
        return Signal(
            symbol=self.symbol, timeframe=self.timeframe, time=ts,
            direction={LONG: Direction.LONG, SHORT: Direction.SHORT}.get(side, Direction.NEUTRAL),
            entry=float(entry), stop_loss=stop, take_profits=tps or (),
            confidence=float(dec.confidence[i]),
            prob_tp_first=None if not np.isfinite(dec.prob[i]) else float(dec.prob[i]),
            predicted_high=None if up is None else entry * (1 + float(up)),
            predicted_low=None if down is None else entry * (1 - float(down)),
            amd_phase=None if amd is None or pd.isna(amd) else str(amd),
            structure={"reason": REASONS[int(dec.reason[i])]},
            attribution={"level1": 1.0},
            model_versions=self.model_versions, horizon=h, preset=self.preset.id,
        )


def _array(series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.full(n, np.nan)
    return series.to_numpy(np.float64)
