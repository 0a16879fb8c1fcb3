"""Canonical symbols and their tickers on each venue (ccxt / Binance, Polygon, MT4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tradingia.core.errors import UnsupportedError


class AssetClass(StrEnum):
    """What kind of market a symbol trades in; it decides the trading calendar."""

    CRYPTO = "crypto"
    FOREX = "forex"
    METAL = "metal"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """One instrument: canonical name, asset class, and its ticker per venue (None: not listed)."""

    name: str
    asset_class: AssetClass
    base: str
    quote: str
    ccxt: str | None
    polygon: str | None
    mt4: str | None
    tick_size: float

    def ticker(self, venue: str) -> str:
        """The venue's ticker; raises UnsupportedError when the venue does not list it."""
        value = {"binance": self.ccxt, "ccxt": self.ccxt, "polygon": self.polygon,
                 "mt4": self.mt4}.get(venue)
        if value is None:
            raise UnsupportedError(f"{self.name} is not available on venue {venue!r}.")
        return value


def _crypto(base: str, polygon: bool = True, tick: float = 0.01) -> SymbolInfo:
    return SymbolInfo(
        name=f"{base}USDT", asset_class=AssetClass.CRYPTO, base=base, quote="USDT",
        ccxt=f"{base}/USDT", polygon=f"X:{base}USD" if polygon else None, mt4=None,
        tick_size=tick,
    )


def _fx(pair: str, cls: AssetClass = AssetClass.FOREX, tick: float = 0.00001) -> SymbolInfo:
    return SymbolInfo(
        name=pair, asset_class=cls, base=pair[:3], quote=pair[3:], ccxt=None,
        polygon=f"C:{pair}", mt4=pair, tick_size=tick,
    )


_TABLE: tuple[SymbolInfo, ...] = (
    _crypto("BTC"), _crypto("ETH"), _crypto("BNB", tick=0.01), _crypto("SOL"),
    _crypto("XRP", tick=0.0001), _crypto("ADA", tick=0.0001), _crypto("DOGE", tick=0.00001),
    _crypto("AVAX"), _crypto("DOT", tick=0.001), _crypto("LINK", tick=0.001),
    _crypto("LTC"), _crypto("PAXG", tick=0.01),
    _fx("EURUSD"), _fx("GBPUSD"), _fx("USDJPY", tick=0.001), _fx("USDCHF"), _fx("AUDUSD"),
    _fx("USDCAD"), _fx("NZDUSD"), _fx("EURGBP"), _fx("EURJPY", tick=0.001),
    _fx("GBPJPY", tick=0.001),
    _fx("XAUUSD", AssetClass.METAL, tick=0.01), _fx("XAGUSD", AssetClass.METAL, tick=0.001),
)

SYMBOLS: dict[str, SymbolInfo] = {s.name: s for s in _TABLE}


def get_symbol(name: str) -> SymbolInfo:
    """Look a canonical symbol up (case-insensitive; 'BTC/USDT', 'C:EURUSD' accepted too)."""
    key = name.strip().upper().replace("/", "").replace("-", "").replace("_", "")
    for prefix in ("X:", "C:"):
        key = key.removeprefix(prefix)
    if key in SYMBOLS:
        return SYMBOLS[key]
    if key.endswith("USD") and f"{key}T" in SYMBOLS:
        return SYMBOLS[f"{key}T"]
    valid = ", ".join(SYMBOLS)
    raise UnsupportedError(f"Unknown symbol {name!r}. Supported symbols: {valid}.")
