"""Feature sets: sizes, order, stable hashes, resolution errors, catalogue consistency."""

from __future__ import annotations

import math

import pytest
from feature_helpers import make_candles

from tradingia.core import Timeframe, UnsupportedError
from tradingia.features import (
    FEATURE_SETS,
    FeatureSet,
    catalogue,
    columns_hash,
    feature_set_names,
    get_feature_set,
)
from tradingia.features._prices import prices_from_candles
from tradingia.features.registry import all_groups


def test_sets_have_the_documented_sizes_and_nest_in_order() -> None:
    minimal, extended, full = (FEATURE_SETS[n].columns for n in ("minimal", "extended", "full"))
    assert len(minimal) == 9
    assert len(extended) == 17
    assert len(full) >= 50
    assert extended[: len(minimal)] == minimal
    assert set(extended) <= set(full)


def test_hashes_of_named_sets_are_pinned() -> None:
    # Changing these means existing models no longer match: bump FEATURES_VERSION on purpose.
    assert FEATURE_SETS["minimal"].hash == "f36d2388d5db2803"
    assert FEATURE_SETS["extended"].hash == "819610b4366efe49"


def test_hash_depends_on_columns_and_order_not_on_the_name() -> None:
    cols = FEATURE_SETS["minimal"].columns
    assert FeatureSet("other name", cols).hash == FEATURE_SETS["minimal"].hash
    assert FeatureSet("minimal", cols[::-1]).hash != FEATURE_SETS["minimal"].hash


def test_columns_hash_is_the_one_hash_of_any_column_list() -> None:
    cols = FEATURE_SETS["minimal"].columns
    assert columns_hash(cols) == "f36d2388d5db2803"
    assert columns_hash(list(cols)) == FEATURE_SETS["minimal"].hash
    assert columns_hash([*cols, "session_hour_sin"]) != FEATURE_SETS["minimal"].hash


def test_recorded_list_resolves_to_the_same_hash() -> None:
    recorded = list(FEATURE_SETS["extended"].columns)
    assert get_feature_set(recorded).hash == FEATURE_SETS["extended"].hash


def test_unknown_set_name_lists_the_valid_ones() -> None:
    with pytest.raises(UnsupportedError, match="minimal"):
        get_feature_set("maximal")


def test_unknown_or_repeated_columns_are_rejected() -> None:
    with pytest.raises(UnsupportedError, match="not_a_feature"):
        get_feature_set(["ret_1", "not_a_feature"])
    with pytest.raises(UnsupportedError, match="twice"):
        get_feature_set(["ret_1", "ret_1"])


def test_feature_sets_mapping_lists_every_name() -> None:
    assert tuple(FEATURE_SETS) == feature_set_names() == ("minimal", "extended", "full")
    assert len(FEATURE_SETS) == 3
    with pytest.raises(KeyError):
        FEATURE_SETS["nope"]


def test_full_warmup_is_set_by_the_4h_adx() -> None:
    # ADX(14) needs 28 closed 4h candles; 48 five-minute rows each.
    assert FEATURE_SETS["full"].warmup_rows("5m") == 28 * 48
    assert FEATURE_SETS["minimal"].warmup_rows("5m") == 49  # EMA 50
    # EMA / Wilder smoothings remember their seed well past the warm-up.
    assert FEATURE_SETS["full"].settle_rows("5m") > FEATURE_SETS["full"].warmup_rows("5m")


def test_known_columns_have_their_derived_warmup_and_settle() -> None:
    cat = catalogue()
    rsi, ret = cat["rsi_14"].columns["rsi_14"], cat["ret_1"].columns["ret_1"]
    # Wilder RSI(14): 14 rows of lookback, then (13/14)^n must fall below 1e-8.
    assert rsi.warmup_rows(Timeframe.M5) == 14
    assert rsi.settle_rows(Timeframe.M5) == 14 + math.ceil(math.log(1e-8) / math.log(13 / 14))
    assert rsi.settle_rows(Timeframe.M5) == 263
    # A one-row return is a finite window: identical from any start once warm.
    assert ret.warmup_rows(Timeframe.M5) == ret.settle_rows(Timeframe.M5) == 1
    assert FEATURE_SETS["minimal"].settle_rows("5m") == 512


def test_every_group_computes_exactly_its_declared_columns() -> None:
    prices = prices_from_candles(make_candles(600, seed=9))
    groups = all_groups()
    assert [g.name for g in groups] == ["returns", "momentum", "trend", "volatility", "volume",
                                        "levels", "multitimeframe", "structure", "amd", "session"]
    for group in groups:
        assert set(group.compute(prices)) == set(group.columns), group.name


def test_catalogue_maps_every_full_column_to_one_group() -> None:
    cat = catalogue()
    full = FEATURE_SETS["full"].columns
    session = {"session_hour_sin", "session_hour_cos", "session_dow_sin", "session_dow_cos"}
    assert set(cat) == set(full) | session
    assert len(cat) == len(full) + len(session) == sum(len(g.columns) for g in all_groups())
    assert all(name in cat[name].columns for name in cat)
    assert (cat["rsi_14"].name, cat["amd_phase"].name, cat["session_hour_sin"].name) == (
        "momentum", "amd", "session")
    assert all(not name.startswith("session_") for name in full)


def test_full_set_includes_structure_amd_and_higher_timeframe_columns() -> None:
    from tradingia.features.amd import AMD_COLUMNS
    from tradingia.features.structure import STRUCTURE_COLUMNS

    full = FEATURE_SETS["full"].columns
    assert set(STRUCTURE_COLUMNS) <= set(full)
    assert set(AMD_COLUMNS) <= set(full)
    assert sum(c.startswith("mtf_") for c in full) == 20
