"""The market-data sync job: keeps the configured series fresh, every 5 minutes by default."""

from __future__ import annotations

import pandas as pd

from tradingia.core.settings import Settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources.base import CandleSource
from tradingia.jobs.scheduler import PeriodicJob
from tradingia.services import market_data as svc

Series = list[tuple[str, Timeframe]]


def sync_targets(settings: Settings, stored: Series) -> Series:
    """Series to sync: `TRADINGIA_SYNC_TARGETS`, or every stored series the venue lists."""
    if settings.sync_targets.strip():
        targets: Series = []
        for item in settings.sync_targets.split(","):
            symbol, _, tf = item.strip().partition(":")
            targets.append((get_symbol(symbol).name, Timeframe.parse(tf or "5m")))
        return targets
    venue = "ccxt" if settings.sync_source == "binance" else settings.sync_source
    listed: Series = []
    for symbol, tf in stored:
        info = get_symbol(symbol)
        if (info.ccxt if venue == "ccxt" else info.polygon) is not None:
            listed.append((symbol, tf))
    return listed


def make_sync_job(settings: Settings, source: CandleSource | None = None) -> PeriodicJob:
    """A PeriodicJob that syncs every target series and returns one report per series."""

    def run(now: pd.Timestamp) -> object:
        reports = []
        with svc.candle_store(settings) as store:
            stored = [(s.symbol, s.timeframe) for s in store.series()]
            for symbol, tf in sync_targets(settings, stored):
                report = svc.sync_series(store, symbol, tf, now=now, source=source,
                                         source_name=settings.sync_source, settings=settings)
                reports.append(report.to_dict())
        return reports

    return PeriodicJob("sync", settings.sync_interval_seconds, run)
