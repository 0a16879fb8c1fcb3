"""`tradingia demo`: the whole pipeline on the embedded default, offline."""

from __future__ import annotations

from rich.panel import Panel
from rich.table import Table

from tradingia.cli._console import console
from tradingia.core.settings import get_settings
from tradingia.services import demo as demo_svc
from tradingia.services import market_data as svc


def demo() -> None:
    """Run the pipeline offline on real sample candles and print what each stage found."""
    settings = get_settings()
    console.print(Panel.fit(
        f"tradingia demo — {settings.mode} mode, home {settings.home.resolve()}\n"
        f"sample: {demo_svc.SAMPLE_SOURCE}", title="tradingia"))
    with svc.candle_store(settings) as store:
        console.rule("1. market data")
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
        table = Table("timeframe", "candles", "first", "last")
        for tf, rep in result.resampled.items():
            s = rep.summary
            table.add_row(tf, f"{rep.rows_read:,}", str(s.first if s else "-"),
                          str(s.last if s else "-"))
        console.print(table)
