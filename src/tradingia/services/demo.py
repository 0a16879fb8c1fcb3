"""The offline demo on the embedded default: real sample candles through the pipeline.

Sample data: the EURUSD hourly candles (2017-04-19 .. 2018-02-07, 5,000 rows of a real broker
feed) that ship inside the `backtesting` package (backtesting.py, AGPL-3.0), so the demo needs
no network. Later stages (features, models, backtest) extend this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from tradingia.core.errors import ConfigError
from tradingia.core.timeframes import Timeframe
from tradingia.data.gaps import GapReport
from tradingia.data.stores.base import CandleStore
from tradingia.services import market_data as svc

SAMPLE_SYMBOL = "EURUSD"
SAMPLE_TIMEFRAME = Timeframe.H1
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
