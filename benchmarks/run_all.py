"""Run every benchmark in turn; each writes its own JSON under benchmarks/results/.

    .venv/bin/python benchmarks/run_all.py            # all of them, full size
    .venv/bin/python benchmarks/run_all.py store api  # only these

Benchmarks compare tradingia with a peer library in the same run and report ratios; nothing
here asserts a time. They need ../shared/data/ohlcv (TRADINGIA_SHARED_DATA) for real candles.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("store", "features", "backtest", "models", "api")


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default); exit non-zero if any failed."""
    chosen = argv or list(BENCHES)
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHES)}")
        return 2
    failed = []
    for name in chosen:
        script = HERE / f"bench_{name}.py"
        print(f"== {name}: {script.name}", flush=True)
        began = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"== {name}: exit {code} after {time.perf_counter() - began:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
