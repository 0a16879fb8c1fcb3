"""`tradingia data ...` end to end, as a user runs it: real stores, real files, real HTTP."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from typer.testing import CliRunner
from venue_server import VenueServer, synthetic_klines

from tradingia.cli import app
from tradingia.core.settings import get_settings

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and output; an error's output (`error: ...` on stderr) is whitespace-joined
    so a message wrapped by the console still matches."""
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code != 0:
        return result.exit_code, " ".join(result.output.split())
    return result.exit_code, result.output


def candles_csv(path: Path, start: str, count: int, freq: str = "5min") -> pd.DataFrame:
    index = pd.date_range(start, periods=count, freq=freq, tz="UTC", name="timestamp")
    price = 100 + pd.Series(range(count), index=index, dtype="float64") * 0.1
    frame = pd.DataFrame({"open": price, "high": price + 1, "low": price - 1,
                          "close": price + 0.5, "volume": 10.0}, index=index)
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.to_csv(path, index_label="timestamp")
    return frame


@pytest.fixture
def home(tradingia_home: Path) -> Path:
    return tradingia_home


def read_json(output: str) -> dict:
    return json.loads(output)


def test_import_twice_changes_nothing_the_second_time(home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "btc.csv"
    candles_csv(csv, "2024-01-01", 500)
    code, out = invoke("data", "import", str(csv), "-s", "BTCUSDT", "-t", "5m", "--json")
    assert code == 0 and read_json(out)["inserted"] == 500
    code, out = invoke("data", "import", str(csv), "-s", "BTCUSDT", "-t", "5m", "--json")
    second = read_json(out)
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, 500)
    assert second["stored_rows"] == 500


