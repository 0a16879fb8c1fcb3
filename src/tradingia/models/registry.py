"""File-based model registry: versioned level-1 sets per (symbol, timeframe), one promoted.

Layout under `root` (the platform's `home / "models"`):

    {SYMBOL}/{timeframe}/v0001/model_set.joblib   the fitted ModelSet
    {SYMBOL}/{timeframe}/v0001/metadata.json      symbol, horizons, features + hash, scores, ...
    {SYMBOL}/{timeframe}/registry.json            {"promoted": "v0002", "history": ["v0001"]}

A version's id is `SYMBOL-timeframe-vNNNN` (e.g. `BTCUSDT-5m-v0003`). The first set registered
for a series is promoted; `promote` pushes the current one onto the history, `rollback` pops it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from tradingia.core.errors import NotFoundError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.models.level1 import FeatureMismatchError, ModelSet, feature_hash

_ID = re.compile(r"^(?P<symbol>[A-Z0-9]+)-(?P<tf>[0-9]+[mhdw])-(?P<v>v\d{4,})$")
MODEL_FILE = "model_set.joblib"
METADATA_FILE = "metadata.json"
STATE_FILE = "registry.json"


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One registered set: where it lives, whether it is promoted, and its metadata."""

    symbol: str
    timeframe: Timeframe
    version: str
    path: Path
    promoted: bool
    metadata: dict[str, Any]

    @property
    def id(self) -> str:
        """Registry-wide id, e.g. `BTCUSDT-5m-v0003`."""
        return f"{self.symbol}-{self.timeframe}-{self.version}"


def parse_version_id(text: str) -> tuple[str, Timeframe, str]:
    """`BTCUSDT-5m-v0003` -> ('BTCUSDT', 5m, 'v0003'); UnsupportedError otherwise."""
    match = _ID.match(text.strip())
    if not match:
        raise UnsupportedError(
            f"Not a model version id: {text!r}. Use the form SYMBOL-TIMEFRAME-vNNNN "
            "(e.g. BTCUSDT-5m-v0001); `tradingia models list` shows them."
        )
    return match["symbol"], Timeframe.parse(match["tf"]), match["v"]


