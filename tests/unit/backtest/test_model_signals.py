"""Model-signal plumbing without training: where out of sample starts, Signals -> frame,
walk-forward fold plans, and a fold model that saw its test window is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.backtest.model_signals import (
    FoldSignalMaker,
    longest_horizon,
    out_of_sample_start,
    signals_frame,
)
from tradingia.backtest.walkforward import plan_folds
from tradingia.core.errors import ConfigError, DataValidationError
from tradingia.core.signal import Direction, Signal
from tradingia.core.timeframes import Timeframe

INDEX = pd.date_range("2024-01-01", periods=100, freq="1h", tz="UTC", name="timestamp")


def _signal(hour: int, direction: Direction, stop: float | None,
            targets: tuple[float, ...]) -> Signal:
    return Signal(symbol="EURUSD", timeframe=Timeframe.H1, time=INDEX[hour],
                  direction=direction, entry=100.0, stop_loss=stop, take_profits=targets,
                  confidence=0.5, prob_tp_first=0.5, predicted_high=None, predicted_low=None)


def test_out_of_sample_starts_after_the_last_training_row_plus_the_longest_horizon() -> None:
    meta = {"train_end": str(INDEX[39]), "horizons": [6, 12], "purge": 12}
    assert longest_horizon(meta) == 12
    assert out_of_sample_start(meta, INDEX) == INDEX[52]  # rows 40..51 fed its targets


def test_out_of_sample_respects_until_and_is_none_when_everything_was_seen() -> None:
    meta = {"train_end": str(INDEX[39]), "horizons": [6], "until": str(INDEX[60])}
    assert out_of_sample_start(meta, INDEX) == INDEX[60]
    assert out_of_sample_start({"train_end": str(INDEX[95]), "horizons": [6]}, INDEX) is None


def test_signals_frame_drops_neutral_and_spreads_targets_over_columns() -> None:
    frame = signals_frame([
        _signal(1, Direction.LONG, 99.0, (101.0, 102.0)),
        _signal(2, Direction.NEUTRAL, None, ()),
        _signal(3, Direction.SHORT, 101.0, (99.0,)),
    ])
    assert list(frame.index) == [INDEX[1], INDEX[3]]
    assert list(frame["direction"]) == ["long", "short"]
    assert frame.loc[INDEX[1], "take_profit_2"] == 102.0
    assert np.isnan(float(frame["take_profit_2"].iloc[1]))


def test_no_signals_give_an_empty_frame_with_the_required_columns() -> None:
    frame = signals_frame([])
    assert len(frame) == 0
    assert {"direction", "stop_loss", "take_profit"} <= set(frame.columns)


def test_fold_plan_by_count_purges_and_expands() -> None:
    index = pd.date_range("2024-01-01", periods=1000, freq="1h", tz="UTC")
    splits = plan_folds(index, purge=10, folds=2, min_train=100)
    assert len(splits) == 2
    for train, test in splits:
        assert train.start == 0 and test.start - train.stop == 10
    assert splits[-1][1].stop == 1000


def test_fold_plan_by_days_rolls_and_refuses_short_training_windows() -> None:
    index = pd.date_range("2024-01-01", periods=24 * 30, freq="1h", tz="UTC")
    splits = plan_folds(index, purge=6, train_days=10, test_days=5, min_train=100)
    assert all(tr.stop - tr.start == splits[0][0].stop - splits[0][0].start
               for tr, _ in splits)
    with pytest.raises(DataValidationError, match="at least 500 candles"):
        plan_folds(index, purge=6, train_days=10, test_days=5, min_train=500)
    with pytest.raises(ConfigError, match="both"):
        plan_folds(index, purge=6, train_days=10)


class _SeenEverything:
    """A stand-in model set whose metadata says it trained up to the last candle."""

    def __init__(self, metadata: dict[str, object] | None = None) -> None:
        self.metadata = metadata if metadata is not None else {"train_end": str(INDEX[-1])}


class _LeakyFit:
    """Pretends to have trained up to the end of the data (it saw the test window)."""

    def __init__(self, metadata: dict[str, object] | None = None) -> None:
        self.metadata = metadata

    def __call__(self, train: pd.DataFrame) -> object:
        return _SeenEverything(self.metadata)


def test_a_fold_model_that_saw_its_test_window_is_refused() -> None:
    candles = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0,
                            "volume": 1.0}, index=INDEX)
    maker = FoldSignalMaker(candles, _LeakyFit(), "EURUSD", Timeframe.H1,  # type: ignore[arg-type]
                            "moderate")
    with pytest.raises(DataValidationError, match="leaks"):
        maker(candles.iloc[:50], candles.iloc[60:])


def test_a_fold_model_whose_targets_read_into_its_test_window_is_refused() -> None:
    """train_end is before the test start, but its 6-candle targets read past it."""
    candles = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0,
                            "volume": 1.0}, index=INDEX)
    fit = _LeakyFit({"train_end": str(INDEX[55]), "horizons": [6]})
    maker = FoldSignalMaker(candles, fit, "EURUSD", Timeframe.H1,  # type: ignore[arg-type]
                            "moderate")
    with pytest.raises(DataValidationError, match="leaks"):
        maker(candles.iloc[:50], candles.iloc[60:])