def test_corrupted_file_fails_naming_rows_and_leaves_the_store_untouched(
    home: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    candles_csv(good, "2024-01-01", 300)
    assert invoke("data", "import", str(good), "-s", "BTCUSDT", "-t", "5m")[0] == 0
    before = json.loads(invoke("data", "show", "-s", "BTCUSDT", "-t", "5m", "--json")[1])

    bad = tmp_path / "bad.csv.gz"
    lines = good.read_text().splitlines()
    candles_csv(tmp_path / "later.csv", "2024-01-02", 300)  # overlaps 12 good rows, new prices
    later = (tmp_path / "later.csv").read_text().splitlines()[1:]
    later[150] = later[150].replace(",10.0", ",-5.0")  # negative volume in the middle
    later[151] = later[151].split(",")[0] + ",1,0.5,2,1,1"  # high below low
    with gzip.open(bad, "wt") as fh:
        fh.write("\n".join(lines[:1] + later) + "\n")
    code, message = invoke("data", "import", str(bad), "-s", "BTCUSDT", "-t", "5m")
    assert code == 3
    assert "negative" in message.lower() and "2024-01-02T12:30" in message.replace(" ", "T")
    after = json.loads(invoke("data", "show", "-s", "BTCUSDT", "-t", "5m", "--json")[1])
    assert after == before

    code, out = invoke("data", "import", str(bad), "-s", "BTCUSDT", "-t", "5m", "--repair",
                       "--json")
    repaired = read_json(out)
    assert code == 0 and len(repaired["repairs"]) == 2
    assert (repaired["inserted"], repaired["updated"]) == (298 - 12, 12)  # 12 overlap


def test_weekend_is_a_gap_for_bitcoin_but_not_for_eurusd(home: Path, tmp_path: Path) -> None:
    # Friday 2024-01-05 .. Monday 2024-01-08, hourly, with the FX weekend left out.
    index = pd.date_range("2024-01-04 00:00", "2024-01-09 00:00", freq="1h", tz="UTC")
    ny = index.tz_convert("America/New_York")
    closed = ((ny.day_of_week == 4) & (ny.hour >= 17)) | (ny.day_of_week == 5) | (
        (ny.day_of_week == 6) & (ny.hour < 17))
    kept = index[~closed]
    frame = pd.DataFrame({"open": 1.1, "high": 1.2, "low": 1.0, "close": 1.15,
                          "volume": 1.0}, index=kept.rename("timestamp"))
    path = tmp_path / "weekday.parquet"
    frame.to_parquet(path)
    for symbol in ("EURUSD", "BTCUSDT"):
        assert invoke("data", "import", str(path), "-s", symbol, "-t", "1h")[0] == 0
    fx = read_json(invoke("data", "gaps", "-s", "EURUSD", "-t", "1h", "--json")[1])
    btc = read_json(invoke("data", "gaps", "-s", "BTCUSDT", "-t", "1h", "--json")[1])
    assert set(fx) == {"symbol", "timeframe", "expected", "present", "missing", "gaps"}
    assert fx["missing"] == 0 and fx["gaps"] == []
    assert btc["missing"] == int(closed.sum()) and len(btc["gaps"]) == 1
    assert btc["gaps"][0]["missing"] == int(closed.sum())


def test_resample_builds_only_candles_that_have_data(home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "m1.csv"
    candles_csv(csv, "2024-01-01", 60, freq="1min")
    assert invoke("data", "import", str(csv), "-s", "ETHUSDT", "-t", "1m")[0] == 0
    code, out = invoke("data", "resample", "-s", "ETHUSDT", "--from", "1m", "--to", "15m")
    assert code == 0, out
    info = read_json(invoke("data", "show", "-s", "ETHUSDT", "-t", "15m", "--json")[1])
    assert info["rows"] == 4 and info["first"].startswith("2024-01-01T00:00")
    assert info["last_candle"]["volume"] == 150.0


def test_bad_input_gets_a_clear_error_and_non_zero_exit(home: Path, tmp_path: Path) -> None:
    code, message = invoke("data", "show", "-s", "NOPE", "-t", "5m")
    assert code == 2 and "Supported symbols" in message
    code, message = invoke("data", "show", "-s", "BTCUSDT", "-t", "7m")
    assert code == 2 and "1m, 5m" in message
    code, message = invoke("data", "show", "-s", "BTCUSDT", "-t", "5m")
    assert code == 4 and "tradingia data import" in message
    code, message = invoke("data", "import", str(tmp_path / "missing.csv"), "-s", "BTCUSDT",
                           "-t", "5m")
    assert code != 0 and "missing.csv" in message


def test_sync_fetches_only_what_is_missing_and_backfills_gaps(
    home: Path, venue: VenueServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADINGIA_BINANCE_BASE_URL", venue.url)
    get_settings.cache_clear()
    now = pd.Timestamp.now(tz="UTC").floor("5min")
    start = now - pd.Timedelta(minutes=5 * 600)
    venue.state.klines["BTCUSDT"] = synthetic_klines(start.isoformat(), 600)
    since = start.isoformat()
    code, out = invoke("data", "sync", "-s", "BTCUSDT", "-t", "5m", "--since", since, "--json")
    first = read_json(out)
    assert code == 0 and first["inserted"] == 600 and first["windows"][0]["reason"] == "initial"

    code, out = invoke("data", "sync", "-s", "BTCUSDT", "-t", "5m", "--json")
    assert read_json(out)["inserted"] == 0

    # The venue fills in a hole that the store has (deleted here to simulate an outage).
    from tradingia.core.timeframes import Timeframe
    from tradingia.data.stores import open_candle_store

    store = open_candle_store(get_settings())
    kept = store.read("BTCUSDT", Timeframe.M5)
    store.delete("BTCUSDT", Timeframe.M5)
    store.write("BTCUSDT", Timeframe.M5, kept.drop(kept.index[100:110]))
    store.close()
    code, out = invoke("data", "sync", "-s", "BTCUSDT", "-t", "5m", "--since", since, "--json")
    third = read_json(out)
    assert third["inserted"] == 10
    assert any(w["reason"] == "backfill" for w in third["windows"])
    gaps = read_json(invoke("data", "gaps", "-s", "BTCUSDT", "-t", "5m", "--json")[1])
    assert gaps["missing"] == 0


@pytest.fixture
def postgres_home(
    tradingia_home: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Server mode against a fresh PostgreSQL database of its own."""
    name = f"tradingia_cli_{uuid.uuid4().hex[:10]}"
    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("TRADINGIA_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_server_mode_import_is_idempotent_and_atomic_in_postgres(
    postgres_home: str, tmp_path: Path
) -> None:
    csv = tmp_path / "eth.csv"
    candles_csv(csv, "2024-03-01", 1000)
    code, out = invoke("data", "import", str(csv), "-s", "ETHUSDT", "-t", "5m", "--json")
    assert code == 0 and read_json(out)["inserted"] == 1000
    before = read_json(invoke("data", "show", "-s", "ETHUSDT", "-t", "5m", "--json")[1])
    bad = tmp_path / "bad.csv"
    text = csv.read_text().splitlines()
    text[500] = text[500].split(",")[0] + ",nan,1,1,1,1"
    bad.write_text("\n".join(text) + "\n")
    code, _ = invoke("data", "import", str(bad), "-s", "ETHUSDT", "-t", "5m")
    assert code == 3
    assert read_json(invoke("data", "show", "-s", "ETHUSDT", "-t", "5m", "--json")[1]) == before
    code, out = invoke("data", "import", str(csv), "-s", "ETHUSDT", "-t", "5m", "--json")
    assert read_json(out)["unchanged"] == 1000


def test_real_eurusd_file_imports_and_reports_only_session_gaps(
    home: Path, shared_data_dir: Path
) -> None:
    path = shared_data_dir / "EURUSD_1h.csv.gz"
    code, out = invoke("data", "import", str(path), "-s", "EURUSD", "-t", "1h", "--json")
    assert code == 0 and read_json(out)["inserted"] == 48_568
    gaps = read_json(invoke("data", "gaps", "-s", "EURUSD", "-t", "1h", "--json")[1])
    assert gaps["present"] + gaps["missing"] == gaps["expected"]
    # The README counts 19,874 missing on a continuous grid and 337 session-aware; holidays
    # (25 Dec, 1 Jan) are closed in our calendar, so fewer remain.
    assert 0 < gaps["missing"] < 337


def test_fill_is_explicit_lists_each_gap_and_respects_max_gap(home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "btc.csv"
    frame = candles_csv(csv, "2024-01-01", 100)
    holes = frame.drop(frame.index[10:13]).drop(frame.index[50:60])
    holes_csv = tmp_path / "holes.parquet"
    holes.to_parquet(holes_csv)
    assert invoke("data", "import", str(holes_csv), "-s", "BTCUSDT", "-t", "5m")[0] == 0
    code, out = invoke("data", "fill", "-s", "BTCUSDT", "-t", "5m", "--max-gap", "5",
                       "--dry-run")
    assert code == 0 and "would fill 3 candle(s) in 1 gap(s); left 1 gap(s) alone" in out
    assert read_json(invoke("data", "show", "-s", "BTCUSDT", "-t", "5m", "--json")[1])[
        "rows"] == 87
    code, out = invoke("data", "fill", "-s", "BTCUSDT", "-t", "5m", "--max-gap", "5")
    assert "filled 3 flat candle(s) 2024-01-01T00:50:00Z .. 2024-01-01T01:00:00Z" in out
    info = read_json(invoke("data", "show", "-s", "BTCUSDT", "-t", "5m", "--json")[1])
    assert info["rows"] == 90
    gaps = read_json(invoke("data", "gaps", "-s", "BTCUSDT", "-t", "5m", "--json")[1])
    assert gaps["missing"] == 10
