"""Options and option parsing shared by the command modules."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from tradingia.core.errors import UnsupportedError

_SYMBOL_HELP = "Canonical symbol, e.g. BTCUSDT, EURUSD."
_TIMEFRAME_HELP = "Candle timeframe: 1m 5m 15m 30m 1h 4h 1d 1w."

SymbolOpt = Annotated[str, typer.Option("--symbol", "-s", help=_SYMBOL_HELP)]
TimeframeOpt = Annotated[str, typer.Option("--timeframe", "-t", help=_TIMEFRAME_HELP)]
OptionalSymbolOpt = Annotated[str | None, typer.Option("--symbol", "-s", help=_SYMBOL_HELP)]
OptionalTimeframeOpt = Annotated[str | None, typer.Option("--timeframe", "-t",
                                                          help=_TIMEFRAME_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


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
