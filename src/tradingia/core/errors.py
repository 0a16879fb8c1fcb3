"""Errors the platform raises: each says what was wrong and what to do about it."""

from __future__ import annotations


class TradingiaError(Exception):
    """Base class; the CLI prints the message and exits non-zero, the API answers 4xx."""

    exit_code: int = 1


class ConfigError(TradingiaError):
    """A setting is missing or has a value the platform cannot use."""

    exit_code = 2


class UnsupportedError(TradingiaError, ValueError):
    """A symbol, timeframe, horizon or option outside the supported set."""

    exit_code = 2


class DataValidationError(TradingiaError, ValueError):
    """Candles that break the data contract; `problems` maps rule -> offending row labels."""

    exit_code = 3

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.problems: dict[str, list[str]] = problems or {}


class NotFoundError(TradingiaError, LookupError):
    """A series, model or record that does not exist."""

    exit_code = 4


class SourceError(TradingiaError):
    """A market-data venue failed after retries, or answered something unusable."""

    exit_code = 5


class StoreError(TradingiaError):
    """A store could not be opened or written; nothing was changed."""

    exit_code = 6
