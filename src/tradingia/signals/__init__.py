"""Signals: level-1 model outputs turned into `Signal`s through named, versioned presets."""

from tradingia.signals.generator import SignalGenerator, decide, pick_horizon
from tradingia.signals.presets import DEFAULT_PRESET, PRESETS, SignalPreset, get_preset

__all__ = ["DEFAULT_PRESET", "PRESETS", "SignalGenerator", "SignalPreset", "decide",
           "get_preset", "pick_horizon"]
