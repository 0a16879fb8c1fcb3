"""`tradingia serve`: the API (REST, WebSocket, metrics), with the jobs in embedded mode."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tradingia.cli._console import console
from tradingia.core.errors import ConfigError


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    dev: Annotated[bool, typer.Option("--dev", help="Allow running without API keys.")] = False,
    jobs: Annotated[bool | None, typer.Option(
        "--jobs/--no-jobs", help="Run sync / signal / outcome jobs here "
        "(default: yes in embedded mode, no in server mode where `tradingia worker` runs them)."
    )] = None,
    prediction_limit: Annotated[str | None, typer.Option(
        help="Per-key limit on predictions and signals, e.g. 100/minute; 0 for none "
        "(default: the API's).")] = None,
    api_limit: Annotated[str | None, typer.Option(
        help="Per-key limit on every other endpoint, e.g. 1000/minute; 0 for none "
        "(default: the API's).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Start the ML engine service: REST under /api/v1, WS /ws/signals, /metrics, /docs."""
    import uvicorn  # the server stack loads only for this command

    from tradingia.api.app import create_app
    from tradingia.api.deps import ApiOptions
    from tradingia.api.ratelimit import RateLimit
    from tradingia.core.settings import get_settings

    settings = get_settings()
    defaults = ApiOptions()
    try:
        limit = (defaults.prediction_limit if prediction_limit is None
                 else RateLimit.parse(prediction_limit))
        default = defaults.default_limit if api_limit is None else RateLimit.parse(api_limit)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    run_jobs = settings.mode == "embedded" if jobs is None else jobs
    background = []
    if run_jobs:
        from tradingia.jobs.embedded import run_engine_jobs

        background.append(run_engine_jobs)
    app = create_app(settings, options=ApiOptions(dev=dev, prediction_limit=limit,
                                          default_limit=default),
                     background=background)
    base = f"http://{host}:{port}"
    console.print(f"tradingia API ({settings.mode} mode{', jobs on' if run_jobs else ''}): "
                  f"docs {base}/docs · metrics {base}/metrics · signals ws://{host}:{port}"
                  "/ws/signals")
    # httptools and uvloop (pinned) named, so a missing one fails here rather than falling
    # back to the pure-Python parser and loop; no access log on the request path.
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False,
                ws="websockets-sansio", http="httptools",
                loop="uvloop" if sys.platform != "win32" else "asyncio")
