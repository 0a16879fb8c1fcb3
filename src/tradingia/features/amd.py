"""AMD phases (accumulation, manipulation, distribution): rule-based and causal.

The rules, evaluated at each candle's close with candles up to it only (W = `window`):

- accumulation starts when the W-candle range (highest high - lowest low) is at most
  `compression` x its mean over the last `history` candles; the box is that W-candle range
  and stays fixed while the phase lasts;
- manipulation is a liquidity grab at the box: a wick beyond one edge that closes back
  inside (a sweep), or a close outside that returns inside within `false_break_bars`
  candles before running `expand_atr` ATR away (a false break). The expected distribution
  direction is away from the swept edge. A close beyond the sweep's own extreme voids it
  (NONE); a sweep of the other edge flips it; `max_manipulation_bars` without a resolution
  returns to accumulation (close inside the box) or NONE;
- distribution is the expansion after manipulation: a close beyond the OPPOSITE edge of the
  box. It lasts until a close comes back inside the box or `stall_bars` candles pass
  without a new extreme;
- a close outside the box that neither returns nor was preceded by a sweep is a plain
  breakout: NONE (no AMD cycle), and so is everything else; UNKNOWN during the warm-up.

`amd_labels` is exactly the phase of `amd_features`, so a model fed the features at t can
learn the phase at t + h (shift the labels yourself; the label at t is known at t).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd
import talib

from tradingia.core import UnsupportedError
from tradingia.features._memory import Memory
from tradingia.features._prices import check_candles
from tradingia.features.structure import float_frame
from tradingia.features.structure_kernels import AMD_FIELDS, amd_kernel

ATR_PERIOD = 14
BARS_CAP = 500.0
DIST_CAP = 10.0


class AmdPhase(IntEnum):
    """Phase codes of `amd_labels` (and of the `amd_phase` feature)."""

    UNKNOWN = -1  # warm-up: not enough history to judge compression
    NONE = 0  # no AMD cycle in progress
    ACCUMULATION = 1
    MANIPULATION = 2
    DISTRIBUTION = 3


@dataclass(frozen=True, kw_only=True)
class AmdParams:
    """Knobs of the AMD rules, in candles (timeframe-agnostic) and ATR(14) multiples."""

    window: int = 24
    history: int = 288
    compression: float = 0.6
    false_break_bars: int = 6
    expand_atr: float = 1.0
    max_manipulation_bars: int = 24
    stall_bars: int = 12

    def __post_init__(self) -> None:
        counts = (self.window, self.history, self.false_break_bars,
                  self.max_manipulation_bars, self.stall_bars)
        if min(counts) < 1 or self.compression <= 0 or self.expand_atr <= 0:
            raise UnsupportedError(f"AmdParams need positive values, got {self}.")

    @property
    def warmup(self) -> int:
        """Leading rows without a verdict (the compression ratio needs window + history)."""
        return max(self.window + self.history - 2, ATR_PERIOD)


AMD_COLUMNS: tuple[str, ...] = (
    "amd_phase",  # AmdPhase code (0 none, 1 accumulation, 2 manipulation, 3 distribution)
    "amd_accumulation",  # one-hot of the phase
    "amd_manipulation",
    "amd_distribution",
    "amd_direction",  # expected / running distribution side: +1 up, -1 down, 0 none
    "amd_bars_in_phase",  # candles since the phase began (cap 500)
    "amd_compression",  # W-candle range / its mean over `history` (low = compressed)
    "amd_range_width",  # latest box width in ATR units (0 before the first box, cap 50)
    "amd_range_pos",  # close within the latest box: 0 low edge, 1 high edge (clipped -3..4)
    "amd_breakout_dist",  # ATR distance of the close outside the box (+ above, - below)
    "amd_false_break_pending",  # 1 while a close outside the box awaits its verdict
)
# Rows after which the phase no longer depends on where the series started (the state
# machine re-synchronises at the first NONE both runs share). Measured: <= 640 rows on
# BTC/ETH 5m, XAUUSD 15m and EURUSD 1h from 13 start offsets each.
SETTLE_ROWS = 1_000
COLUMNS: dict[str, Memory] = {
    name: Memory(AmdParams().warmup, SETTLE_ROWS) for name in AMD_COLUMNS
}


def _run(candles: pd.DataFrame, params: AmdParams) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Kernel output (n, len(AMD_FIELDS)) plus the arrays the features need."""
    check_candles(candles)

    def col(name: str) -> np.ndarray:
        return np.ascontiguousarray(candles[name].to_numpy(dtype="float64"))

    h, lo, c = col("high"), col("low"), col("close")
    n = len(c)
    if n == 0:
        return np.zeros((0, len(AMD_FIELDS))), {"close": c, "atr": c, "ratio": c}
    w = params.window
    top, bottom = talib.MAX(h, timeperiod=w), talib.MIN(lo, timeperiod=w)
    width = top - bottom
    mean = talib.SMA(width, timeperiod=params.history)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mean > 0, width / mean, np.where(np.isnan(mean), np.nan, 1.0))
    compressed = np.where(np.isnan(ratio), np.nan, (ratio <= params.compression) * 1.0)
    atr = talib.ATR(h, lo, c, timeperiod=ATR_PERIOD)
    knobs = np.array(
        [params.false_break_bars, params.expand_atr, params.max_manipulation_bars,
         params.stall_bars],
        dtype="float64",
    )
    out = amd_kernel(h, lo, c, atr, compressed, top, bottom, params.warmup, knobs)
    return out, {"close": c, "atr": atr, "ratio": ratio}


