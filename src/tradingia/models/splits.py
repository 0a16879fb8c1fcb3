"""Walk-forward splits: a pure generator of positional (train, test) ranges.

Each test block follows its training block, separated by a gap of `purge + embargo` rows:

    [ train ........ ][ purge ][ embargo ][ test ]   then the test block moves on by `step`

- purge: training rows whose target window (up to the longest horizon, 72 candles by
  default) would reach into the test block are dropped.
- embargo: extra rows dropped on top, for features with long memory (EMA / Wilder smoothing)
  that keep test information correlated with the rows just before it. In a forward-only
  split no training row ever follows a test block, so the embargo lives on the same side.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from typing import NamedTuple

from tradingia.core import UnsupportedError

DEFAULT_PURGE = 72  # the longest default target horizon (DESIGN.md: 6, 18, 36, 72)


class Split(NamedTuple):
    """Positional row ranges: `frame.iloc[split.train]`, `frame.iloc[split.test]`."""

    train: slice
    test: slice


def _positive(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UnsupportedError(
            f"walk_forward: {name} must be an integer >= {minimum}, got {value!r}."
        )
    return value


def walk_forward(
    index: int | Sized,
    *,
    train: int,
    test: int,
    step: int | None = None,
    purge: int = DEFAULT_PURGE,
    embargo: int = 0,
    expanding: bool = False,
    drop_partial: bool = False,
) -> Iterator[Split]:
    """Yield (train, test) positional slices over `index` (a length or anything sized).

    `train` is the training length (the initial one when `expanding`: the window then grows
    from row 0); `test` the test length; `step` how far each fold moves (default `test`:
    adjacent, non-overlapping test blocks). The last test block may be shorter than `test`
    unless `drop_partial`. Raises UnsupportedError for invalid arguments or when not even one
    fold fits.
    """
    n = index if isinstance(index, int) and not isinstance(index, bool) else None
    if n is None:
        if not isinstance(index, Sized):
            raise UnsupportedError("walk_forward: index must be a row count or a sized sequence.")
        n = len(index)
    _positive("length of index", n, 0)
    _positive("train", train, 1)
    _positive("test", test, 1)
    step = _positive("step", test if step is None else step, 1)
    _positive("purge", purge, 0)
    _positive("embargo", embargo, 0)
    gap = purge + embargo
    first_test = train + gap
    if first_test + (test if drop_partial else 1) > n:
        raise UnsupportedError(
            f"walk_forward: {n} rows cannot hold one fold of train={train} + purge={purge} + "
            f"embargo={embargo} + test={test}; use fewer or shorter windows or more data."
        )
    return _folds(n, train, test, step, gap, expanding, drop_partial)


def _folds(
    n: int, train: int, test: int, step: int, gap: int, expanding: bool, drop_partial: bool
) -> Iterator[Split]:
    test_start = train + gap
    while test_start < n:
        test_end = min(test_start + test, n)
        if drop_partial and test_end - test_start < test:
            return
        train_end = test_start - gap
        train_start = 0 if expanding else train_end - train
        yield Split(slice(train_start, train_end), slice(test_start, test_end))
        test_start += step
