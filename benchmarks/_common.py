"""What the benchmarks share: where the shared candles are, and the commit they ran on."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("TRADINGIA_SHARED_DATA", ROOT.parent / "shared/data/ohlcv"))


def git_commit() -> str:
    """Short commit of the checkout the benchmark ran on ('unknown' outside git)."""
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                       text=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"

