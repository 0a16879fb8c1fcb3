"""BinanceSource through real ccxt against a loopback server speaking Binance's wire format."""

from __future__ import annotations

import pandas as pd
import pytest
from venue_server import VenueServer, load_fixture, synthetic_klines

from tradingia.core.errors import SourceError, UnsupportedError
from tradingia.core.settings import load_settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources import BinanceSource, RetryPolicy, make_source

pytest.importorskip("ccxt")

START = pd.Timestamp("2024-01-01", tz="UTC")
FIVE = pd.Timedelta(minutes=5)
RATE_LIMITED = {"code": -1003, "msg": "Too much request weight used; current limit is 6000 "
                "request weight per 1 MINUTE. Please use WebSocket Streams for live updates "
                "to avoid polling the API."}


def source(venue: VenueServer, sleeps: list[float], retries: int = 3) -> BinanceSource:
    return BinanceSource(base_url=venue.url, sleep=sleeps.append,
                         policy=RetryPolicy(max_retries=retries), timeout_seconds=5)


def fetch(src: BinanceSource, start: pd.Timestamp, end: pd.Timestamp) -> list[pd.DataFrame]:
    return list(src.iter_pages("BTCUSDT", Timeframe.M5, start, end))


def klines_requests(venue: VenueServer) -> list[dict[str, str]]:
    return [q for _, q in venue.state.paths("/api/v3/klines")]


def test_recorded_klines_parse_to_candle_frames(venue: VenueServer, sleeps: list[float]) -> None:
    recorded = load_fixture("binance_klines_BTCUSDT_5m.json")
    venue.state.klines["BTCUSDT"] = recorded
    start = pd.Timestamp("2021-09-02", tz="UTC")

    pages = fetch(source(venue, sleeps), start, start + 6 * FIVE)

    frame = pd.concat(pages)
    assert len(frame) == 6
    assert frame.index[0] == start
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "timestamp"
    assert frame.index.unit == "ns"
    assert (frame.dtypes == "float64").all()
    assert frame.iloc[0].tolist() == [48810.51, 48946.47, 48708.26, 48722.1, 358.3069]
    first = klines_requests(venue)[0]
    assert first["symbol"] == "BTCUSDT"
    assert first["interval"] == "5m"
    assert first["limit"] == "1000"
    assert first["startTime"] == str(int(start.value // 1_000_000))


def test_pages_of_1000_are_followed_until_end(venue: VenueServer, sleeps: list[float]) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 2500)

    pages = fetch(source(venue, sleeps), START, START + 2500 * FIVE)

    assert [len(p) for p in pages] == [1000, 1000, 500]
    frame = pd.concat(pages)
    expected = pd.date_range(START, periods=2500, freq="5min", unit="ns", name="timestamp")
    assert frame.index.equals(expected)
    assert frame["open"].iloc[-1] == 100.0 + 2499
    starts = [int(q["startTime"]) for q in klines_requests(venue)]
    assert starts == [int((START + n * FIVE).value // 1_000_000) for n in (0, 1000, 2000)]
    assert sleeps == []


def test_only_spot_endpoints_are_called(venue: VenueServer, sleeps: list[float]) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 10)

    fetch(source(venue, sleeps), START, START + 10 * FIVE)

    assert {path for path, _ in venue.state.requests} == {"/api/v3/exchangeInfo",
                                                         "/api/v3/klines"}


def test_candle_still_open_at_end_is_not_returned(venue: VenueServer, sleeps: list[float]) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 20)
    end = START + 19 * FIVE + pd.Timedelta(minutes=2)  # the 20th candle is still forming

    frame = pd.concat(fetch(source(venue, sleeps), START, end))

    assert frame.index[-1] == START + 18 * FIVE
    assert len(frame) == 19


def test_restart_from_the_last_stored_candle_resumes_without_gap_or_duplicate(
    venue: VenueServer, sleeps: list[float]
) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 2300)
    end = START + 2300 * FIVE
    first_page = next(iter(source(venue, sleeps).iter_pages("BTCUSDT", Timeframe.M5, START, end)))

    resumed = fetch(source(venue, sleeps), first_page.index[-1] + FIVE, end)

    frame = pd.concat([first_page, *resumed])
    assert frame.index.is_unique
    assert frame.index.equals(pd.date_range(START, periods=2300, freq="5min", unit="ns",
                                            name="timestamp"))


