"""Core domain types: timeframes, symbols, settings."""

from __future__ import annotations

import pandas as pd
import pytest

from tradingia.core import SYMBOLS, AssetClass, Timeframe, UnsupportedError, get_symbol
from tradingia.core.errors import ConfigError
from tradingia.core.settings import load_settings


def test_timeframe_parses_aliases_and_rejects_unknown_with_valid_list() -> None:
    assert Timeframe.parse("H1") is Timeframe.H1
    assert Timeframe.parse("5M") is Timeframe.M5
    with pytest.raises(UnsupportedError, match="1m, 5m, 15m"):
        Timeframe.parse("7m")


def test_weekly_candles_start_on_monday() -> None:
    wednesday = pd.Timestamp("2024-01-10 13:00", tz="UTC")
    assert Timeframe.W1.floor(wednesday) == pd.Timestamp("2024-01-08", tz="UTC")


def test_symbol_table_covers_24_instruments_with_venue_tickers() -> None:
    assert len(SYMBOLS) >= 24
    assert get_symbol("BTC/USDT").ticker("polygon") == "X:BTCUSD"
    assert get_symbol("c:eurusd").ticker("mt4") == "EURUSD"
    assert get_symbol("XAUUSD").asset_class is AssetClass.METAL
    with pytest.raises(UnsupportedError, match="Supported symbols"):
        get_symbol("NOPE")
    with pytest.raises(UnsupportedError, match="not available"):
        get_symbol("EURUSD").ticker("binance")


def test_settings_refuse_a_non_postgres_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADINGIA_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="database_url"):
        load_settings()


def test_settings_reject_unknown_keys_in_toml(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "tradingia.toml"
    cfg.write_text('home = "/tmp/x"\nhomee = "typo"\n')
    monkeypatch.setenv("TRADINGIA_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match="homee"):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(Exception, match="frozen"):
        settings.home = "elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize("confidence", [float("nan"), -0.1, 1.5])
def test_signal_refuses_confidence_outside_zero_one_nan_included(confidence: float) -> None:
    from tradingia.core.signal import Direction, Signal

    with pytest.raises(ValueError, match="confidence must be within"):
        Signal("BTCUSDT", Timeframe.H1, pd.Timestamp("2025-01-01", tz="UTC"), Direction.NEUTRAL,
               100.0, None, (), confidence, None, None, None)
