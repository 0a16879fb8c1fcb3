"""`tradingia data ...`: import, sync, gaps, resample, show."""

from __future__ import annotations

import typer

data_app = typer.Typer(help="Market data: import, sync, gaps, resample, show.",
                       no_args_is_help=True)
