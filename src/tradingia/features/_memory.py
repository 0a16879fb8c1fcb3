"""How far back each feature looks, and how long it remembers where the series started.

Two numbers per feature, both in rows of the base timeframe:

- `warmup`: rows of leading NaN (TA-Lib lookback plus any rolling window on top).
- `settle`: rows after which the value no longer depends on where the series STARTS by more
  than ~1e-8 (relative to the first discrepancy). Finite-window features settle at their
  warm-up; EMA / Wilder smoothings (RSI, ATR, ADX, MACD, EMA, Keltner) and path-dependent
  ones (Parabolic SAR) remember their seed and settle only geometrically. This is not
  look-ahead (nothing after t is read) but it means a feature computed on a window that starts
  later differs slightly; drop `settle` rows (not just `warmup`) when that matters, e.g. when
  features computed live on a short history must match features computed in training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tradingia.core import Timeframe

_RESIDUAL = 1e-8


@dataclass(frozen=True)
class Memory:
    """Warm-up and settle lengths, in candles of `per` (None: the base timeframe)."""

    lookback: int
    settle: int = 0
    per: Timeframe | None = None

    def _rows(self, candles: int, base: Timeframe) -> int:
        if self.per is None:
            return candles
        ratio = self.per.minutes // base.minutes
        return (candles + 1) * ratio

    def warmup_rows(self, base: Timeframe) -> int:
        """Leading NaN rows on `base` candles."""
        return self._rows(self.lookback, base)

    def settle_rows(self, base: Timeframe) -> int:
        """Rows after which start-dependence is below ~1e-8 (at least the warm-up)."""
        return self._rows(max(self.lookback, self.settle), base)


def ema_settle(period: int, *, wilder: bool = False, stages: int = 1, lookback: int = 0) -> int:
    """Rows for a (chain of) exponential smoothing(s) to forget its seed to ~1e-8.

    One stage with factor a forgets as (1 - a)^n; `stages` chained stages decay like
    n^(stages-1) (1 - a)^n, covered here by `stages` times the one-stage n (one more n per
    extra stage).
    """
    alpha = 1.0 / period if wilder else 2.0 / (period + 1)
    rows = math.log(_RESIDUAL) / math.log(1.0 - alpha)
    return lookback + math.ceil(rows * stages)


def stable(lookback: int) -> Memory:
    """A finite-window feature: identical from any start once its window is full."""
    return Memory(lookback, lookback)
