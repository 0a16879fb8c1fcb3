"""Optional time-of-day / day-of-week features (off by default: models stay time-agnostic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradingia.features._memory import Memory, stable
from tradingia.features._prices import FloatArray, Prices

COLUMNS: dict[str, Memory] = {
    "session_hour_sin": stable(0),
    "session_hour_cos": stable(0),
    "session_dow_sin": stable(0),
    "session_dow_cos": stable(0),
}


def session_features(p: Prices) -> dict[str, FloatArray]:
    """Cyclical encodings of the candle's UTC open time (hour of day, day of week)."""
    index = pd.DatetimeIndex(p.frame.index)
    hours = np.asarray(index.hour + index.minute / 60.0, dtype="float64")
    days = np.asarray(index.day_of_week, dtype="float64") + hours / 24.0
    return {
        "session_hour_sin": np.sin(2 * np.pi * hours / 24.0),
        "session_hour_cos": np.cos(2 * np.pi * hours / 24.0),
        "session_dow_sin": np.sin(2 * np.pi * days / 7.0),
        "session_dow_cos": np.cos(2 * np.pi * days / 7.0),
    }
