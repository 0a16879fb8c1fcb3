"""`tradingia predict`: promoted models over candles, one CSV row per candle after warm-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradingia.cli._console import console
from tradingia.cli._options import SymbolOpt, TimeframeOpt
from tradingia.core.timeframes import Timeframe


def predict_command(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")],
    data: Annotated[Path | None, typer.Option(
        "--data", help="Candle file (CSV/CSV.gz/Parquet) instead of the store.")] = None,
    version: Annotated[str | None, typer.Option(help="Model version (default: promoted).")] = None,
    preset: Annotated[str, typer.Option(help="Signal preset for direction.")] = "moderate",
) -> None:
    """Run the promoted models and write predictions (range, P(TP-first), direction...)."""
    from tradingia.services.prediction import predict

    outcome = predict(symbol, Timeframe.parse(timeframe), data=data, out=out,
                      version=version, preset=preset)
    console.print(f"Wrote {len(outcome.frame)} rows to {out} with {outcome.model_id}.")
