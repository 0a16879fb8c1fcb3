"""NumPy / numba kernels on plain arrays; the pandas layer lives in the calling modules."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def tp_first_kernel(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    atr: np.ndarray,
    horizon: int,
    stop_mult: float,
    target_mult: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Long and short TP-first labels for every row.

    Entry close[t]; long stop close - stop_mult*atr[t], target close + target_mult*atr[t]
    (short mirrored). Scanning candles t+1..t+horizon: 1.0 when the target is touched before
    the stop; 0.0 when the stop is touched first, when both are touched in the same candle
    (the stop counts first), or when neither is touched. NaN when atr[t] is NaN or fewer than
    `horizon` candles follow t.
    """
    n = close.shape[0]
    long_out = np.full(n, np.nan)
    short_out = np.full(n, np.nan)
    for t in range(n - horizon):
        a = atr[t]
        if np.isnan(a):
            continue
        entry = close[t]
        long_stop, long_target = entry - stop_mult * a, entry + target_mult * a
        short_stop, short_target = entry + stop_mult * a, entry - target_mult * a
        long_label = -1.0
        short_label = -1.0
        for j in range(t + 1, t + horizon + 1):
            if long_label < 0.0:
                if low[j] <= long_stop:
                    long_label = 0.0
                elif high[j] >= long_target:
                    long_label = 1.0
            if short_label < 0.0:
                if high[j] >= short_stop:
                    short_label = 0.0
                elif low[j] <= short_target:
                    short_label = 1.0
            if long_label >= 0.0 and short_label >= 0.0:
                break
        long_out[t] = max(long_label, 0.0)
        short_out[t] = max(short_label, 0.0)
    return long_out, short_out

