"""`tradingia data ...`: import, sync, gaps, resample, fill, show, list.

The services (stores, venues, settings) load inside each command, not for `--help`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from tradingia.cli._console import console
from tradingia.cli._options import JsonOpt, SymbolOpt, TimeframeOpt, parse_utc
from tradingia.cli._progress import progress_bar
from tradingia.core.timeframes import Timeframe

data_app = typer.Typer(help="Market data: import, sync, gaps, resample, fill, show.",
                       no_args_is_help=True)

def _print_json(payload: object) -> None:
    typer.echo(json.dumps(payload, indent=2))


@data_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV, CSV.gz, Parquet or MT4 History export.")],
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    repair: Annotated[bool, typer.Option(
        "--repair", help="Drop or fix rows that break the rules, and list what was done.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a candle file and upsert it into the store (idempotent, all or nothing)."""
    from tradingia.data.gaps import iso_utc
    from tradingia.services import market_data as svc

    tf = Timeframe.parse(timeframe)
    with svc.candle_store() as store, console.status(f"Importing {path} ..."):
        report = svc.import_file(store, path, symbol, tf, repair=repair)
    summary = report.summary
    payload = {
        "symbol": report.symbol, "timeframe": tf.value, "rows_read": report.rows_read,
        "inserted": report.written.inserted, "updated": report.written.updated,
        "unchanged": report.written.unchanged, "repairs": list(report.repairs),
        "stored_rows": summary.rows if summary else 0,
        "first": iso_utc(summary.first) if summary else None,
        "last": iso_utc(summary.last) if summary else None,
    }
    if as_json:
        _print_json(payload)
        return
    for line in report.repairs:
        console.print(f"[yellow]repair:[/] {line}")
    console.print(
        f"{report.symbol} {tf.value}: read {report.rows_read:,} rows, "
        f"inserted {report.written.inserted:,}, updated {report.written.updated:,}, "
        f"unchanged {report.written.unchanged:,}; stored {payload['stored_rows']:,} rows "
        f"from {payload['first']} to {payload['last']}."
    )


@data_app.command()
def sync(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    source: Annotated[str, typer.Option(help="Venue: binance or polygon.")] = "binance",
    since: Annotated[str | None, typer.Option(
        help="Start date for a first sync or a back-fill (default: 30 days ago).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch only the candles the store lacks (new ones and recent gaps) from a venue."""
    from tradingia.services import market_data as svc

    tf = Timeframe.parse(timeframe)
    now = pd.Timestamp(datetime.now(UTC))
    start = parse_utc(since, "--since")
    with svc.candle_store() as store, progress_bar(console) as progress:
        task = progress.add_task(f"sync {symbol} {tf.value}", total=None)
        report = svc.sync_series(
            store, symbol, tf, now=now, source_name=source, since=start,
            progress=lambda n: progress.advance(task, n),
        )
    if as_json:
        _print_json(report.to_dict())
        return
    console.print(
        f"{report.symbol} {tf.value}: {len(report.windows)} window(s), received "
        f"{report.received:,} candles, inserted {report.inserted:,}, updated "
        f"{report.updated:,}; last candle {report.last}."
    )


@data_app.command()
def gaps(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    start: Annotated[str | None, typer.Option("--from", help="Start (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (exclusive).")] = None,
    limit: Annotated[int, typer.Option(help="Gaps listed in the table (longest first).")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Missing candles, judged by the market's calendar (FX and metals close on weekends)."""
    from tradingia.services import market_data as svc

    tf = Timeframe.parse(timeframe)
    with svc.candle_store() as store:
        report = svc.series_gaps(store, symbol, tf, parse_utc(start, "--from"),
                                 parse_utc(end, "--to"))
    payload = report.to_dict()
    if as_json:
        _print_json(payload)
        return
    console.print(
        f"{payload['symbol']} {tf.value}: expected {report.expected:,}, present "
        f"{report.present:,}, missing {report.missing:,} in {len(report.gaps)} gap(s)."
    )
    if report.gaps:
        shown = min(limit, len(report.gaps))
        table = Table("first missing", "last missing", "candles",
                      title=f"the {shown} longest gap(s) (--limit, --json for all)")
        for gap in sorted(report.gaps, key=lambda g: -g.missing)[:limit]:
            table.add_row(_short(gap.start), _short(gap.end), f"{gap.missing:,}")
        console.print(table)


@data_app.command()
def resample(
    symbol: SymbolOpt,
    source: Annotated[str, typer.Option("--from", help="Stored timeframe to read.")],
    target: Annotated[str, typer.Option("--to", help="Timeframe to build and store.")],
) -> None:
    """Build higher-timeframe candles from stored lower ones (only from candles that exist)."""
    from tradingia.services import market_data as svc

    src, dst = Timeframe.parse(source), Timeframe.parse(target)
    with svc.candle_store() as store, console.status(f"Resampling {src} -> {dst} ..."):
        report = svc.resample_series(store, symbol, src, dst)
    console.print(
        f"{report.symbol} {src.value} -> {dst.value}: {report.rows_read:,} candles, inserted "
        f"{report.written.inserted:,}, updated {report.written.updated:,}, unchanged "
        f"{report.written.unchanged:,}."
    )


@data_app.command()
def fill(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    max_gap: Annotated[int | None, typer.Option(
        help="Leave gaps longer than this many candles alone.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, write nothing.")] = False,
) -> None:
    """Fill calendar gaps with flat candles at the previous close (volume 0), and list them.

    Filling is never done silently anywhere else: models and backtests see gaps as gaps.
    """
    from tradingia.services import market_data as svc

    tf = Timeframe.parse(timeframe)
    with svc.candle_store() as store:
        result = svc.fill_series(store, symbol, tf, max_gap=max_gap, dry_run=dry_run)
    for line in result.log_lines():
        console.print(line)
    verb = "would fill" if dry_run else "filled"
    console.print(f"{verb} {result.rows_filled:,} candle(s) in {len(result.filled)} gap(s); "
                  f"left {len(result.skipped)} gap(s) alone.")


@data_app.command()
def show(symbol: SymbolOpt, timeframe: TimeframeOpt, as_json: JsonOpt = False) -> None:
    """First and last candle and row count of a stored series."""
    from tradingia.services import market_data as svc

    tf = Timeframe.parse(timeframe)
    with svc.candle_store() as store:
        info = svc.show_series(store, symbol, tf)
    if as_json:
        _print_json(info)
        return
    table = Table("symbol", "timeframe", "first", "last", "rows")
    table.add_row(info["symbol"], info["timeframe"], info["first"], info["last"],
                  f"{info['rows']:,}")
    console.print(table)
    last = info["last_candle"]
    console.print("last candle: " + ", ".join(f"{k}={v}" for k, v in last.items()))


@data_app.command("list")
def list_() -> None:
    """Every stored (symbol, timeframe) with its range and row count."""
    from tradingia.services import market_data as svc

    with svc.candle_store() as store:
        series = store.series()
    table = Table("symbol", "timeframe", "first", "last", "rows")
    for s in series:
        table.add_row(s.symbol, s.timeframe.value, _short(s.first), _short(s.last),
                      f"{s.rows:,}")
    console.print(table)


def _short(ts: pd.Timestamp) -> str:
    """A UTC time for tables: '2024-01-31 12:05Z'."""
    return ts.tz_convert("UTC").strftime("%Y-%m-%d %H:%MZ")