class ModelRegistry:
    """Registers, lists, promotes, rolls back and loads model sets under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _series_dir(self, symbol: str, timeframe: Timeframe) -> Path:
        return self.root / symbol / str(timeframe)

    def _state(self, symbol: str, timeframe: Timeframe) -> dict[str, Any]:
        path = self._series_dir(symbol, timeframe) / STATE_FILE
        if not path.exists():
            return {"promoted": None, "history": []}
        state: dict[str, Any] = json.loads(path.read_text())
        return state

    def _write_state(self, symbol: str, timeframe: Timeframe, state: dict[str, Any]) -> None:
        path = self._series_dir(symbol, timeframe) / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(path)

    def _versions(self, symbol: str, timeframe: Timeframe) -> list[str]:
        base = self._series_dir(symbol, timeframe)
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir()
                      if p.is_dir() and re.fullmatch(r"v\d{4,}", p.name)
                      and (p / METADATA_FILE).exists())

    def next_version_dir(self, symbol: str, timeframe: Timeframe) -> Path:
        """Folder the next registered version of this series will use (created empty)."""
        base = self._series_dir(symbol, timeframe)
        base.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name[1:]) for p in base.iterdir() if re.fullmatch(r"v\d{4,}", p.name)]
        path = base / f"v{(max(taken) + 1 if taken else 1):04d}"
        path.mkdir()
        return path

    def register(
        self,
        model_set: ModelSet,
        symbol: str,
        timeframe: Timeframe,
        metadata: dict[str, Any],
        version_dir: Path | None = None,
    ) -> ModelVersion:
        """Save a fitted set with its metadata; the first one of a series becomes promoted."""
        path = version_dir or self.next_version_dir(symbol, timeframe)
        meta = {
            **metadata,
            "symbol": symbol,
            "timeframe": str(timeframe),
            "version": path.name,
            "id": f"{symbol}-{timeframe}-{path.name}",
            "features": list(model_set.feature_names),
            "feature_hash": model_set.feature_hash,
            "horizons": list(model_set.config.horizons),
            "models": list(model_set.models),
            "config": model_set.config.model_dump(mode="json"),
        }
        model_set.metadata = meta
        joblib.dump(model_set, path / MODEL_FILE, compress=3)
        (path / METADATA_FILE).write_text(json.dumps(meta, indent=2, default=str))
        state = self._state(symbol, timeframe)
        if state["promoted"] is None:
            state["promoted"] = path.name
            self._write_state(symbol, timeframe, state)
        return self._version(symbol, timeframe, path.name)

    def get(self, symbol: str, timeframe: Timeframe, version: str) -> ModelVersion:
        """One registered version; NotFoundError when it does not exist."""
        return self._version(symbol, timeframe, version)

    def _version(self, symbol: str, timeframe: Timeframe, version: str) -> ModelVersion:
        path = self._series_dir(symbol, timeframe) / version
        if not (path / METADATA_FILE).exists():
            raise NotFoundError(
                f"No model version {symbol}-{timeframe}-{version}; "
                "`tradingia models list` shows the registered ones."
            )
        meta = json.loads((path / METADATA_FILE).read_text())
        promoted = self._state(symbol, timeframe)["promoted"] == version
        return ModelVersion(symbol, timeframe, version, path, promoted, meta)

    def list(self, symbol: str | None = None,
             timeframe: Timeframe | None = None) -> list[ModelVersion]:
        """Every registered version, optionally of one symbol / timeframe, oldest first."""
        out: list[ModelVersion] = []
        if not self.root.is_dir():
            return out
        for sym_dir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            if symbol is not None and sym_dir.name != symbol:
                continue
            for tf_dir in sorted(p for p in sym_dir.iterdir() if p.is_dir()):
                try:
                    tf = Timeframe.parse(tf_dir.name)
                except UnsupportedError:
                    continue
                if timeframe is not None and tf is not timeframe:
                    continue
                out.extend(self._version(sym_dir.name, tf, v)
                           for v in self._versions(sym_dir.name, tf))
        return out

    def promoted(self, symbol: str, timeframe: Timeframe) -> ModelVersion:
        """The promoted version; NotFoundError says to train first when there is none."""
        version = self._state(symbol, timeframe)["promoted"]
        if version is None:
            raise NotFoundError(
                f"No trained model for {symbol} {timeframe}: run "
                f"`tradingia train --symbol {symbol} --timeframe {timeframe}` first."
            )
        return self._version(symbol, timeframe, version)

    def promote(self, symbol: str, timeframe: Timeframe, version: str) -> ModelVersion:
        """Make `version` the promoted one; the previous one goes onto the rollback history."""
        target = self._version(symbol, timeframe, version)
        state = self._state(symbol, timeframe)
        if state["promoted"] != version:
            if state["promoted"] is not None:
                state["history"].append(state["promoted"])
            state["promoted"] = version
            self._write_state(symbol, timeframe, state)
        return self._version(symbol, timeframe, target.version)

    def rollback(self, symbol: str, timeframe: Timeframe) -> ModelVersion:
        """Re-promote the version promoted before the current one."""
        state = self._state(symbol, timeframe)
        if not state["history"]:
            raise NotFoundError(
                f"Nothing to roll back to for {symbol} {timeframe}: no earlier promoted version."
            )
        state["promoted"] = state["history"].pop()
        self._write_state(symbol, timeframe, state)
        return self._version(symbol, timeframe, state["promoted"])

    def load(
        self,
        symbol: str,
        timeframe: Timeframe,
        version: str | None = None,
        feature_names: Sequence[str] | None = None,
    ) -> ModelSet:
        """Load a version (default: the promoted one); with `feature_names`, check they match."""
        entry = (self._version(symbol, timeframe, version) if version
                 else self.promoted(symbol, timeframe))
        model_set: ModelSet = joblib.load(entry.path / MODEL_FILE)
        if feature_names is not None:
            model_set.check_features(pd.DataFrame(columns=list(feature_names)))
        return model_set


__all__ = ["FeatureMismatchError", "ModelRegistry", "ModelVersion", "feature_hash",
           "parse_version_id"]
