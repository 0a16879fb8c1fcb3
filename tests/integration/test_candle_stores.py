"""Both candle stores against one contract: DuckDB (a file) and the real PostgreSQL.

The PostgreSQL tests run in a database created for this module (random name) and dropped
afterwards, so engineers and CI jobs running at the same time never see each other's rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from tradingia.core.candles import as_candle_frame, empty_candles
from tradingia.core.errors import StoreError
from tradingia.core.settings import load_settings
from tradingia.core.timeframes import Timeframe
from tradingia.data.migrations import alembic_config, downgrade, upgrade
from tradingia.data.sources import read_candle_file
from tradingia.data.stores import (
    CandleStore,
    DuckDBCandleStore,
    PostgresCandleStore,
    WriteResult,
    open_candle_store,
)

M5 = Timeframe.M5


def candles(start: str, periods: int, freq: str = "5min", seed: int = 0) -> pd.DataFrame:
    """A contract candle frame with random but plausible prices."""
    rng = np.random.default_rng(seed)
    close = 100 + rng.standard_normal(periods).cumsum()
    frame = pd.DataFrame(
        {"open": close - 0.1, "high": close + 0.5, "low": close - 0.5, "close": close,
         "volume": rng.uniform(1, 10, periods)},
        index=pd.date_range(start, periods=periods, freq=freq, tz="UTC"),
    )
    out = as_candle_frame(frame)
    out.index.freq = None  # a store cannot know the frequency; reads carry none
    return out


def clear(store: CandleStore) -> None:
    for s in store.series():
        store.delete(s.symbol, s.timeframe)


def snapshot(store: CandleStore) -> dict[tuple[str, str], pd.DataFrame]:
    return {(s.symbol, s.timeframe.value): store.read(s.symbol, s.timeframe)
            for s in store.series()}


def assert_same_snapshot(store: CandleStore, before: dict[tuple[str, str], pd.DataFrame]) -> None:
    after = snapshot(store)
    assert after.keys() == before.keys()
    for key, frame in before.items():
        pd.testing.assert_frame_equal(after[key], frame)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def pg_admin(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def _create_database(admin: sa.Engine) -> str:
    name = f"tradingia_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return name


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def pg_url(postgres_url: str, pg_admin: sa.Engine) -> Iterator[str]:
    """A fresh database for this module, dropped afterwards."""
    name = _create_database(pg_admin)
    try:
        yield _with_database(postgres_url, name)
    finally:
        _drop_database(pg_admin, name)


@pytest.fixture(scope="module")
def pg_store(pg_url: str) -> Iterator[PostgresCandleStore]:
    store = PostgresCandleStore(pg_url)
    yield store
    store.close()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CandleStore]:
    """An empty store of each kind."""
    if request.param == "duckdb":
        duck = DuckDBCandleStore(tmp_path / "candles.duckdb")
        yield duck
        duck.close()
        return
    pg: PostgresCandleStore = request.getfixturevalue("pg_store")
    clear(pg)
    pg.chunk_rows = 250_000
    yield pg
    clear(pg)


def pg_scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar()
    finally:
        engine.dispose()


# --- the contract, on both stores -------------------------------------------------------------


def test_store_implements_the_candle_store_protocol(store: CandleStore) -> None:
    assert isinstance(store, CandleStore)


@pytest.fixture(scope="module")
def shared_frames(shared_data_dir: Path) -> dict[tuple[str, Timeframe], pd.DataFrame]:
    """Every shared candle file, parsed once: (symbol, timeframe) -> frame."""
    frames = {}
    for path in sorted(shared_data_dir.glob("*.csv.gz")):
        symbol, tf_name = path.name.removesuffix(".csv.gz").split("_")
        timeframe = Timeframe.parse(tf_name)
        frames[(symbol, timeframe)] = read_candle_file(path, timeframe)
    return frames


@pytest.mark.shared_data
@pytest.mark.slow
def test_every_shared_file_round_trips_identically_and_a_second_import_changes_nothing(
    store: CandleStore, shared_frames: dict[tuple[str, Timeframe], pd.DataFrame]
) -> None:
    for (symbol, timeframe), frame in shared_frames.items():
        assert store.write(symbol, timeframe, frame) == WriteResult(len(frame), 0, 0)
        pd.testing.assert_frame_equal(store.read(symbol, timeframe), frame, check_freq=False)
        assert store.write(symbol, timeframe, frame) == WriteResult(0, 0, len(frame))
        pd.testing.assert_frame_equal(store.read(symbol, timeframe), frame, check_freq=False)

    listed = {(s.symbol, s.timeframe): (s.rows, s.first, s.last) for s in store.series()}
    assert listed == {key: (len(f), f.index[0], f.index[-1]) for key, f in shared_frames.items()}


def test_writing_the_same_frame_twice_reports_every_row_unchanged(store: CandleStore) -> None:
    frame = candles("2024-03-01", 500)
    assert store.write("BTCUSDT", M5, frame) == WriteResult(500, 0, 0)
    assert store.write("BTCUSDT", M5, frame) == WriteResult(0, 0, 500)
    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5), frame)


def test_changed_candles_are_updated_and_counted_and_new_ones_inserted(
    store: CandleStore,
) -> None:
    frame = candles("2024-03-01", 100)
    store.write("BTCUSDT", M5, frame)
    revised = candles("2024-03-01 04:10", 60, seed=1)  # rows 50..99 overlap, 10 are new
    revised.iloc[:20] = frame.iloc[50:70].to_numpy()  # 20 overlapping rows stay equal

    result = store.write("BTCUSDT", M5, revised)

    assert result == WriteResult(inserted=10, updated=30, unchanged=20)
    expected = pd.concat([frame.iloc[:50], revised])
    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5), expected)


def test_a_single_changed_volume_counts_as_an_update(store: CandleStore) -> None:
    frame = candles("2024-03-01", 10)
    store.write("ETHUSDT", M5, frame)
    changed = frame.copy()
    changed.iloc[4, changed.columns.get_loc("volume")] += 1.0
    assert store.write("ETHUSDT", M5, changed) == WriteResult(0, 1, 9)
    pd.testing.assert_frame_equal(store.read("ETHUSDT", M5), changed)


def test_read_range_includes_start_and_excludes_end(store: CandleStore) -> None:
    frame = candles("2024-03-01", 100)
    store.write("BTCUSDT", M5, frame)
    start, end = frame.index[10], frame.index[20]

    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5, start, end), frame.iloc[10:20])
    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5, start=start), frame.iloc[10:])
    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5, end=end), frame.iloc[:20])
    between = store.read("BTCUSDT", M5, start + pd.Timedelta("1s"), end + pd.Timedelta("1s"))
    pd.testing.assert_frame_equal(between, frame.iloc[11:21])


def test_read_bounds_in_other_zones_or_naive_are_the_same_instants(store: CandleStore) -> None:
    frame = candles("2024-03-01", 100)
    store.write("BTCUSDT", M5, frame)
    start, end = frame.index[10], frame.index[20]

    in_new_york = store.read("BTCUSDT", M5, start.tz_convert("America/New_York"),
                             end.tz_convert("America/New_York"))
    naive_utc = store.read("BTCUSDT", M5, start.tz_localize(None), end.tz_localize(None))

    pd.testing.assert_frame_equal(in_new_york, frame.iloc[10:20])
    pd.testing.assert_frame_equal(naive_utc, frame.iloc[10:20])


def test_frames_indexed_in_another_zone_are_stored_as_utc(store: CandleStore) -> None:
    frame = candles("2024-03-30", 300, freq="1h")  # spans the EU daylight-saving switch
    local = frame.tz_convert("Europe/Paris")
    store.write("EURUSD", Timeframe.H1, local)
    pd.testing.assert_frame_equal(store.read("EURUSD", Timeframe.H1), frame)


def test_symbols_and_timeframes_are_kept_apart(store: CandleStore) -> None:
    btc_5m, btc_1h, eth_5m = (candles("2024-03-01", 50, seed=1),
                              candles("2024-03-01", 50, freq="1h", seed=2),
                              candles("2024-03-01", 50, seed=3))
    store.write("BTCUSDT", M5, btc_5m)
    store.write("BTCUSDT", Timeframe.H1, btc_1h)
    store.write("ETHUSDT", M5, eth_5m)

    pd.testing.assert_frame_equal(store.read("BTCUSDT", M5), btc_5m)
    pd.testing.assert_frame_equal(store.read("BTCUSDT", Timeframe.H1), btc_1h)
    pd.testing.assert_frame_equal(store.read("ETHUSDT", M5), eth_5m)
    assert [(s.symbol, s.timeframe) for s in store.series()] == [
        ("BTCUSDT", M5), ("BTCUSDT", Timeframe.H1), ("ETHUSDT", M5)]

    assert store.delete("BTCUSDT", M5) == 50
    assert store.read("BTCUSDT", M5).empty
    pd.testing.assert_frame_equal(store.read("BTCUSDT", Timeframe.H1), btc_1h)
    pd.testing.assert_frame_equal(store.read("ETHUSDT", M5), eth_5m)


def test_summary_gives_first_last_and_rows_and_none_for_an_unknown_series(
    store: CandleStore,
) -> None:
    frame = candles("2023-12-31 23:00", 40)  # crosses a year (and a partition) boundary
    store.write("SOLUSDT", M5, frame)

    summary = store.summary("SOLUSDT", M5)

    assert summary is not None
    assert (summary.symbol, summary.timeframe, summary.rows) == ("SOLUSDT", M5, 40)
    assert (summary.first, summary.last) == (frame.index[0], frame.index[-1])
    assert str(summary.first.tz) == "UTC"
    assert store.summary("SOLUSDT", Timeframe.H1) is None
    assert store.summary("NOPE", M5) is None


def test_empty_reads_have_the_contract_dtypes(store: CandleStore) -> None:
    store.write("BTCUSDT", M5, candles("2024-03-01", 10))

    unknown = store.read("NOPE", M5)
    outside = store.read("BTCUSDT", M5, pd.Timestamp("2030-01-01", tz="UTC"))

    expected = as_candle_frame(empty_candles())  # ns unit, UTC, float64 OHLCV
    assert str(expected.index.dtype) == "datetime64[ns, UTC]"
    pd.testing.assert_frame_equal(unknown, expected)
    pd.testing.assert_frame_equal(outside, expected)


def test_writing_an_empty_frame_changes_nothing(store: CandleStore) -> None:
    assert store.write("BTCUSDT", M5, empty_candles()) == WriteResult(0, 0, 0)
    assert store.series() == []


def test_deleting_an_unknown_series_deletes_nothing(store: CandleStore) -> None:
    assert store.delete("NOPE", M5) == 0


def _failing_write_scenario(store: CandleStore) -> tuple[dict[tuple[str, str], pd.DataFrame],
                                                          pd.DataFrame]:
    """Two stored series, and a 300-row frame that changes the 200 stored rows and adds 100."""
    store.write("BTCUSDT", M5, candles("2024-12-31 20:00", 200))
    store.write("ETHUSDT", M5, candles("2024-12-31 20:00", 50, seed=5))
    before = snapshot(store)
    incoming = candles("2024-12-31 20:00", 300, seed=9)
    return before, incoming


def test_a_constraint_violation_in_a_later_chunk_leaves_the_store_unchanged(
    store: CandleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, incoming = _failing_write_scenario(store)
    broken = pd.concat([incoming.iloc[:260], incoming.iloc[[250]], incoming.iloc[260:]])
    monkeypatch.setattr(store, "chunk_rows", 50)  # five chunks apply, the sixth repeats a key

    with pytest.raises(StoreError, match="nothing was changed"):
        store.write("BTCUSDT", M5, broken)

    assert_same_snapshot(store, before)


def test_an_exception_between_chunks_rolls_back_the_chunks_already_written(
    store: CandleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, incoming = _failing_write_scenario(store)
    monkeypatch.setattr(store, "chunk_rows", 50)
    real_write_chunk = store._write_chunk  # type: ignore[attr-defined]
    calls = []

    def write_chunk_then_fail(*args: object) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("interrupted after three chunks")
        result: tuple[int, int] = real_write_chunk(*args)
        return result

    monkeypatch.setattr(store, "_write_chunk", write_chunk_then_fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        store.write("BTCUSDT", M5, incoming)

    assert len(calls) == 4
    assert_same_snapshot(store, before)
    monkeypatch.undo()
    assert store.write("BTCUSDT", M5, incoming) == WriteResult(100, 200, 0)


# --- PostgreSQL only --------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_table_is_range_partitioned_with_yearly_partitions_created_on_demand(
    pg_store: PostgresCandleStore, pg_url: str
) -> None:
    clear(pg_store)
    pg_store.write("BTCUSDT", Timeframe.H1, candles("2021-12-31 22:00", 24 * 400, freq="1h"))

    strategy = pg_scalar(pg_url, "SELECT partstrat FROM pg_partitioned_table "
                                 "WHERE partrelid = 'market.candles'::regclass")
    children = pg_scalar(pg_url, """
        SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'market.candles'::regclass""")
    in_default = pg_scalar(pg_url, "SELECT count(*) FROM market.candles_default")
    in_2022 = pg_scalar(pg_url, "SELECT count(*) FROM ONLY market.candles_y2022")

    assert strategy == "r"
    assert {"candles_default", "candles_y2021", "candles_y2022", "candles_y2023"} <= set(
        str(children).split(","))
    assert in_default == 0
    assert in_2022 == 365 * 24
    clear(pg_store)


@pytest.mark.postgres
def test_postgres_failed_write_also_rolls_back_the_partitions_it_created(
    pg_store: PostgresCandleStore, pg_url: str
) -> None:
    clear(pg_store)
    frame = candles("2031-12-31 23:00", 40)  # years no other test writes
    broken = pd.concat([frame, frame.iloc[[-1]]])

    with pytest.raises(StoreError):
        pg_store.write("BTCUSDT", M5, broken)

    created = pg_scalar(pg_url, "SELECT count(*) FROM pg_class WHERE relname IN "
                                "('candles_y2031', 'candles_y2032')")
    assert created == 0


@pytest.mark.postgres
def test_postgres_times_ignore_the_session_time_zone(pg_url: str) -> None:
    tokyo = PostgresCandleStore(pg_url + "?options=-c%20TimeZone%3DAsia%2FTokyo")
    try:
        clear(tokyo)
        frame = candles("2024-03-09", 300, freq="1h")
        tokyo.write("XAUUSD", Timeframe.H1, frame)
        summary = tokyo.summary("XAUUSD", Timeframe.H1)
        pd.testing.assert_frame_equal(tokyo.read("XAUUSD", Timeframe.H1), frame)
        assert summary is not None and summary.first == frame.index[0]
        assert pg_scalar(pg_url, "SELECT min(ts) = '2024-03-09 00:00:00+00' "
                                 "FROM market.candles") is True
        clear(tokyo)
    finally:
        tokyo.close()


@pytest.mark.postgres
def test_migrations_upgrade_twice_is_a_no_op_and_downgrade_removes_the_table(
    postgres_url: str, pg_admin: sa.Engine
) -> None:
    name = _create_database(pg_admin)
    url = _with_database(postgres_url, name)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        upgrade(engine, "0001")
        assert pg_scalar(url, "SELECT version_num FROM alembic_version") == "0001"
        assert pg_scalar(url, "SELECT to_regclass('market.candles') IS NOT NULL") is True
        upgrade(engine)
        upgrade(engine)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert pg_scalar(url, "SELECT version_num FROM alembic_version") == head
        downgrade(engine, "base")
        assert pg_scalar(url, "SELECT to_regclass('market.candles') IS NULL") is True
        assert pg_scalar(url, "SELECT count(*) FROM alembic_version") == 0
    finally:
        engine.dispose()
        _drop_database(pg_admin, name)


@pytest.mark.postgres
def test_factory_opens_postgres_when_a_database_url_is_set(pg_url: str, tmp_path: Path) -> None:
    store = open_candle_store(load_settings(database_url=pg_url, home=tmp_path))
    try:
        assert isinstance(store, PostgresCandleStore)
    finally:
        store.close()
    assert not (tmp_path / "candles.duckdb").exists()


def test_unreachable_postgres_raises_a_store_error_naming_the_setting() -> None:
    with pytest.raises(StoreError, match="TRADINGIA_DATABASE_URL"):
        PostgresCandleStore("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
