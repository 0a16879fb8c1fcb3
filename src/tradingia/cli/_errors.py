"""One place that turns a `TradingiaError` from any command into a message and an exit code."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from tradingia.cli._console import err_console
from tradingia.core.errors import TradingiaError


class TradingiaGroup(TyperGroup):
    """The root command group: a `TradingiaError` raised by any (sub)command prints
    `error: <message>` on stderr and exits with the error's `exit_code`."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context (private module)
        try:
            return super().invoke(ctx)
        except TradingiaError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(exc.exit_code) from None
