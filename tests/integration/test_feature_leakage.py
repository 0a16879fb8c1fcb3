"""No look-ahead, checked on real candles for every feature of every set, and for targets.

Features: build on a real series, then (a) with every candle after a cut replaced by
different random candles and (b) with the series truncated at the cut; every feature at or
before the cut must be IDENTICAL. Exact equality (not a tolerance) is the right bar here:
each value at row t comes from sequential, causal computations (TA-Lib loops, pandas rolling
windows, cumulative sums, per-bucket resampling) over the same prefix, so any difference,
even of one ulp, means something read a row after t. A tolerance would only hide leaks of
small magnitude, e.g. a whole-series normalisation.

Targets (the mirror test): a target at t may read close[t], the ATR at t, and candles
t+1 .. t+h; changing anything else must not change it.

Start-dependence (not look-ahead, documented in features._memory): features built on a
series that starts later agree with the longer build once each column's declared settle
length has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.core import Timeframe
from tradingia.features import (
    FEATURE_SETS,
    build_features,
    build_targets,
    catalogue,
    feature_set_names,
    tp_first_labels,
)

pytestmark = pytest.mark.shared_data

ROWS = 4_000
# Positions chosen to fall mid-hour, on the last 5m row of an hour and of a 4h bucket, on the
# first row of a 4h bucket, inside the warm-up, and near the end (BNBUSDT starts at 00:00).
CUTS = (150, 1_500, 1_775, 2_015, 2_016, 3_990)


@pytest.fixture(scope="module")
def real_5m(shared_data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(
        shared_data_dir / "BNBUSDT_5m.csv.gz", index_col="timestamp", parse_dates=True,
        nrows=30_000,
    ).astype("float64")


def random_candles(index: pd.DatetimeIndex, start_price: float, seed: int) -> pd.DataFrame:
    """Different, contract-valid random candles on the given timestamps."""
    rng = np.random.default_rng(seed)
    n = len(index)
    level = start_price * rng.uniform(0.5, 2.0)
    close = level * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = close * np.exp(rng.normal(0.0, 0.004, n))
    wick = np.abs(rng.normal(0.0, 0.006, (2, n)))
    return pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1 + wick[0]),
            "low": np.minimum(open_, close) * (1 - wick[1]),
            "close": close,
            "volume": rng.lognormal(5.0, 1.5, n),
        },
        index=index,
    )


def replace_after(candles: pd.DataFrame, cut: int, seed: int = 1) -> pd.DataFrame:
    """Rows after position `cut` replaced by random candles (rows 0..cut untouched)."""
    future = random_candles(candles.index[cut + 1 :], float(candles["close"].iloc[cut]), seed)
    return pd.concat([candles.iloc[: cut + 1], future])


def prefix_differences(a: pd.DataFrame, b: pd.DataFrame, cut: int) -> list[str]:
    """Columns whose values at positions 0..cut are not bit-identical (NaN equals NaN)."""
    left, right = a.iloc[: cut + 1], b.iloc[: cut + 1]
    return [
        c for c in a.columns
        if not np.array_equal(left[c].to_numpy(), right[c].to_numpy(), equal_nan=True)
    ]


Builder = Callable[[pd.DataFrame], pd.DataFrame]


def leaks(build: Builder, candles: pd.DataFrame, cut: int) -> dict[str, list[str]]:
    """Columns that change at or before `cut` when the future is replaced or removed."""
    base = build(candles)
    replaced = build(replace_after(candles, cut))
    truncated = build(candles.iloc[: cut + 1])
    assert len(replaced.columns.difference(base.columns)) == 0
    return {
        "replaced": prefix_differences(base, replaced, cut),
        "truncated": prefix_differences(base.iloc[: cut + 1], truncated, cut),
    }


@pytest.mark.parametrize("name", feature_set_names())
@pytest.mark.parametrize("cut", CUTS)
def test_no_feature_changes_when_the_future_is_replaced_or_removed(
    real_5m: pd.DataFrame, name: str, cut: int
) -> None:
    candles = real_5m.iloc[:ROWS]
    found = leaks(lambda c: build_features(c, name), candles, cut)
    assert found == {"replaced": [], "truncated": []}


def test_replacing_the_future_does_change_features_after_the_cut(real_5m: pd.DataFrame) -> None:
    candles, cut = real_5m.iloc[:ROWS], 2_000
    base = build_features(candles, "full")
    replaced = build_features(replace_after(candles, cut), "full")
    after = [
        c for c in base.columns
        if not np.array_equal(base[c].iloc[cut + 1 :], replaced[c].iloc[cut + 1 :], equal_nan=True)
    ]
    assert after == list(base.columns)  # the test has teeth: every feature sees the change


@pytest.mark.parametrize("minute", range(0, 60, 5))
def test_higher_timeframe_columns_ignore_the_forming_hour_at_every_5m_row(
    real_5m: pd.DataFrame, minute: int
) -> None:
    candles = real_5m.iloc[:ROWS]
    cut = 1_440 + 10 * 12 + minute // 5  # day 2, 10:00 + minute
    assert candles.index[cut].minute == minute
    mtf = [c for c in FEATURE_SETS["full"].columns if c.startswith("mtf_")]
    found = leaks(lambda c: build_features(c, mtf), candles, cut)
    assert found == {"replaced": [], "truncated": []}


def test_the_leak_check_catches_a_centred_window_and_a_backfill(real_5m: pd.DataFrame) -> None:
    def leaky(c: pd.DataFrame) -> pd.DataFrame:
        close = c["close"]
        return pd.DataFrame(
            {
                "centred": close.rolling(5, center=True).mean(),
                "next_close": close.shift(-1),
                "backfilled": close.where(close.index.minute == 0).bfill(),
                "zscore_whole_series": (close - close.mean()) / close.std(),
                "causal": close.rolling(5).mean(),
            },
            index=c.index,
        )

    found = leaks(leaky, real_5m.iloc[:ROWS], 2_000)
    expected = ["centred", "next_close", "backfilled", "zscore_whole_series"]
    assert found["replaced"] == expected
    assert "causal" not in found["truncated"]


# --- targets: the mirror test ---------------------------------------------------------------

HORIZONS = (6, 18, 36, 72)


def test_targets_ignore_candles_after_t_plus_h(real_5m: pd.DataFrame) -> None:
    candles, first_changed = real_5m.iloc[:ROWS], 2_500
    base = build_targets(candles, HORIZONS)
    changed = build_targets(replace_after(candles, first_changed - 1), HORIZONS)
    for h in HORIZONS:
        cols = [c for c in base.columns if c.endswith(f"_{h}")]
        last_safe = first_changed - h - 1  # its window t+1..t+h ends before the change
        assert prefix_differences(base[cols], changed[cols], last_safe) == []
        # Teeth: the next row's window reaches the changed candles.
        row = last_safe + 1
        assert base[f"delta_high_{h}"].iloc[row] != changed[f"delta_high_{h}"].iloc[row]


def test_targets_ignore_candles_before_t_except_close_and_atr(real_5m: pd.DataFrame) -> None:
    candles, t = real_5m.iloc[:ROWS], 2_500
    fake_past = random_candles(candles.index[: t + 1], float(candles["close"].iloc[t]), seed=7)
    mutated = candles.copy()
    mutated.iloc[:t] = fake_past.iloc[:t].to_numpy()
    # Candle t itself: everything but its close changes.
    close_t = candles["close"].iloc[t]
    mutated.iloc[t] = [close_t * 1.01, close_t * 1.02, close_t * 0.97, close_t, 12345.0]
    base = build_targets(candles, HORIZONS)
    changed = build_targets(mutated, HORIZONS)
    range_cols = [c for c in base.columns if not c.startswith("tp_first")]
    pd.testing.assert_series_equal(base[range_cols].iloc[t], changed[range_cols].iloc[t])
    # TP-first reads the ATR at t as well: with the same ATR the labels are identical ...
    import talib

    atr = talib.ATR(*(candles[k].to_numpy() for k in ("high", "low", "close")), timeperiod=14)
    for h in HORIZONS:
        a = tp_first_labels(candles, atr, h).iloc[t : t + 1]
        b = tp_first_labels(mutated, atr, h).iloc[t : t + 1]
        pd.testing.assert_frame_equal(a, b)
    # ... and the mutation did reach the past rows' own targets (the test has teeth).
    assert not base.iloc[t - 100].equals(changed.iloc[t - 100])


# --- start-dependence: EMA / Wilder / SAR memory settles as declared ------------------------


@pytest.mark.parametrize("offset", [1_000, 1_007])
def test_later_start_agrees_after_each_columns_declared_settle(
    real_5m: pd.DataFrame, offset: int
) -> None:
    full = build_features(real_5m, "full")
    later = build_features(real_5m.iloc[offset:], "full")
    cat = catalogue()
    failures = {}
    for name in full.columns:
        settle = cat[name].columns[name].settle_rows(Timeframe.M5)
        a = full[name].iloc[offset + settle :].to_numpy()
        b = later[name].iloc[settle:].to_numpy()
        assert len(a) > 1_000, name
        worst = float(np.max(np.abs(a - b)))
        if worst > 1e-6:
            failures[name] = worst
    assert failures == {}
