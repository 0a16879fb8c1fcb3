"""tradingia.models: estimators, strategies, metamodel and walk-forward training."""

from tradingia.models.splits import DEFAULT_PURGE, Split, walk_forward

__all__ = ["DEFAULT_PURGE", "Split", "walk_forward"]
