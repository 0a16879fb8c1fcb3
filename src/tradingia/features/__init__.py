"""Features (no look-ahead) and targets (the future, on purpose) from candle frames.

    build_features(candles, "full")   -> one float64 column per feature, same index
    build_targets(candles)            -> delta_high / delta_low / return / tp_first per horizon
    FEATURE_SETS["extended"].columns  -> the ordered list a model records, with .hash
    columns_hash(names)               -> the same fingerprint for any ordered column list
"""

from tradingia.features.builder import build_features, feature_summary
from tradingia.features.registry import (
    FEATURE_SETS,
    FEATURES_VERSION,
    FeatureSet,
    catalogue,
    columns_hash,
    feature_set_names,
    get_feature_set,
)
from tradingia.features.targets import DEFAULT_HORIZONS, build_targets, tp_first_labels

__all__ = [
    "DEFAULT_HORIZONS",
    "FEATURES_VERSION",
    "FEATURE_SETS",
    "FeatureSet",
    "build_features",
    "build_targets",
    "catalogue",
    "columns_hash",
    "feature_set_names",
    "feature_summary",
    "get_feature_set",
    "tp_first_labels",
]
