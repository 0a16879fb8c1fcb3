"""`tradingia demo`: the whole pipeline on the embedded default, offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Column, Table

from tradingia.cli._console import console
from tradingia.cli._progress import stage_progress

if TYPE_CHECKING:  # settings, stores and the pipeline load only when the demo runs
    from tradingia.core.settings import Settings


def demo(
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="End by starting the API server (Ctrl-C stops it).")] = True,
    port: Annotated[int, typer.Option(help="Port for the API server.")] = 8000,
) -> None:
    """Run the pipeline offline on real sample candles and print what each stage found."""
    from tradingia.core.settings import get_settings
    from tradingia.services import demo as demo_svc

    settings = get_settings()
    console.print(Panel.fit(
        f"tradingia demo — {settings.mode} mode, home {settings.home.resolve()}\n"
        f"sample: {demo_svc.SAMPLE_SOURCE}", title="tradingia"))
    _data_stage(settings)
    _feature_stage(settings)
    _training_stage(settings)
    _backtest_stage(settings)
    if serve:
        console.rule("5. the service")
        from tradingia.cli.serve import serve as serve_command

        console.print("Starting the API in --dev mode (no API key); Ctrl-C stops it.")
        serve_command(host="127.0.0.1", port=port, dev=True, jobs=False)


def _data_stage(settings: Settings) -> None:
    from tradingia.services import demo as demo_svc
    from tradingia.services import market_data as svc

    console.rule("1. market data")
    with svc.candle_store(settings) as store:
        result = demo_svc.run_data_stage(store)
    imp = result.imported
    console.print(
        f"imported {imp.symbol} {imp.timeframe.value}: {imp.rows_read:,} rows "
        f"(inserted {imp.written.inserted:,}, unchanged {imp.written.unchanged:,})"
    )
    gaps = result.gaps
    longest = gaps.longest
    console.print(
        f"gaps (forex calendar, weekends closed): expected {gaps.expected:,}, present "
        f"{gaps.present:,}, missing {gaps.missing:,} in {len(gaps.gaps)} gap(s)"
        + (f"; longest {longest.missing} candles from {longest.start}" if longest else "")
    )
    table = Table("timeframe", "candles", "first", "last", title="resampled (stored)")
    for tf, rep in result.resampled.items():
        s = rep.summary
        table.add_row(tf, f"{rep.rows_read:,}", str(s.first if s else "-"),
                      str(s.last if s else "-"))
    console.print(table)


def _feature_stage(settings: Settings) -> None:
    from tradingia.services import demo as demo_svc
    from tradingia.services import market_data as svc

    console.rule(f"2. features ({demo_svc.SAMPLE_FEATURE_SET} set, no look-ahead)")
    with svc.candle_store(settings) as store, console.status("building features ..."):
        summary = demo_svc.run_feature_stage(store)
    table = Table("rows", "warm-up", "mean", "std", "min", "max")
    table.columns.insert(0, Column("feature", no_wrap=True))
    for name, row in summary.iterrows():
        table.add_row(str(name), f"{int(row['count']):,}", str(int(row["nan_warmup"])),
                      f"{row['mean']:.4g}", f"{row['std']:.4g}", f"{row['min']:.4g}",
                      f"{row['max']:.4g}")
    console.print(table)


def _training_stage(settings: Settings) -> None:
    from tradingia.cli.train import print_scorecard
    from tradingia.services import demo as demo_svc

    console.rule("3. walk-forward training (out-of-sample scores)")
    with stage_progress() as progress:
        outcome = demo_svc.run_training_stage(settings, progress)
    print_scorecard(outcome.scorecard)
    console.print(f"[bold]{demo_svc.edge_verdict(outcome.scorecard.range, outcome.scorecard.tpsl)}")
    console.print(f"registered {outcome.version.id} in {outcome.seconds:.0f} s; "
                  f"report: {outcome.report}")


def _backtest_stage(settings: Settings) -> None:
    from tradingia.services import demo as demo_svc

    console.rule("4. walk-forward backtest of the model signals (preset: moderate)")
    report_dir = settings.home / "reports" / "demo-backtest"
    with stage_progress("folds") as progress:
        outcome = demo_svc.run_backtest_stage(
            settings, report_dir, on_fold=lambda done, total: progress("folds", done, total))
    m = outcome.metrics
    bh = m.get("buy_and_hold") or {}
    table = Table("trades", "win rate", "total R", "expectancy R", "return", "max drawdown",
                  "buy & hold", title="out of sample, costs on (0.8-pip spread)")
    table.add_row(str(m["trades"]), _pct(m.get("win_rate")), _num(m.get("total_r")),
                  _num(m.get("expectancy_r")), _pct(m.get("total_return")),
                  _pct(m.get("max_drawdown")), _pct(bh.get("total_return")))
    console.print(table)
    if int(m["trades"]) < 30:
        console.print(f"[bold]{m['trades']} trades are too few to tell skill from luck.")
    console.print(f"report: {outcome.report}")


def _num(value: object) -> str:
    return "-" if value is None else f"{float(value):+.2f}"  # type: ignore[arg-type]


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]
