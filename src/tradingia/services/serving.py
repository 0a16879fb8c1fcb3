"""Serving the promoted model sets: loaded once, reloaded when a new version is promoted.

`RegistryPredictor` is the `Predictor` of the API over the file model registry. A prediction
builds the features on the tail of the stored candles (enough rows for every feature to
settle) and runs the promoted set on the last row only (level-1 models are row-wise), so it
equals the last row of what `tradingia predict` gives for that candle.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tradingia.core.errors import NotFoundError
from tradingia.core.settings import Settings
from tradingia.core.signal import Signal
from tradingia.core.timeframes import Timeframe
from tradingia.services.predictor import ModelUnavailableError

log = logging.getLogger(__name__)

MIN_TAIL_ROWS, MAX_TAIL_ROWS = 400, 6000


@dataclass(frozen=True, slots=True)
class LoadedSet:
    """A promoted model set in memory; `lock` serialises its predictions (a freshly loaded
    XGBoost booster configures itself on first use and fails when two threads race there)."""

    version: str
    model_set: Any
    tail_rows: int
    loaded_at: pd.Timestamp
    lock: threading.Lock = field(default_factory=threading.Lock)


def _tail_rows(model_set: Any, timeframe: Timeframe) -> int:
    from tradingia.features import get_feature_set

    fset = get_feature_set(list(model_set.feature_names))
    return int(min(MAX_TAIL_ROWS, max(MIN_TAIL_ROWS, fset.settle_rows(timeframe) + 50)))


class RegistryPredictor:
    """Predictions and signals from the promoted versions in the model registry."""

    def __init__(self, settings: Settings) -> None:
        from tradingia.services.training import model_registry

        self.settings = settings
        self.registry = model_registry(settings)
        self._sets: dict[tuple[str, str], LoadedSet] = {}
        self._lock = threading.Lock()
        self.refresh()

    # -- loading -----------------------------------------------------------------------------

    def _promoted_version(self, symbol: str, timeframe: Timeframe) -> str | None:
        try:
            return str(self.registry.promoted(symbol, timeframe).version)
        except NotFoundError:
            return None

    def _load(self, symbol: str, timeframe: Timeframe, version: str) -> LoadedSet:
        model_set = self.registry.load(symbol, timeframe, version)
        loaded = LoadedSet(version, model_set, _tail_rows(model_set, timeframe),
                           pd.Timestamp.now(tz="UTC"))
        with self._lock:
            self._sets[(symbol, timeframe.value)] = loaded
        log.info("loaded model set %s %s %s", symbol, timeframe, version)
        return loaded

    def _get(self, symbol: str, timeframe: Timeframe) -> LoadedSet:
        with self._lock:
            loaded = self._sets.get((symbol, timeframe.value))
        if loaded is not None:
            return loaded
        version = self._promoted_version(symbol, timeframe)
        if version is None:
            raise ModelUnavailableError(symbol, timeframe)
        return self._load(symbol, timeframe, version)

    def refresh(self) -> bool:
        """Load every promoted set whose version is not the one in memory."""
        series = {(v.symbol, v.timeframe) for v in self.registry.list()}
        changed = False
        for symbol, timeframe in sorted(series, key=lambda s: (s[0], s[1].value)):
            version = self._promoted_version(symbol, timeframe)
            with self._lock:
                current = self._sets.get((symbol, timeframe.value))
            if version is None:
                with self._lock:
                    changed |= self._sets.pop((symbol, timeframe.value), None) is not None
            elif current is None or current.version != version:
                self._load(symbol, timeframe, version)
                changed = True
        return changed

    # -- use -------------------------------------------------------------------------------

    def _predictions(self, symbol: str, timeframe: Timeframe) -> tuple[LoadedSet, pd.DataFrame,
                                                                       pd.DataFrame]:
        from tradingia.services.market_data import candle_store, require_series

        loaded = self._get(symbol, timeframe)
        with candle_store(self.settings) as store:
            summary = require_series(store, symbol, timeframe)
            span = timeframe.delta * loaded.tail_rows * 2 + pd.Timedelta(days=4)
            candles = store.read(symbol, timeframe, summary.last - span)
        candles = candles.iloc[-loaded.tail_rows:]
        with loaded.lock:
            preds = _predict_last(loaded.model_set, candles, timeframe)
        if preds.empty:
            raise NotFoundError(
                f"Not enough {symbol} {timeframe} candles for the features' warm-up "
                f"({len(candles)} stored in the window read).")
        return loaded, preds, candles

    def horizons(self, symbol: str, timeframe: Timeframe) -> tuple[int, ...]:
        """Horizons of the promoted set."""
        return tuple(int(h) for h in self._get(symbol, timeframe).model_set.config.horizons)

    def predict(self, symbol: str, timeframe: Timeframe, horizon: int) -> dict[str, Any]:
        """Range, P(TP-first), direction and confidence at the last stored candle."""
        from tradingia.signals import DEFAULT_PRESET, SignalGenerator

        loaded, preds, candles = self._predictions(symbol, timeframe)
        last_ts = preds.index[-1]
        row = preds.iloc[-1]
        close = float(candles.loc[last_ts, "close"])
        gen = SignalGenerator(symbol, timeframe, DEFAULT_PRESET, {"level1": loaded.version})
        decision = gen.decisions(preds.iloc[-1:], candles).iloc[-1]
        up, down = _get(row, f"delta_high_{horizon}"), _get(row, f"delta_low_{horizon}")
        amd = row.get("amd_phase")
        return {
            "symbol": symbol, "timeframe": timeframe.value, "horizon": horizon,
            "candle_time": pd.Timestamp(last_ts).isoformat(), "reference_close": close,
            "delta_high": up, "delta_low": down,
            "predicted_high": None if up is None else close * (1 + up),
            "predicted_low": None if down is None else close * (1 - down),
            "p_tp_first_long": _get(row, f"p_tp_first_long_{horizon}"),
            "p_tp_first_short": _get(row, f"p_tp_first_short_{horizon}"),
            "direction": str(decision["direction"]),
            "confidence": float(decision["confidence"]),
            "amd_phase": None if amd is None or pd.isna(amd) else str(amd),
            "model_version": f"{symbol}-{timeframe.value}-{loaded.version}",
        }

    def signal(self, symbol: str, timeframe: Timeframe, preset: str | None) -> Signal:
        """The signal at the last stored candle (neutral when the preset's filters say so)."""
        from tradingia.signals import DEFAULT_PRESET, SignalGenerator

        loaded, preds, candles = self._predictions(symbol, timeframe)
        gen = SignalGenerator(symbol, timeframe, preset or DEFAULT_PRESET,
                              {"level1": f"{symbol}-{timeframe.value}-{loaded.version}"})
        return gen.generate(preds.iloc[-1:], candles, include_neutral=True)[-1]

    def status(self) -> list[dict[str, Any]]:
        """Loaded sets: symbol, timeframe, version, trained_at, horizons, loaded_at."""
        with self._lock:
            items = sorted(self._sets.items())
        return [{"symbol": symbol, "timeframe": tf, "version": s.version,
                 "id": s.model_set.metadata.get("id"),
                 "trained_at": s.model_set.metadata.get("created_at"),
                 "train_end": s.model_set.metadata.get("train_end"),
                 "horizons": list(s.model_set.config.horizons),
                 "loaded_at": s.loaded_at.isoformat()} for (symbol, tf), s in items]


def _predict_last(model_set: Any, candles: pd.DataFrame, timeframe: Timeframe) -> pd.DataFrame:
    """`predict_candles` where only its last row is used: the features on the whole tail
    (their warm-up needs it), the models on the last row alone when its features are
    complete; otherwise on every row, as `predict_candles` does (the last complete row)."""
    from tradingia.features import build_features

    features = build_features(candles, list(model_set.feature_names), timeframe=timeframe)
    last = features.iloc[-1:]
    if len(last) and bool(last.notna().to_numpy().all()):
        return pd.DataFrame(model_set.predict(last))
    return pd.DataFrame(model_set.predict(features))


def _get(row: pd.Series, name: str) -> float | None:
    value = row.get(name)
    return None if value is None or pd.isna(value) else float(value)
