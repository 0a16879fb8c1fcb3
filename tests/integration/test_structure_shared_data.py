"""Structure and AMD features on real candles: no look-ahead, and a cross-check of confirmed
events against `smartmoneyconcepts` (which reads the future) after shifting its events by
their confirmation delay."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.features.amd import SETTLE_ROWS as AMD_SETTLE
from tradingia.features.amd import amd_features, amd_labels
from tradingia.features.structure import SETTLE_ROWS as STRUCTURE_SETTLE
from tradingia.features.structure import fair_value_gaps, structure_features, swing_points

N_ROWS = 20_000
CUTS = (5_000, 12_345, 19_000)


@pytest.fixture(scope="module")
def btc(shared_data_dir: Path) -> pd.DataFrame:
    """The first 20,000 real BTCUSDT 5m candles (includes the 2021-09-29 outage)."""
    return pd.read_csv(
        shared_data_dir / "BTCUSDT_5m.csv.gz", index_col="timestamp", parse_dates=True,
        nrows=N_ROWS,
    ).astype("float64")


def random_future(candles: pd.DataFrame, cut: int, seed: int) -> pd.DataFrame:
    """`candles` with every candle after row `cut` replaced by a random walk from its close."""
    rng = np.random.default_rng(seed)
    n = len(candles) - cut - 1
    close = candles["close"].iloc[cut] * np.exp(np.cumsum(rng.normal(0.0, 0.004, n)))
    open_ = np.concatenate([[candles["close"].iloc[cut]], close[:-1]])
    wick = np.abs(rng.normal(0.0, 0.003, (2, n)))
    out = candles.copy()
    out.iloc[cut + 1 :] = np.column_stack([
        open_, np.maximum(open_, close) * (1 + wick[0]), np.minimum(open_, close) * (1 - wick[1]),
        close, rng.lognormal(3.0, 1.0, n),
    ])
    return out


@pytest.mark.parametrize("cut", CUTS)
def test_structure_features_at_or_before_the_cut_ignore_the_future(
    btc: pd.DataFrame, cut: int
) -> None:
    base = structure_features(btc).iloc[: cut + 1]
    mutated = structure_features(random_future(btc, cut, seed=cut)).iloc[: cut + 1]
    truncated = structure_features(btc.iloc[: cut + 1])
    pd.testing.assert_frame_equal(mutated, base)
    pd.testing.assert_frame_equal(truncated, base)


@pytest.mark.parametrize("cut", CUTS)
def test_amd_features_and_labels_at_or_before_the_cut_ignore_the_future(
    btc: pd.DataFrame, cut: int
) -> None:
    future = random_future(btc, cut, seed=cut + 1)
    pd.testing.assert_frame_equal(
        amd_features(future).iloc[: cut + 1], amd_features(btc).iloc[: cut + 1]
    )
    pd.testing.assert_frame_equal(
        amd_features(btc.iloc[: cut + 1]), amd_features(btc).iloc[: cut + 1]
    )
    labels = amd_labels(btc)
    pd.testing.assert_series_equal(amd_labels(future).iloc[: cut + 1], labels.iloc[: cut + 1])
    pd.testing.assert_series_equal(amd_labels(btc.iloc[: cut + 1]), labels.iloc[: cut + 1])


def test_real_series_produces_every_event_and_phase(btc: pd.DataFrame) -> None:
    f = structure_features(btc)
    for name in ("swing_high_confirmed", "bos_up", "bos_down", "choch_up", "choch_down",
                 "sweep_high", "sweep_low", "fvg_bull", "fvg_bear", "fvg_bull_filled",
                 "ob_bull_mitigated", "ob_bear_mitigated"):
        assert f[name].sum() > 10, name
    assert set(np.unique(amd_labels(btc))) == {-1, 0, 1, 2, 3}


# --- cross-check against smartmoneyconcepts (dev dependency) --------------------------------


@pytest.fixture(scope="module")
def smc() -> object:
    os.environ["SMC_CREDIT"] = "0"
    module = pytest.importorskip("smartmoneyconcepts")
    return module.smc


def test_smc_fvgs_shifted_one_candle_are_our_gaps_whose_middle_candle_agrees(
    btc: pd.DataFrame, smc: object
) -> None:
    """smc dates a gap at its middle candle (reading the next one with shift(-1)) and also
    asks the middle candle to point the gap's way; we date it at the third candle."""
    theirs = smc.fvg(btc)["FVG"].to_numpy()  # type: ignore[attr-defined]
    ours = fair_value_gaps(btc)
    rows = btc.index.get_indexer(ours["formed_at"])
    middle_up = (btc["close"] > btc["open"]).to_numpy()[rows - 1]
    middle_down = (btc["close"] < btc["open"]).to_numpy()[rows - 1]
    bull = ours["direction"].to_numpy() > 0
    assert set(np.flatnonzero(theirs == 1) + 1) == set(rows[bull & middle_up])
    assert set(np.flatnonzero(theirs == -1) + 1) == set(rows[~bull & middle_down])


@pytest.mark.parametrize("length", [3, 5])
def test_smc_swings_confirmed_swing_length_later_are_ours(
    btc: pd.DataFrame, smc: object, length: int
) -> None:
    """smc marks swings at the swing candle with a centred window (its left side is one
    candle shorter, ties allowed) and then thins consecutive same-kind swings using the
    future. Every interior smc swing that also clears the extra left candle strictly is one
    of ours, known exactly `length` candles later; most of ours are smc's."""
    marks = smc.swing_highs_lows(btc, swing_length=length)["HighLow"].to_numpy()  # type: ignore[attr-defined]
    ours = swing_points(btc, swing_length=length)
    at = btc.index.get_indexer(ours["swing_at"])
    confirmed = btc.index.get_indexer(ours["confirmed_at"])
    assert (confirmed - at == length).all()
    n = len(btc)
    for kind, code, values in (("high", 1, btc["high"].to_numpy()),
                               ("low", -1, -btc["low"].to_numpy())):
        mine = set(at[ours["kind"].to_numpy() == kind])
        theirs = {c for c in np.flatnonzero(marks == code)
                  if length <= c < n - length and values[c] > values[c - length : c].max()}
        assert theirs <= mine, kind
        assert len(theirs) >= 0.75 * len(mine), kind


@pytest.mark.parametrize("start", [1_000, 7_777])
def test_a_later_start_gives_the_same_features_after_the_settle_rows(
    btc: pd.DataFrame, start: int
) -> None:
    """What a live predictor computes on a short history equals training features once
    SETTLE_ROWS candles have passed (no dependence on where the series began)."""
    for fn, settle in ((structure_features, STRUCTURE_SETTLE), (amd_features, AMD_SETTLE)):
        late = fn(btc.iloc[start:]).iloc[settle:]
        pd.testing.assert_frame_equal(late, fn(btc).iloc[start + settle :], rtol=1e-8)
