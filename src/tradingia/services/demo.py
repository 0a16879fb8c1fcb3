"""The offline demo on the embedded default: real sample candles through the whole pipeline.

Sample data: the EURUSD hourly candles (2017-04-19 .. 2018-02-07, 5,000 rows of a real broker
feed) that ship inside the `backtesting` package (backtesting.py, AGPL-3.0), so the demo needs
no network. Each stage is a function the CLI calls and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tradingia.core.errors import ConfigError
from tradingia.core.settings import Settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.gaps import GapReport
from tradingia.data.stores.base import CandleStore
from tradingia.services import market_data as svc

if TYPE_CHECKING:
    from tradingia.services.backtest import BacktestOutcome
    from tradingia.services.training import Progress, TrainOutcome

SAMPLE_SYMBOL = "EURUSD"
SAMPLE_TIMEFRAME = Timeframe.H1
SAMPLE_FEATURE_SET = "extended"  # `full` adds 15m/1h/4h context, which needs base candles < 15m
SAMPLE_SOURCE = "backtesting.test/EURUSD.csv (real EURUSD 1h broker candles, 2017-04 .. 2018-02)"


def load_sample_candles() -> pd.DataFrame:
    """The EURUSD 1h sample shipped by `backtesting`, as an (unvalidated) candle frame."""
    try:
        path = resources.files("backtesting.test").joinpath("EURUSD.csv")
    except ModuleNotFoundError:
        raise ConfigError(
            "The demo's sample candles come from the `backtesting` package: "
            "pip install 'tradingia[demo]' (make demo does this for you)."
        ) from None
    with resources.as_file(path) as csv:
        frame = pd.read_csv(csv, index_col=0, parse_dates=True)
    frame.columns = [c.lower() for c in frame.columns]
    frame.index = pd.DatetimeIndex(frame.index).tz_localize("UTC").rename("timestamp")
    return frame.astype("float64")


@dataclass(frozen=True, slots=True)
class DataDemoResult:
    """What the data stage of the demo did."""

    imported: svc.ImportReport
    gaps: GapReport
    resampled: dict[str, svc.ImportReport]


def run_data_stage(store: CandleStore) -> DataDemoResult:
    """Import the sample, report its gaps, and resample it to 4h and 1d."""
    imported = svc.import_candles(store, load_sample_candles(), SAMPLE_SYMBOL, SAMPLE_TIMEFRAME)
    gaps = svc.series_gaps(store, SAMPLE_SYMBOL, SAMPLE_TIMEFRAME)
    resampled = {
        tf.value: svc.resample_series(store, SAMPLE_SYMBOL, SAMPLE_TIMEFRAME, tf)
        for tf in (Timeframe.H4, Timeframe.D1)
    }
    return DataDemoResult(imported=imported, gaps=gaps, resampled=resampled)


def run_feature_stage(store: CandleStore) -> pd.DataFrame:
    """Build the sample's features (no look-ahead) and summarise them, one row per feature."""
    from tradingia.features import build_features, feature_summary

    candles = store.read(SAMPLE_SYMBOL, SAMPLE_TIMEFRAME)
    return feature_summary(build_features(candles, SAMPLE_FEATURE_SET))


def run_training_stage(settings: Settings, progress: Progress | None = None) -> TrainOutcome:
    """Walk-forward training on the stored sample; returns the TrainOutcome (OOS scorecard)."""
    from tradingia.services.training import TrainRequest, train

    request = TrainRequest(symbol=SAMPLE_SYMBOL, timeframe=SAMPLE_TIMEFRAME,
                           feature_set=SAMPLE_FEATURE_SET, n_folds=3, n_boot=100)
    return train(request, settings, progress=progress)


def edge_verdict(range_table: pd.DataFrame, tpsl_table: pd.DataFrame) -> str:
    """One honest line: how many targets beat their naive baseline out of sample.

    A range target counts when its R² beats both the recent-range and the ATR-persistence
    baselines; a TP-first target when the lower end of its AUC interval is above 0.5.
    """
    baselines = [c for c in ("r2_recent", "r2_atr") if c in range_table.columns]
    beats = range_table["r2"] > range_table[baselines].max(axis=1)
    informative = tpsl_table["auc_lo"] > 0.5
    found = int(beats.sum()) + int(informative.sum())
    total = len(range_table) + len(tpsl_table)
    if found == 0:
        return (f"No edge found: none of the {total} targets beats its naive baseline out of "
                "sample on this sample. That is a finding, not a failure.")
    return (f"Edge on {found} of {total} targets out of sample: range R² above both baselines "
            f"for {int(beats.sum())} of {len(range_table)}, TP-first AUC interval above 0.5 "
            f"for {int(informative.sum())} of {len(tpsl_table)}.")


SAMPLE_SPREAD = 0.00008  # a retail EURUSD account: no commission, a 0.8-pip spread
SAMPLE_SLIPPAGE_BPS = 0.5


def run_backtest_stage(settings: Settings, report_dir: Path,
                       on_fold: Callable[[int, int], None] | None = None) -> BacktestOutcome:
    """Walk-forward backtest of the model signals: every fold's models are trained only on
    candles before its test window, so the whole equity curve is out of sample."""
    from tradingia.backtest.config import BacktestConfig, CostConfig
    from tradingia.services.backtest import WalkForwardPlan, run_model_backtest
    from tradingia.services.training import TrainRequest

    return run_model_backtest(
        SAMPLE_SYMBOL, SAMPLE_TIMEFRAME, "moderate", report_dir,
        config=BacktestConfig(costs=CostConfig(
            taker_fee_bps=0.0, maker_fee_bps=0.0, slippage_bps=SAMPLE_SLIPPAGE_BPS,
            spread=SAMPLE_SPREAD)),
        walk_forward=WalkForwardPlan(folds=3),
        train=TrainRequest(symbol=SAMPLE_SYMBOL, timeframe=SAMPLE_TIMEFRAME,
                           feature_set=SAMPLE_FEATURE_SET, n_folds=1, n_boot=20),
        settings=settings, on_fold=on_fold,
    )