def amd_labels(candles: pd.DataFrame, params: AmdParams | None = None) -> pd.Series:
    """The AMD phase of each candle as AmdPhase codes (int8), known at that candle's close."""
    out, _ = _run(candles, params or AmdParams())
    return pd.Series(out[:, 0].astype("int8"), index=candles.index, name="amd_phase")


def amd_features(candles: pd.DataFrame, params: AmdParams | None = None) -> pd.DataFrame:
    """AMD phase features (columns `AMD_COLUMNS`, float64, NaN only in the warm-up)."""
    p = params or AmdParams()
    out, arrays = _run(candles, p)
    phase, box_hi, box_lo = out[:, 0], out[:, 2], out[:, 3]
    c, atr = arrays["close"], arrays["atr"]
    rows = np.arange(len(c), dtype="float64")
    width = box_hi - box_lo
    has_box = ~np.isnan(width)
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(has_box & (width > 0), (c - box_lo) / width, 0.5)
        outside = np.where(c > box_hi, c - box_hi, np.where(c < box_lo, c - box_lo, 0.0))
        outside_atr = np.where(atr > 0, outside / atr, 0.0)
        width_atr = np.where(has_box & (atr > 0), width / atr, 0.0)
    data = {
        "amd_phase": phase,
        "amd_accumulation": (phase == AmdPhase.ACCUMULATION) * 1.0,
        "amd_manipulation": (phase == AmdPhase.MANIPULATION) * 1.0,
        "amd_distribution": (phase == AmdPhase.DISTRIBUTION) * 1.0,
        "amd_direction": out[:, 1],
        "amd_bars_in_phase": np.minimum(rows - out[:, 4], BARS_CAP),
        "amd_compression": arrays["ratio"],
        "amd_range_width": np.clip(width_atr, 0.0, 50.0),
        "amd_range_pos": np.clip(pos, -3.0, 4.0),
        "amd_breakout_dist": np.clip(np.where(has_box, outside_atr, 0.0), -DIST_CAP, DIST_CAP),
        "amd_false_break_pending": out[:, 5],
    }
    return float_frame(data, AMD_COLUMNS, candles.index, warmup=p.warmup)

