"""Small checks on integer time arrays (epoch ns / us), shared by the data modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def strictly_increasing(times: npt.NDArray[np.int64]) -> bool:
    """True when every time is later than the one before it (sorted, no duplicates).

    Any integer epoch unit works; an empty or one-element array counts as increasing.
    """
    return bool(np.all(times[1:] > times[:-1]))
