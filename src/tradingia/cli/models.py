"""`tradingia models list | promote VERSION | rollback`: the model registry."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tradingia.cli._console import console
from tradingia.cli._options import (
    JsonOpt,
    OptionalSymbolOpt,
    OptionalTimeframeOpt,
    SymbolOpt,
    TimeframeOpt,
)
from tradingia.core.errors import UnsupportedError
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe

models_app = typer.Typer(help="Registered model sets: list, promote, rollback.",
                         no_args_is_help=True)


@models_app.command("list")
def list_command(
    symbol: OptionalSymbolOpt = None,
    timeframe: OptionalTimeframeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List registered versions (the promoted one marked)."""
    from tradingia.services.training import model_registry

    versions = model_registry().list(
        get_symbol(symbol).name if symbol else None,
        Timeframe.parse(timeframe) if timeframe else None)
    rows = [{"id": v.id, "promoted": v.promoted, "created_at": v.metadata.get("created_at"),
             "train_end": v.metadata.get("train_end"),
             "feature_set": v.metadata.get("feature_set"),
             "feature_hash": v.metadata.get("feature_hash")} for v in versions]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print("No registered models. Train one with `tradingia train`.")
        return
    table = Table()
    for col in ("id", "promoted", "created_at", "train_end", "feature_set", "feature_hash"):
        table.add_column(col)
    for r in rows:
        table.add_row(*["*" if v is True else "" if v is False else str(v) for v in r.values()])
    console.print(table)


def _resolve(version: str, symbol: str | None, timeframe: str | None) -> tuple[str, Timeframe, str]:
    from tradingia.models.registry import parse_version_id

    if "-" in version:
        return parse_version_id(version)
    if not (symbol and timeframe):
        raise UnsupportedError(
            f"Give a full id (e.g. BTCUSDT-5m-{version}) or --symbol and --timeframe.")
    return get_symbol(symbol).name, Timeframe.parse(timeframe), version


@models_app.command("promote")
def promote_command(
    version: Annotated[str, typer.Argument(help="Version id, e.g. BTCUSDT-5m-v0002.")],
    symbol: OptionalSymbolOpt = None,
    timeframe: OptionalTimeframeOpt = None,
) -> None:
    """Make a version the one `predict` uses."""
    from tradingia.services.training import model_registry

    sym, tf, ver = _resolve(version, symbol, timeframe)
    entry = model_registry().promote(sym, tf, ver)
    console.print(f"Promoted {entry.id}.")


@models_app.command("rollback")
def rollback_command(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
) -> None:
    """Re-promote the version that was promoted before the current one."""
    from tradingia.services.training import model_registry

    entry = model_registry().rollback(get_symbol(symbol).name, Timeframe.parse(timeframe))
    console.print(f"Rolled back: {entry.id} is promoted again.")
