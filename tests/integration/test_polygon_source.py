"""PolygonSource through real httpx against a loopback server speaking Polygon's wire format."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from venue_server import POLYGON_KEY, VenueServer, load_fixture, polygon_aggs
from venue_server import synthetic_klines as klines

from tradingia.core.errors import ConfigError, SourceError
from tradingia.core.settings import load_settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources import PolygonSource, RetryPolicy, make_source

START = pd.Timestamp("2024-01-01", tz="UTC")
FIVE = pd.Timedelta(minutes=5)
AGGS = "/v2/aggs/ticker/"
MakeSource = Callable[..., PolygonSource]
TOO_MANY = {"status": "ERROR", "request_id": "d0e1f2",
            "error": "You've exceeded the maximum requests per minute, please wait or upgrade "
                     "your subscription to continue. https://polygon.io/pricing"}


@pytest.fixture
def make(venue: VenueServer, sleeps: list[float]) -> Iterator[MakeSource]:
    """Builds sources pointed at the loopback server; closes them after the test."""
    made: list[PolygonSource] = []

    def build(api_key: str = POLYGON_KEY, retries: int = 3) -> PolygonSource:
        src = PolygonSource(api_key, base_url=venue.url, sleep=sleeps.append,
                            policy=RetryPolicy(max_retries=retries, base_delay=2.0),
                            timeout_seconds=5)
        made.append(src)
        return src

    yield build
    for src in made:
        src.close()


def fetch(src: PolygonSource, symbol: str, timeframe: Timeframe, start: pd.Timestamp,
          end: pd.Timestamp) -> list[pd.DataFrame]:
    return list(src.iter_pages(symbol, timeframe, start, end))


def aggs_requests(venue: VenueServer) -> list[tuple[str, dict[str, str]]]:
    return venue.state.paths(AGGS)


def test_recorded_pages_are_followed_through_next_url_with_the_key(
    venue: VenueServer, make: MakeSource
) -> None:
    venue.state.recorded_polygon = load_fixture("polygon_aggs_X_BTCUSD_5m.json")
    start = pd.Timestamp("2021-09-02", tz="UTC")

    pages = fetch(make(), "BTCUSDT", Timeframe.M5, start, start + 6 * FIVE)

    assert [len(p) for p in pages] == [3, 3]
    frame = pd.concat(pages)
    assert frame.index.equals(pd.date_range(start, periods=6, freq="5min", unit="ns",
                                            name="timestamp"))
    assert frame.iloc[0].tolist() == [48810.51, 48946.47, 48708.26, 48722.1, 358.3069]
    (first_path, first_query), (next_path, next_query) = aggs_requests(venue)
    assert first_path == "/v2/aggs/ticker/X:BTCUSD/range/5/minute/1630540800000/1630542300000"
    assert first_query == {"adjusted": "true", "sort": "asc", "limit": "50000",
                           "apiKey": POLYGON_KEY}
    assert next_path.startswith("/v2/aggs/ticker/X:BTCUSD/range/5/minute/")
    assert next_query == {"cursor": "bGltaXQ9MyZzb3J0PWFzYw", "apiKey": POLYGON_KEY}


def test_many_pages_are_followed_until_the_last(
    venue: VenueServer, make: MakeSource
) -> None:
    venue.state.aggs["X:BTCUSD"] = polygon_aggs(klines("2024-01-01", 1000))
    venue.state.polygon_page_size = 400

    pages = fetch(make(), "BTCUSDT", Timeframe.M5, START, START + 1000 * FIVE)

    assert [len(p) for p in pages] == [400, 400, 200]
    frame = pd.concat(pages)
    assert frame.index.equals(pd.date_range(START, periods=1000, freq="5min", unit="ns",
                                            name="timestamp"))
    assert frame["volume"].iloc[-1] == 10.0 + 999


def test_candle_still_open_at_end_is_dropped(venue: VenueServer, make: MakeSource) -> None:
    venue.state.aggs["C:EURUSD"] = polygon_aggs(klines("2024-01-01", 24, "1h"))
    end = START + pd.Timedelta(hours=23, minutes=30)  # the 24th hourly candle is still forming

    frame = pd.concat(fetch(make(), "EURUSD", Timeframe.H1, START, end))

    assert frame.index[-1] == START + pd.Timedelta(hours=22)
    assert len(frame) == 23


def test_restart_from_the_middle_resumes_without_gap_or_duplicate(
    venue: VenueServer, make: MakeSource
) -> None:
    venue.state.aggs["X:BTCUSD"] = polygon_aggs(klines("2024-01-01", 900))
    venue.state.polygon_page_size = 300
    end = START + 900 * FIVE
    first_page = next(iter(make().iter_pages("BTCUSDT", Timeframe.M5, START, end)))

    resumed = fetch(make(), "BTCUSDT", Timeframe.M5, first_page.index[-1] + FIVE, end)

    frame = pd.concat([first_page, *resumed])
    assert frame.index.is_unique
    assert len(frame) == 900
    assert frame.index.is_monotonic_increasing


def test_429_is_retried_after_the_retry_after_header(
    venue: VenueServer, sleeps: list[float], make: MakeSource
) -> None:
    venue.state.aggs["X:BTCUSD"] = polygon_aggs(klines("2024-01-01", 10))
    venue.state.fail(AGGS, 429, TOO_MANY, headers={"Retry-After": "7"})

    frame = pd.concat(fetch(make(), "BTCUSDT", Timeframe.M5, START, START + 10 * FIVE))

    assert len(frame) == 10
    assert sleeps == [7.0]


def test_429_without_retry_after_and_5xx_back_off_exponentially(
    venue: VenueServer, sleeps: list[float], make: MakeSource
) -> None:
    venue.state.aggs["X:BTCUSD"] = polygon_aggs(klines("2024-01-01", 10))
    venue.state.fail(AGGS, 429, TOO_MANY)
    venue.state.fail(AGGS, 502, "<html>502 Bad Gateway</html>")
    venue.state.fail(AGGS, 500, {"status": "ERROR", "error": "internal error"})

    frame = pd.concat(fetch(make(), "BTCUSDT", Timeframe.M5, START, START + 10 * FIVE))

    assert len(frame) == 10
    assert sleeps == [2.0, 4.0, 8.0]


def test_retries_exhausted_raise_source_error(
    venue: VenueServer, sleeps: list[float], make: MakeSource
) -> None:
    venue.state.fail(AGGS, 503, "<html>Service Unavailable</html>", times=10)

    with pytest.raises(SourceError, match=r"failed after 2 attempts.*HTTP 503"):
        fetch(make(retries=1), "BTCUSDT", Timeframe.M5, START, START + 10 * FIVE)
    assert sleeps == [2.0]


def test_unknown_api_key_says_which_setting_to_check(
    venue: VenueServer, sleeps: list[float], make: MakeSource
) -> None:
    with pytest.raises(SourceError, match=r"HTTP 401: Unknown API Key.*TRADINGIA_POLYGON_API_KEY"):
        fetch(make(api_key="wrong"), "BTCUSDT", Timeframe.M5, START, START + 10 * FIVE)
    assert sleeps == []


def test_plan_without_access_403_is_not_retried(
    venue: VenueServer, sleeps: list[float], make: MakeSource
) -> None:
    venue.state.fail(AGGS, 403, {"status": "NOT_AUTHORIZED", "request_id": "a1",
                                 "message": "You are not entitled to this data. Please "
                                            "upgrade your plan at https://polygon.io/pricing"})

    with pytest.raises(SourceError, match="HTTP 403: You are not entitled"):
        fetch(make(), "XAUUSD", Timeframe.H1, START, START + pd.Timedelta(days=1))
    assert sleeps == []
    assert len(aggs_requests(venue)) == 1


@pytest.mark.parametrize(
    ("timeframe", "path_range"),
    [(Timeframe.M15, "15/minute"), (Timeframe.H1, "1/hour"), (Timeframe.H4, "4/hour"),
     (Timeframe.D1, "1/day"), (Timeframe.W1, "1/week")],
)
def test_timeframes_map_to_multiplier_and_timespan(
    venue: VenueServer, make: MakeSource, timeframe: Timeframe, path_range: str
) -> None:
    pages = fetch(make(), "XAUUSD", timeframe, START, START + pd.Timedelta(weeks=2))

    assert pages == []
    path = aggs_requests(venue)[0][0]
    assert path.startswith(f"/v2/aggs/ticker/C:XAUUSD/range/{path_range}/")


def test_long_intraday_ranges_are_requested_in_contiguous_windows(
    venue: VenueServer, make: MakeSource
) -> None:
    end = START + pd.Timedelta(days=80)

    fetch(make(), "EURUSD", Timeframe.M1, START, end)

    windows = [tuple(int(x) for x in path.split("/")[-2:]) for path, _ in aggs_requests(venue)]
    assert len(windows) == 3
    assert windows[0][0] == START.value // 1_000_000
    assert windows[-1][1] == (end - pd.Timedelta(minutes=1)).value // 1_000_000
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(windows))
    assert all(b - a <= 50_000 * 60_000 for a, b in windows)


def test_factory_needs_a_polygon_key() -> None:
    with pytest.raises(ConfigError, match="TRADINGIA_POLYGON_API_KEY"):
        make_source("polygon", load_settings(polygon_api_key=None))


def test_factory_builds_polygon_source_from_settings(venue: VenueServer) -> None:
    venue.state.aggs["X:ETHUSD"] = polygon_aggs(klines("2024-01-01", 6))
    settings = load_settings(polygon_api_key=POLYGON_KEY, polygon_base_url=venue.url)

    src = make_source("polygon", settings)
    frame = pd.concat(src.iter_pages("ETHUSDT", Timeframe.M5, START, START + 6 * FIVE))

    assert src.name == "polygon"
    assert len(frame) == 6


def test_factory_rejects_unknown_source_names() -> None:
    with pytest.raises(ValueError, match="binance, polygon"):
        make_source("kraken", load_settings())
