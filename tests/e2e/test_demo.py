"""`tradingia demo` runs the whole offline pipeline as a newcomer would, in a fresh home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_every_stage_offline_and_registers_a_model(tmp_path: Path) -> None:
    env = {**os.environ, "TRADINGIA_HOME": str(tmp_path / "home"), "COLUMNS": "120"}
    env.pop("TRADINGIA_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "tradingia.cli", "demo", "--no-serve"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    for stage in ("1. market data", "2. features", "3. walk-forward training",
                  "4. walk-forward backtest"):
        assert stage in out
    assert "imported EURUSD 1h: 5,000 rows" in out
    assert "Out-of-sample scores" in out
    assert "width_6" in out and "MAE gain" in out  # range size and median / mean MAE columns
    assert ("No edge found" in out) or ("Edge on" in out)
    reports = list((tmp_path / "home" / "models" / "EURUSD" / "1h").glob("v*/report/report.md"))
    assert len(reports) == 1
    backtest = tmp_path / "home" / "reports" / "demo-backtest"
    assert {"trades.csv", "metrics.json", "report.html"} <= {p.name for p in backtest.iterdir()}
