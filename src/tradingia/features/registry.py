"""Named feature sets: ordered column lists with a stable hash, and the groups computing them.

A model records `FeatureSet.columns` and `FeatureSet.hash`; rebuilding with the recorded
column list gives exactly the same columns. Bump `FEATURES_VERSION` whenever the definition
of an existing column changes, so old hashes stop matching.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from tradingia.core import Timeframe, UnsupportedError
from tradingia.features import (
    amd,
    indicators,
    multitimeframe,
    returns,
    session,
    structure,
    volatility,
    volume,
)
from tradingia.features._memory import Memory
from tradingia.features._prices import FloatArray, Prices

FEATURES_VERSION = 1

Compute = Callable[[Prices], Mapping[str, FloatArray]]


@dataclass(frozen=True)
class Group:
    """Columns computed together by one function."""

    name: str
    compute: Compute
    columns: Mapping[str, Memory]


_BASE_GROUPS: tuple[Group, ...] = (
    Group("returns", returns.returns_features, returns.COLUMNS),
    Group("momentum", indicators.momentum_features, indicators.MOMENTUM_COLUMNS),
    Group("trend", indicators.trend_features, indicators.TREND_COLUMNS),
    Group("volatility", volatility.volatility_features, volatility.COLUMNS),
    Group("volume", volume.volume_features, volume.COLUMNS),
    Group("levels", indicators.level_features, indicators.LEVEL_COLUMNS),
)
_MTF_GROUP = Group("multitimeframe", multitimeframe.multitimeframe_features, multitimeframe.COLUMNS)
_SESSION_GROUP = Group("session", session.session_features, session.COLUMNS)

MINIMAL: tuple[str, ...] = (
    "ret_1", "ret_5", "ret_20", "rsi_14", "macd_hist", "atr_10", "bb_width_20",
    "ema_dist_50", "volume_z_20",
)
EXTENDED: tuple[str, ...] = (
    *MINIMAL,
    "ret_10", "ret_vol_20", "adx_14", "ema_cross_9_21", "ema_dist_200", "mfi_14", "cmf_20",
    "compression_score",
)


def _frame_compute(func: Callable[[pd.DataFrame], pd.DataFrame]) -> Compute:
    """Adapt a frame-in / frame-out feature function to the group interface."""

    def compute(p: Prices) -> dict[str, FloatArray]:
        frame = func(p.frame)
        return {str(c): frame[c].to_numpy(dtype="float64") for c in frame.columns}

    return compute


_STRUCTURE_GROUPS: tuple[Group, ...] = (
    Group("structure", _frame_compute(structure.structure_features), structure.COLUMNS),
    Group("amd", _frame_compute(amd.amd_features), amd.COLUMNS),
)


def all_groups() -> tuple[Group, ...]:
    """Every feature group, in catalogue order."""
    return (*_BASE_GROUPS, _MTF_GROUP, *_STRUCTURE_GROUPS, _SESSION_GROUP)


def catalogue() -> dict[str, Group]:
    """Column name -> the group computing it."""
    out: dict[str, Group] = {}
    for group in all_groups():
        for name in group.columns:
            if name in out:
                raise UnsupportedError(
                    f"Feature {name!r} is defined by both {out[name].name} and {group.name}."
                )
            out[name] = group
    return out


# --- feature sets ------------------------------------------------------------------------


def columns_hash(names: Sequence[str]) -> str:
    """First 16 hex digits of sha256 over FEATURES_VERSION and the ordered column names: the one
    fingerprint of a feature list (a named set's, or the exact columns a model was trained on)."""
    text = f"tradingia-features-v{FEATURES_VERSION}\n" + "\n".join(names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FeatureSet:
    """An ordered list of feature columns; `hash` identifies it (and FEATURES_VERSION)."""

    name: str
    columns: tuple[str, ...]

    @property
    def hash(self) -> str:
        """`columns_hash` of the ordered column names (and FEATURES_VERSION)."""
        return columns_hash(self.columns)

    def groups(self) -> list[Group]:
        """The groups that compute these columns, each once, in catalogue order."""
        cat = catalogue()
        names = {cat[c].name for c in self.columns}
        return [g for g in all_groups() if g.name in names]

    def _memory(self) -> Iterator[Memory]:
        cat = catalogue()
        return (cat[c].columns[c] for c in self.columns)

    def warmup_rows(self, timeframe: Timeframe | str = Timeframe.M5) -> int:
        """Leading rows that may hold NaN on candles of `timeframe`."""
        tf = Timeframe.parse(timeframe)
        return max((m.warmup_rows(tf) for m in self._memory()), default=0)

    def settle_rows(self, timeframe: Timeframe | str = Timeframe.M5) -> int:
        """Rows after which no column depends on the series start by more than ~1e-8."""
        tf = Timeframe.parse(timeframe)
        return max((m.settle_rows(tf) for m in self._memory()), default=0)


def _full_columns() -> tuple[str, ...]:
    groups = (*_BASE_GROUPS, _MTF_GROUP, *_STRUCTURE_GROUPS)
    return tuple(name for g in groups for name in g.columns)


def feature_set_names() -> tuple[str, ...]:
    """Names of the registered feature sets."""
    return ("minimal", "extended", "full")


def get_feature_set(
    feature_set: str | FeatureSet | Sequence[str], *, with_session: bool = False
) -> FeatureSet:
    """Resolve a set name, a FeatureSet or a recorded column list; append session columns
    when asked. Unknown names raise UnsupportedError listing what exists."""
    if isinstance(feature_set, FeatureSet):
        resolved = feature_set
    elif isinstance(feature_set, str):
        sets = {"minimal": MINIMAL, "extended": EXTENDED}
        if feature_set == "full":
            resolved = FeatureSet("full", _full_columns())
        elif feature_set in sets:
            resolved = FeatureSet(feature_set, sets[feature_set])
        else:
            raise UnsupportedError(
                f"Unknown feature set {feature_set!r}; use one of {feature_set_names()} "
                "or pass a list of column names."
            )
    else:
        resolved = FeatureSet("custom", tuple(feature_set))
    unknown = [c for c in resolved.columns if c not in catalogue()]
    if unknown:
        raise UnsupportedError(f"Unknown feature column(s) {unknown}; see feature catalogue().")
    if len(set(resolved.columns)) != len(resolved.columns):
        raise UnsupportedError("A feature set lists a column twice.")
    if with_session:
        extra = tuple(c for c in _SESSION_GROUP.columns if c not in resolved.columns)
        resolved = FeatureSet(f"{resolved.name}+session", resolved.columns + extra)
    return resolved


class _FeatureSets(Mapping[str, FeatureSet]):
    """Read-only view name -> FeatureSet, resolved on access (never at import time)."""

    def __getitem__(self, name: str) -> FeatureSet:
        if name not in feature_set_names():
            raise KeyError(name)
        return get_feature_set(name)

    def __iter__(self) -> Iterator[str]:
        return iter(feature_set_names())

    def __len__(self) -> int:
        return len(feature_set_names())


FEATURE_SETS: Mapping[str, FeatureSet] = _FeatureSets()
