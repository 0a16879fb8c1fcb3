"""The `tradingia` command line: thin commands that call the `services` layer."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from tradingia import __version__
from tradingia.core.errors import TradingiaError

app = typer.Typer(
    name="tradingia",
    help="Self-hosted AI trading platform: candles to explained, risk-checked trade decisions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="Market data: import, sync, gaps, resample, show.",
                       no_args_is_help=True)
app.add_typer(data_app, name="data")

console = Console()
err_console = Console(stderr=True)


@app.command()
def version() -> None:
    """Print the tradingia version."""
    console.print(__version__)


def main() -> None:
    """Console entry point: a TradingiaError prints its message and exits with its code."""
    try:
        app()
    except TradingiaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(exc.exit_code)
