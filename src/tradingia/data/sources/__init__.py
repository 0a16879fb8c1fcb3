"""Candle sources: files, and remote venues behind the `CandleSource` protocol."""

from tradingia.data.sources.base import CandleSource
from tradingia.data.sources.files import read_candle_file

__all__ = ["CandleSource", "read_candle_file"]
