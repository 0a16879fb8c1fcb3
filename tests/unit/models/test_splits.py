"""walk_forward: purge/embargo gaps, rolling vs expanding windows, coverage, argument checks."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradingia.core import UnsupportedError
from tradingia.models import DEFAULT_PURGE, Split, walk_forward


def test_default_purge_is_the_longest_horizon() -> None:
    assert DEFAULT_PURGE == 72
    first = next(iter(walk_forward(1_000, train=300, test=100)))
    assert first == Split(train=slice(0, 300), test=slice(372, 472))


def test_test_blocks_are_adjacent_and_cover_the_tail_with_a_partial_last_block() -> None:
    folds = list(walk_forward(1_000, train=300, test=100, purge=72))
    assert [f.test.start for f in folds] == [372, 472, 572, 672, 772, 872, 972]
    assert folds[-1].test == slice(972, 1_000)


def test_drop_partial_keeps_only_full_test_blocks() -> None:
    folds = list(walk_forward(1_000, train=300, test=100, purge=72, drop_partial=True))
    assert folds[-1].test == slice(872, 972)


def test_rolling_window_keeps_its_length_and_expanding_starts_at_zero() -> None:
    rolling = list(walk_forward(2_000, train=500, test=200, purge=10))
    expanding = list(walk_forward(2_000, train=500, test=200, purge=10, expanding=True))
    assert all(f.train.stop - f.train.start == 500 for f in rolling)
    assert all(f.train.start == 0 for f in expanding)
    assert [f.train.stop for f in rolling] == [f.train.stop for f in expanding]
    assert expanding[-1].train.stop - expanding[-1].train.start > 500


def test_embargo_widens_the_gap_after_the_purge() -> None:
    folds = list(walk_forward(1_000, train=200, test=100, purge=72, embargo=24))
    assert len(folds) == 8  # test blocks start at 296, 396, ..., 996 (the last one partial)
    assert folds[0].test == slice(296, 396)
    for fold in folds:
        assert fold.test.start - fold.train.stop == 96


def test_step_smaller_than_test_gives_overlapping_test_blocks() -> None:
    folds = list(walk_forward(600, train=100, test=100, step=50, purge=0, drop_partial=True))
    assert [f.test.start for f in folds] == [100, 150, 200, 250, 300, 350, 400, 450, 500]


def test_index_may_be_any_sized_sequence_and_slices_select_rows() -> None:
    frame = pd.DataFrame({"x": range(500)}, index=pd.date_range("2024", periods=500, freq="h"))
    fold = next(iter(walk_forward(frame.index, train=100, test=50, purge=5)))
    assert frame.iloc[fold.train]["x"].tolist() == list(range(100))
    assert frame.iloc[fold.test]["x"].iloc[0] == 105
    train, test = fold  # unpacks as a (train, test) pair
    assert (train, test) == (fold.train, fold.test)


def test_splitting_is_pure_and_repeatable() -> None:
    args = {"train": 100, "test": 30, "purge": 7}
    assert list(walk_forward(400, **args)) == list(walk_forward(400, **args))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train": 0, "test": 10}, "train must be an integer >= 1"),
        ({"train": 10, "test": -1}, "test must be"),
        ({"train": 10, "test": 10, "step": 0}, "step must be"),
        ({"train": 10, "test": 10, "purge": -1}, "purge must be"),
        ({"train": 10, "test": 10, "embargo": 2.5}, "embargo must be"),
        ({"train": True, "test": 10}, "train must be"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(UnsupportedError, match=message):
        walk_forward(1_000, **kwargs)


def test_too_few_rows_for_one_fold_says_what_does_not_fit() -> None:
    with pytest.raises(UnsupportedError, match="cannot hold one fold"):
        walk_forward(270, train=200, test=50, purge=72)


@given(
    n=st.integers(50, 3_000),
    train=st.integers(1, 800),
    test=st.integers(1, 400),
    step=st.integers(1, 400),
    purge=st.integers(0, 100),
    embargo=st.integers(0, 50),
    expanding=st.booleans(),
)
def test_no_fold_ever_trains_within_purge_and_embargo_of_its_test(
    n: int, train: int, test: int, step: int, purge: int, embargo: int, expanding: bool
) -> None:
    try:
        folds = list(walk_forward(n, train=train, test=test, step=step, purge=purge,
                                  embargo=embargo, expanding=expanding))
    except UnsupportedError:
        assert train + purge + embargo >= n
        return
    assert folds
    for fold in folds:
        assert 0 <= fold.train.start < fold.train.stop
        assert fold.test.start - fold.train.stop == purge + embargo
        assert fold.train.stop - fold.train.start >= train
        assert fold.test.start < fold.test.stop <= n
    assert folds[-1].test.stop == n or folds[-1].test.start + step >= n
