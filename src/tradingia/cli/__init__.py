"""The `tradingia` command line: thin commands that call the `services` layer.

One module per command group (`data`, `backtest`, ...) registers itself on `app` here.
"""

from __future__ import annotations

import typer

from tradingia import __version__
from tradingia.cli._console import console
from tradingia.cli._errors import TradingiaGroup
from tradingia.cli.backtest import backtest_command
from tradingia.cli.data import data_app
from tradingia.cli.demo import demo
from tradingia.cli.models import models_app
from tradingia.cli.predict import predict_command
from tradingia.cli.serve import serve
from tradingia.cli.train import train_command
from tradingia.cli.worker import worker

app = typer.Typer(
    name="tradingia",
    cls=TradingiaGroup,
    help="Self-hosted AI trading platform: candles to explained, risk-checked trade decisions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(data_app, name="data")
app.command()(serve)
app.command()(worker)
app.command()(demo)
app.command(name="backtest")(backtest_command)
app.command(name="train")(train_command)
app.add_typer(models_app, name="models")
app.command(name="predict")(predict_command)


@app.command()
def version() -> None:
    """Print the tradingia version."""
    console.print(__version__)


def main() -> None:
    """Console entry point (a TradingiaError prints its message and exits with its code:
    `TradingiaGroup` does that for every command)."""
    app()
