"""tradingia: real candles to explained, risk-checked trade decisions, proven walk-forward."""

__version__ = "0.1.0"
