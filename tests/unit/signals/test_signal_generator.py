"""Signal generator known answers: direction, stop / target placement, filters per preset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradingia.core.errors import UnsupportedError
from tradingia.core.signal import Direction, Signal
from tradingia.core.timeframes import Timeframe
from tradingia.signals import PRESETS, SignalGenerator, decide, get_preset
from tradingia.signals.generator import REASONS


def _decide(p_long: float, p_short: float, up: float, down: float, preset: str = "moderate",
            atr: float = 0.01, phase: str | None = None) -> tuple[int, str]:
    dec = decide(np.array([p_long]), np.array([p_short]), np.array([up]), np.array([down]),
                 np.array([atr]), get_preset(preset),
                 None if phase is None else np.array([phase], dtype=object))
    return int(dec.side[0]), REASONS[int(dec.reason[0])]


@pytest.mark.parametrize(
    ("p_long", "p_short", "up", "down", "expected"),
    [
        (0.50, 0.20, 0.03, 0.01, (1, "ok")),
        (0.20, 0.50, 0.01, 0.03, (-1, "ok")),
        (0.39, 0.20, 0.03, 0.01, (0, "probability")),
        (0.45, 0.40, 0.03, 0.01, (0, "edge")),
        (0.50, 0.20, 0.011, 0.01, (0, "range")),
        (0.50, 0.20, 0.019, 0.01, (0, "reward_risk")),
        (np.nan, 0.20, 0.03, 0.01, (0, "no_prediction")),
    ],
)
def test_moderate_decisions(p_long: float, p_short: float, up: float, down: float,
                            expected: tuple[int, str]) -> None:
    assert _decide(p_long, p_short, up, down) == expected


def test_presets_filter_the_same_row_differently() -> None:
    row = (0.42, 0.30, 0.03, 0.01)
    assert _decide(*row, preset="conservative") == (0, "probability")
    assert _decide(*row, preset="moderate") == (1, "ok")
    assert _decide(*row, preset="aggressive_filter") == (1, "ok")
    assert _decide(0.38, 0.33, 0.03, 0.01, preset="aggressive_filter") == (1, "ok")
    assert _decide(0.38, 0.33, 0.03, 0.01, preset="moderate")[0] == 0


def test_amd_phase_filter_only_when_the_preset_names_phases() -> None:
    preset = PRESETS["moderate"].model_copy(update={"allowed_amd_phases": ("distribution",)})
    dec = decide(np.array([0.5, 0.5]), np.array([0.2, 0.2]), np.array([0.03, 0.03]),
                 np.array([0.01, 0.01]), np.array([0.01, 0.01]), preset,
                 np.array(["accumulation", "distribution"], dtype=object))
    assert dec.side.tolist() == [0, 1]
    assert REASONS[int(dec.reason[0])] == "amd_phase"


def test_presets_are_named_versioned_and_frozen() -> None:
    assert set(PRESETS) == {"conservative", "moderate", "aggressive_filter"}
    assert get_preset("conservative").id == "conservative@v1"
    with pytest.raises(ValueError):
        PRESETS["moderate"].min_prob = 0.1  # type: ignore[misc]
    with pytest.raises(UnsupportedError, match="aggressive_filter"):
        get_preset("yolo")


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = pd.date_range("2024-01-01", periods=40, freq="5min", tz="UTC", name="timestamp")
    candles = pd.DataFrame({"open": 100.0, "high": 100.5, "low": 99.5, "close": 100.0,
                            "volume": 1.0}, index=idx)  # ATR(14) = 1.0 -> 1% of price
    preds = pd.DataFrame({
        "delta_high_12": 0.03, "delta_low_12": 0.01,
        "p_tp_first_long_12": 0.5, "p_tp_first_short_12": 0.2,
        "delta_high_6": 0.01, "delta_low_6": 0.01,
        "p_tp_first_long_6": 0.1, "p_tp_first_short_6": 0.1,
        "amd_phase": "distribution",
    }, index=idx[20:])
    preds.iloc[1, preds.columns.get_loc("p_tp_first_long_12")] = 0.1
    preds.iloc[1, preds.columns.get_loc("p_tp_first_short_12")] = 0.5
    preds.iloc[1, preds.columns.get_loc("delta_low_12")] = 0.03
    preds.iloc[2, preds.columns.get_loc("p_tp_first_long_12")] = 0.3
    return preds, candles


def test_signals_place_stop_by_atr_and_targets_by_predicted_reach() -> None:
    preds, candles = _frames()
    gen = SignalGenerator("BTCUSDT", Timeframe.M5, "moderate", {"level1": "BTCUSDT-5m-v0001"})
    signals = gen.generate(preds.iloc[:3], candles, include_neutral=True)
    long_, short, neutral = signals
    assert isinstance(long_, Signal) and long_.direction is Direction.LONG
    assert long_.entry == 100.0 and long_.horizon == 12
    assert long_.stop_loss == pytest.approx(99.0)
    assert long_.take_profits == pytest.approx((101.8, 103.0))
    assert long_.prob_tp_first == 0.5 and long_.confidence == 0.5
    assert long_.predicted_high == pytest.approx(103.0)
    assert long_.predicted_low == pytest.approx(99.0)
    assert long_.model_versions["level1"] == "BTCUSDT-5m-v0001"
    assert long_.preset == "moderate@v1" and long_.amd_phase == "distribution"
    assert short.direction is Direction.SHORT
    assert short.stop_loss == pytest.approx(101.0)
    assert short.take_profits == pytest.approx((98.2, 97.0))
    assert neutral.direction is Direction.NEUTRAL and neutral.stop_loss is None
    assert neutral.structure["reason"] == "probability"
    assert len(gen.generate(preds.iloc[:3], candles)) == 2


def test_decision_frame_matches_generated_signals() -> None:
    preds, candles = _frames()
    frame = SignalGenerator("BTCUSDT", Timeframe.M5).decisions(preds, candles)
    assert frame["direction"].iloc[:3].tolist() == ["long", "short", "neutral"]
    assert frame["confidence"].between(0, 1).all()
    assert (frame["horizon"] == 12).all()


def test_signal_rejects_levels_on_the_wrong_side() -> None:
    with pytest.raises(ValueError, match="wrong side"):
        Signal(symbol="BTCUSDT", timeframe=Timeframe.M5,
               time=pd.Timestamp("2024-01-01", tz="UTC"), direction=Direction.LONG,
               entry=100.0, stop_loss=101.0, take_profits=(102.0,), confidence=0.5,
               prob_tp_first=0.5, predicted_high=None, predicted_low=None)
