"""What the benchmarks share: where the shared candles are, and the commit they ran on."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("TRADINGIA_SHARED_DATA", ROOT.parent / "shared/data/ohlcv"))


def git_commit() -> str:
    """The commit the benchmark ran on, as models record it (`services.training.code_version`:
    short sha, '-dirty' with uncommitted source changes, the package version outside git)."""
    from tradingia.services.training import code_version

    return code_version()
