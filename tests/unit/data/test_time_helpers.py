"""strictly_increasing: sorted and without duplicate times."""

from __future__ import annotations

import numpy as np

from tradingia.data._time import strictly_increasing


def test_strictly_increasing() -> None:
    assert strictly_increasing(np.array([], dtype=np.int64))
    assert strictly_increasing(np.array([5], dtype=np.int64))
    assert strictly_increasing(np.array([1, 2, 10], dtype=np.int64))
    assert not strictly_increasing(np.array([1, 2, 2], dtype=np.int64))
    assert not strictly_increasing(np.array([1, 3, 2], dtype=np.int64))
