"""Training use case: stored candles -> walk-forward scores -> final set -> registry + report.

The one place that reads settings for training: it opens the candle store, builds the model
registry under `settings.home / "models"`, stamps metadata (library and code versions, time)
and writes the run's report next to the registered version.
"""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from tradingia.core.errors import ConfigError, DataValidationError
from tradingia.core.settings import Settings, get_settings
from tradingia.core.symbols import get_symbol
from tradingia.core.timeframes import Timeframe
from tradingia.models.boosting import BoosterParams
from tradingia.models.level1 import ALL_MODELS, Level1Config, ModelKind
from tradingia.models.pipeline import MODEL_EXTRA_FEATURES, prepare_training
from tradingia.models.registry import ModelRegistry, ModelVersion
from tradingia.models.report import write_report
from tradingia.models.scorecard import Scorecard, score_oos
from tradingia.models.training import TrainConfig, WalkForwardConfig, train_walk_forward

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total)."""

LIBRARIES = ("tradingia", "xgboost-cpu", "xgboost", "scikit-learn", "numpy", "pandas", "ta-lib")


def default_horizons(timeframe: Timeframe) -> tuple[int, ...]:
    """DESIGN.md horizons (6, 18, 36, 72), plus 12 (one hour) on 5m."""
    return (6, 12, 18, 36, 72) if timeframe is Timeframe.M5 else (6, 18, 36, 72)


def headline_horizon(horizons: tuple[int, ...]) -> int:
    """The horizon the report plots: 12 when trained, else the shortest."""
    return 12 if 12 in horizons else min(horizons)


def model_registry(settings: Settings | None = None) -> ModelRegistry:
    """The file registry under `home / models`."""
    return ModelRegistry((settings or get_settings()).home / "models")


@dataclass(frozen=True, slots=True)
class TrainRequest:
    """What to train: one series, optionally up to a date, with chosen models and features."""

    symbol: str
    timeframe: Timeframe
    until: pd.Timestamp | None = None
    models: tuple[ModelKind, ...] = ALL_MODELS
    feature_set: str = "full"
    horizons: tuple[int, ...] | None = None
    n_folds: int = 4
    n_boot: int = 200
    booster: BoosterParams | None = None


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    """The registered version, its OOS scorecard and where the report is."""

    version: ModelVersion
    scorecard: Scorecard
    report: Path
    seconds: float


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a model set depends on."""
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def code_version() -> str:
    """Git commit of the source tree when available, else the package version."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, cwd=Path(__file__).parent, check=False)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."],
                               capture_output=True, text=True, timeout=5,
                               cwd=Path(__file__).parent.parent, check=False)
    except (OSError, subprocess.SubprocessError):
        return library_versions().get("tradingia", "unknown")
    if sha.returncode != 0:
        return library_versions().get("tradingia", "unknown")
    return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def train_on_candles(
    candles: pd.DataFrame,
    request: TrainRequest,
    registry: ModelRegistry,
    progress: Progress | None = None,
) -> TrainOutcome:
    """Walk-forward scores, final fit, registration and report for one candle frame."""
    started = time.perf_counter()
    symbol = get_symbol(request.symbol).name
    horizons = request.horizons or default_horizons(request.timeframe)
    if request.until is not None:
        candles = candles.loc[candles.index < request.until]
    if len(candles) < 2000:
        raise DataValidationError(
            f"{len(candles)} {symbol} {request.timeframe} candles are too few to train "
            "walk-forward: give at least 2,000 (more than 50,000 for meaningful scores)."
        )
    config = TrainConfig(
        level1=Level1Config(horizons=horizons, models=request.models,
                            booster=request.booster or BoosterParams()),
        walk_forward=WalkForwardConfig(n_folds=request.n_folds),
    )
    report = progress or (lambda stage, done, total: None)
    report("features", 0, 1)
    prepared = prepare_training(candles, horizons, request.feature_set, request.timeframe,
                                with_amd="amd" in request.models,
                                extra_features=MODEL_EXTRA_FEATURES)
    report("features", 1, 1)
    total = request.n_folds + 1
    done: list[str] = []

    def on_done(name: str) -> None:
        done.append(name)
        report("folds", len(done), total)

    report("folds", 0, total)
    result = train_walk_forward(prepared.dataset, config, atr=prepared.atr, on_done=on_done)
    if result.final is None:  # pragma: no cover - fit_final=True always returns one
        raise ConfigError("training produced no final model set")
    report("scoring", 0, 1)
    card = score_oos(result.oos, prepared.targets, prepared.baselines, horizons, request.n_boot)
    report("scoring", 1, 1)
    version_dir = registry.next_version_dir(symbol, request.timeframe)
    rows = prepared.dataset.trainable(horizons)
    meta: dict[str, Any] = {
        "created_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "feature_set": prepared.feature_set,
        "feature_set_hash": prepared.feature_set_hash,
        "train_start": str(rows.index[0]), "train_end": str(rows.index[-1]),
        "until": None if request.until is None else str(request.until),
        "rows": len(rows), "n_folds": request.n_folds, "purge": config.level1.purge_for(rows),
        "amd_classes": list(prepared.dataset.amd_labels),
        "fold_scores": card.to_dict()["per_fold"],
        "scores": card.to_dict(),
        "libraries": library_versions(),
        "code_version": code_version(),
        "seconds": round(time.perf_counter() - started, 1),
        "id": f"{symbol}-{request.timeframe}-{version_dir.name}",
        "symbol": symbol, "timeframe": str(request.timeframe),
        "features": list(result.final.feature_names),
    }
    path = write_report(version_dir / "report", card, result.oos, candles,
                        result.final.importance(), meta, headline_horizon(horizons))
    registered = registry.register(result.final, symbol, request.timeframe, meta, version_dir)
    return TrainOutcome(version=registered, scorecard=card, report=path,
                        seconds=time.perf_counter() - started)


def train(request: TrainRequest, settings: Settings | None = None,
          progress: Progress | None = None) -> TrainOutcome:
    """Train on the stored candles of one series (up to `request.until`, exclusive)."""
    from tradingia.services.market_data import candle_store, require_series

    settings = settings or get_settings()
    symbol = get_symbol(request.symbol).name
    with candle_store(settings) as store:
        require_series(store, symbol, request.timeframe)
        candles = store.read(symbol, request.timeframe, None, request.until)
    return train_on_candles(candles, request, model_registry(settings), progress)