def test_start_inside_a_candle_begins_at_the_next_candle(
    venue: VenueServer, sleeps: list[float]
) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 30)

    frame = pd.concat(fetch(source(venue, sleeps), START + pd.Timedelta(minutes=52),
                            START + 30 * FIVE))

    assert frame.index[0] == START + 11 * FIVE
    assert frame.index[-1] == START + 29 * FIVE


def test_rate_limit_429_is_retried_after_the_venues_retry_after(
    venue: VenueServer, sleeps: list[float]
) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 10)
    venue.state.fail("/api/v3/klines", 429, RATE_LIMITED, headers={"Retry-After": "3"})

    frame = pd.concat(fetch(source(venue, sleeps), START, START + 10 * FIVE))

    assert len(frame) == 10
    assert sleeps == [3.0]
    assert len(klines_requests(venue)) == 2


def test_server_errors_are_retried_with_exponential_back_off(
    venue: VenueServer, sleeps: list[float]
) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 10)
    venue.state.fail("/api/v3/exchangeInfo", 502, "<html>502 Bad Gateway</html>")
    venue.state.fail("/api/v3/klines", 503, "<html>Service Unavailable</html>", times=2)

    frame = pd.concat(fetch(source(venue, sleeps), START, START + 10 * FIVE))

    assert len(frame) == 10
    assert sleeps == [1.0, 1.0, 2.0]


def test_retries_exhausted_raise_source_error(venue: VenueServer, sleeps: list[float]) -> None:
    venue.state.klines["BTCUSDT"] = synthetic_klines("2024-01-01", 10)
    venue.state.fail("/api/v3/klines", 503, "<html>Service Unavailable</html>", times=10)

    with pytest.raises(SourceError, match=r"failed after 3 attempts.*TRADINGIA_HTTP_MAX_RETRIES"):
        fetch(source(venue, sleeps, retries=2), START, START + 10 * FIVE)
    assert sleeps == [1.0, 2.0]


def test_range_shorter_than_one_candle_makes_no_request(
    venue: VenueServer, sleeps: list[float]
) -> None:
    pages = fetch(source(venue, sleeps), START, START + pd.Timedelta(minutes=4))

    assert pages == []
    assert venue.state.requests == []


def test_symbol_missing_from_exchange_info_raises_source_error(
    venue: VenueServer, sleeps: list[float]
) -> None:
    with pytest.raises(SourceError, match="does not list"):
        list(source(venue, sleeps).iter_pages("SOLUSDT", Timeframe.M5, START, START + FIVE))
    assert sleeps == []


def test_symbol_without_a_binance_ticker_is_unsupported(
    venue: VenueServer, sleeps: list[float]
) -> None:
    with pytest.raises(UnsupportedError, match="EURUSD"):
        list(source(venue, sleeps).iter_pages("EURUSD", Timeframe.M5, START, START + FIVE))


def test_factory_builds_binance_source_from_settings(venue: VenueServer) -> None:
    venue.state.klines["ETHUSDT"] = synthetic_klines("2024-01-01", 12, "1h")
    settings = load_settings(binance_base_url=venue.url, http_max_retries=1)

    src = make_source("binance", settings)
    frame = pd.concat(src.iter_pages("ETH/USDT", Timeframe.H1, START,
                                     START + pd.Timedelta(hours=12)))

    assert src.name == "binance"
    assert len(frame) == 12
    assert klines_requests(venue)[0]["interval"] == "1h"
