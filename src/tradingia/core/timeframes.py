"""Timeframes of the data contract: `1m 5m 15m 30m 1h 4h 1d 1w`."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from tradingia.core.errors import UnsupportedError


class Timeframe(StrEnum):
    """A candle length; the value is the canonical name used everywhere (CLI, API, stores)."""

    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    M30 = "30m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"
    W1 = "1w"

    def __str__(self) -> str:
        return self.value

    @property
    def minutes(self) -> int:
        """Length of one candle in minutes."""
        return _MINUTES[self.value]

    @property
    def delta(self) -> pd.Timedelta:
        """Length of one candle as a Timedelta."""
        return pd.Timedelta(minutes=self.minutes)

    @property
    def pandas_freq(self) -> str:
        """Frequency string for pandas; weeks are anchored on Monday (ISO weeks)."""
        return _PANDAS_FREQ[self.value]

    @classmethod
    def parse(cls, value: str | Timeframe) -> Timeframe:
        """Parse '5m', '1H', 'M5', 'H1', 'D1' ...; raises UnsupportedError listing valid values."""
        if isinstance(value, Timeframe):
            return value
        text = str(value).strip()
        key = _ALIASES.get(text.upper(), text.lower())
        try:
            return cls(key)
        except ValueError:
            valid = ", ".join(tf.value for tf in cls)
            raise UnsupportedError(
                f"Unsupported timeframe {value!r}. Use one of: {valid}."
            ) from None

    def floor(self, ts: pd.Timestamp) -> pd.Timestamp:
        """Start of the candle of this timeframe that contains `ts`."""
        if self is Timeframe.W1:
            day = ts.normalize()
            return day - pd.Timedelta(days=day.day_of_week)
        return ts.floor(self.pandas_freq)


_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440, "1w": 10080}
_PANDAS_FREQ = {
    "1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min",
    "1h": "1h", "4h": "4h", "1d": "1D", "1w": "W-MON",
}
_ALIASES = {
    "M1": "1m", "M5": "5m", "M15": "15m", "M30": "30m", "H1": "1h", "H4": "4h",
    "D1": "1d", "W1": "1w", "1H": "1h", "4H": "4h", "1D": "1d", "1W": "1w",
    "1MIN": "1m", "5MIN": "5m", "15MIN": "15m", "30MIN": "30m", "60": "1h", "240": "4h",
    "1440": "1d", "10080": "1w",
}
