"""Progress bars shared by the command modules (transient: gone once the work is done)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from tradingia.cli._console import err_console

StageCallback = Callable[[str, int, int], None]


def progress_bar(console: Console = err_console, *, spinner: bool = False) -> Progress:
    """`description  ━━━━━  done/total  elapsed`, on stderr unless told otherwise."""
    columns: list[ProgressColumn] = [SpinnerColumn()] if spinner else []
    columns += [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn()]
    return Progress(*columns, console=console, transient=True)


@contextmanager
def stage_progress(*stages: str) -> Iterator[StageCallback]:
    """A bar per stage: yields `progress(stage, done, total)`, which adds a stage's bar the
    first time it is named (`stages` are shown from the start, their total unknown)."""
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {stage: bar.add_task(stage, total=None) for stage in stages}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress
