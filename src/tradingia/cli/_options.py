"""Option parsing shared by the command modules."""

from __future__ import annotations

import pandas as pd

from tradingia.core.errors import UnsupportedError


def parse_utc(value: str | None, option: str) -> pd.Timestamp | None:
    """Parse a date/time option as UTC (naive means UTC); a bad value names the option."""
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        raise UnsupportedError(
            f"{option} {value!r} is not a date: use ISO-8601, e.g. 2024-01-31 or "
            "2024-01-31T12:00Z."
        ) from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
