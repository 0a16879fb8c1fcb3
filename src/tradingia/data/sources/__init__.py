"""Candle sources: files, and remote venues behind the `CandleSource` protocol.

`make_source` is the small factory the services layer uses to pick a venue from settings.
"""

from __future__ import annotations

from tradingia.core.errors import ConfigError, UnsupportedError
from tradingia.core.settings import Settings
from tradingia.data.sources.base import CandleSource
from tradingia.data.sources.binance import BinanceSource
from tradingia.data.sources.files import read_candle_file
from tradingia.data.sources.polygon import PolygonSource
from tradingia.data.sources.retry import RetryPolicy, TransientError, call_with_retries

SOURCE_NAMES = ("binance", "polygon")


def make_source(name: str, settings: Settings) -> CandleSource:
    """Build the named venue's source from settings (base URLs, key, timeout, retries)."""
    key = name.strip().lower()
    if key == "binance":
        return BinanceSource(
            base_url=settings.binance_base_url,
            timeout_seconds=settings.http_timeout_seconds,
            policy=RetryPolicy(max_retries=settings.http_max_retries),
        )
    if key == "polygon":
        if settings.polygon_api_key is None or not settings.polygon_api_key.get_secret_value():
            raise ConfigError(
                "The Polygon source needs an API key: set TRADINGIA_POLYGON_API_KEY "
                "(or polygon_api_key in tradingia.toml)."
            )
        return PolygonSource(
            settings.polygon_api_key.get_secret_value(),
            base_url=settings.polygon_base_url,
            timeout_seconds=settings.http_timeout_seconds,
            policy=RetryPolicy(max_retries=settings.http_max_retries, base_delay=2.0),
        )
    raise UnsupportedError(f"Unknown source {name!r}. Use one of: {', '.join(SOURCE_NAMES)}.")


__all__ = [
    "SOURCE_NAMES",
    "BinanceSource",
    "CandleSource",
    "PolygonSource",
    "RetryPolicy",
    "TransientError",
    "call_with_retries",
    "make_source",
    "read_candle_file",
]
