"""read_candle_file: every accepted format parses to the candle frame; bad input names its lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradingia.core.errors import DataValidationError, NotFoundError, UnsupportedError
from tradingia.core.timeframes import Timeframe
from tradingia.data.sources import read_candle_file

ROWS = "1.10,1.12,1.09,1.11,123\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def utc(*stamps: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(s, tz="UTC") for s in stamps]


def test_header_csv_parses_to_the_candle_contract_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:05:00Z,2,3,1,2.5,10\n"
                 "2024-01-02T00:00:00Z,1,2,0.5,1.5,20\n")
    frame = read_candle_file(path)
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert (frame.dtypes == "float64").all()
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "timestamp"
    assert str(frame.index.tz) == "UTC"
    assert frame.index.unit == "ns"
    assert list(frame.index) == utc("2024-01-02 00:05", "2024-01-02 00:00")
    assert frame.iloc[1].tolist() == [1.0, 2.0, 0.5, 1.5, 20.0]


def test_gzipped_csv_reads_like_plain_csv(tmp_path: Path) -> None:
    text = "timestamp,open,high,low,close,volume\n2024-01-02T00:00:00Z," + ROWS
    plain = read_candle_file(write(tmp_path, "c.csv", text))
    gz = read_candle_file(write(tmp_path, "c.csv.gz", text))
    pd.testing.assert_frame_equal(plain, gz)


@pytest.mark.parametrize(
    "header",
    [
        "Timestamp,Open,High,Low,Close,Volume",
        "TIME,OPEN,HIGH,LOW,CLOSE,VOL",
        "date,open,high,low,close,tick_volume",
        "open_time,open,high,low,close,volume",
        "datetime,open,high,low,close,volume",
        "Date Time,Open,High,Low,Close,Volume",
    ],
)
def test_header_variants_are_recognised(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "c.csv", f"{header}\n2024-01-02 00:00:00,{ROWS}")
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02")
    assert frame["volume"].iloc[0] == 123.0


def test_extra_columns_are_ignored_and_columns_may_be_reordered(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "close,volume,open_time,open,high,low,close_time,trades\n"
                 "1.11,123,1704153600000,1.10,1.12,1.09,1704153899999,42\n")
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02")
    assert frame.iloc[0].tolist() == [1.10, 1.12, 1.09, 1.11, 123.0]


def test_mt5_tab_export_with_date_and_time_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "EURUSD_M5.csv",
                 "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
                 "2024.01.02\t00:05:00\t1.10\t1.12\t1.09\t1.11\t123\t0\t5\n")
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02 00:05")
    assert frame["volume"].iloc[0] == 123.0


def test_semicolon_delimited_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp;open;high;low;close;volume\n"
                 "2024-01-02T00:00:00Z;1.10;1.12;1.09;1.11;123\n")
    assert read_candle_file(path)["close"].iloc[0] == 1.11


def test_naive_iso_timestamps_are_read_as_utc(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T03:00:00," + ROWS + "2024-01-02 04:00," + ROWS)
    assert list(read_candle_file(path).index) == utc("2024-01-02 03:00", "2024-01-02 04:00")


def test_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T03:00:00+02:00," + ROWS + "2024-01-02T04:00:00+02:00," + ROWS)
    assert list(read_candle_file(path).index) == utc("2024-01-02 01:00", "2024-01-02 02:00")


def test_dst_offsets_of_an_intraday_file_convert_to_one_utc_grid(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-03-31T01:55:00+01:00," + ROWS + "2024-03-31T03:00:00+02:00," + ROWS)
    frame = read_candle_file(path, Timeframe.M5)
    assert list(frame.index) == utc("2024-03-31 00:55", "2024-03-31 01:00")


def test_offsets_that_move_daily_candles_off_one_grid_are_mixed_time_zones(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-03-30T00:00:00+01:00," + ROWS + "2024-03-31T00:00:00+01:00," + ROWS
                 + "2024-04-01T00:00:00+02:00," + ROWS)
    with pytest.raises(DataValidationError, match="mixed time zones") as info:
        read_candle_file(path, Timeframe.D1)
    message = str(info.value)
    assert "offset +01:00: lines 2, 3" in message
    assert "offset +02:00: line 4" in message
    assert "UTC" in message


def test_naive_and_offset_rows_in_one_file_raise_naming_both(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:00:00Z," + ROWS + "2024-01-02T00:05:00," + ROWS
                 + "2024-01-02T00:10:00+00:00," + ROWS)
    with pytest.raises(DataValidationError, match="mixed time zones") as info:
        read_candle_file(path)
    assert "without offset: line 3" in str(info.value)
    assert "with offset: lines 2, 4" in str(info.value)
    assert info.value.problems["mixed time zones (without offset)"] == ["line 3"]


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        (("1704153600", "1704153900"), ("2024-01-02 00:00", "2024-01-02 00:05")),
        (("1704153600000", "1704153900000"), ("2024-01-02 00:00", "2024-01-02 00:05")),
        (("1704153600.0", "1704153900.5"), ("2024-01-02 00:00", "2024-01-02 00:05:00.5")),
    ],
    ids=["seconds", "milliseconds", "fractional-seconds"],
)
def test_epoch_timestamps_unit_is_detected_by_magnitude(
    tmp_path: Path, stamps: tuple[str, str], expected: tuple[str, str]
) -> None:
    path = write(tmp_path, "c.csv", "time,open,high,low,close,volume\n"
                 + "".join(f"{s},{ROWS}" for s in stamps))
    assert list(read_candle_file(path).index) == utc(*expected)


def test_epoch_seconds_and_milliseconds_in_one_file_raise(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "time,open,high,low,close,volume\n"
                 f"1704153600,{ROWS}1704153900000,{ROWS}")
    with pytest.raises(DataValidationError, match=r"mixed epoch units.*line 3"):
        read_candle_file(path)


def test_mt4_history_center_export_without_header(tmp_path: Path) -> None:
    path = write(tmp_path, "EURUSD5.csv",
                 "2024.01.02,00:00,1.10,1.12,1.09,1.11,123\n"
                 "2024.01.02,00:05,1.11,1.13,1.10,1.12,77\n")
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02 00:00", "2024-01-02 00:05")
    assert frame.iloc[1].tolist() == [1.11, 1.13, 1.10, 1.12, 77.0]


def test_mt4_windows_export_with_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "EURUSD5.csv"
    path.write_bytes(b"\xef\xbb\xbf2024.01.02,00:00,1.10,1.12,1.09,1.11,123\r\n"
                     b"2024.01.02,00:05,1.11,1.13,1.10,1.12,77\r\n")
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02 00:00", "2024-01-02 00:05")
    assert frame["volume"].tolist() == [123.0, 77.0]


def test_mt4_export_with_date_and_time_in_one_field(tmp_path: Path) -> None:
    path = write(tmp_path, "EURUSD5.csv", "2024.01.02 00:05,1.10,1.12,1.09,1.11,123\n")
    assert list(read_candle_file(path).index) == utc("2024-01-02 00:05")


def test_unparseable_timestamps_name_their_line_numbers_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:00:00Z," + ROWS + "\n"  # a blank line 3 the parser skips
                 "yesterday," + ROWS + "2024-01-02T00:10:00Z," + ROWS + "2024-13-45T00:00Z,"
                 + ROWS)
    with pytest.raises(DataValidationError, match="unparseable timestamp") as info:
        read_candle_file(path)
    assert "lines 4, 6" in str(info.value)
    assert "ISO-8601" in str(info.value)
    assert info.value.problems == {"unparseable timestamp": ["line 4", "line 6"]}


def test_unparseable_prices_name_their_line_numbers_per_column(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:00:00Z,1,2,0.5,1.5,10\n"
                 "2024-01-02T00:05:00Z,1,abc,0.5,1.5,10\n"
                 "2024-01-02T00:10:00Z,1,2,0.5,1.5,1e\n")
    with pytest.raises(DataValidationError, match="unparseable price") as info:
        read_candle_file(path)
    assert "high: line 3" in str(info.value)
    assert "volume: line 4" in str(info.value)


def test_empty_price_cells_parse_as_nan_for_validation_to_report(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:00:00Z,1,,0.5,1.5,10\n")
    assert np.isnan(read_candle_file(path)["high"].iloc[0])


def test_rows_with_a_wrong_number_of_fields_name_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,low,close,volume\n"
                 "2024-01-02T00:00:00Z,1,2,0.5,1.5,10\n"
                 "2024-01-02T00:05:00Z,1,2\n"
                 "2024-01-02T00:10:00Z,1,2,0.5,1.5,10\n")
    with pytest.raises(DataValidationError, match="wrong number of fields at line 3"):
        read_candle_file(path)


def test_missing_column_error_lists_what_was_found(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "timestamp,open,high,close,volume\n2024-01-02,1,2,1,1\n")
    with pytest.raises(DataValidationError, match=r"missing column.*low.*found timestamp"):
        read_candle_file(path)


def test_unknown_header_says_which_columns_are_expected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "foo,bar\nx,y\n")
    with pytest.raises(DataValidationError, match=r"unrecognised header.*timestamp,open"):
        read_candle_file(path)


def test_missing_file_raises_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        read_candle_file(tmp_path / "nope.csv")


def test_unsupported_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match=r"\.csv\.gz.*\.parquet"):
        read_candle_file(write(tmp_path, "c.xlsx", "x"))


def test_empty_file_raises_and_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="empty"):
        read_candle_file(write(tmp_path, "empty.csv", ""))
    frame = read_candle_file(write(tmp_path, "h.csv", "timestamp,open,high,low,close,volume\n"))
    assert frame.empty
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert str(frame.index.tz) == "UTC"


def test_parquet_round_trip_keeps_every_value(tmp_path: Path) -> None:
    index = pd.date_range("2024-01-02", periods=50, freq="5min", tz="UTC", name="timestamp")
    rng = np.random.default_rng(0)
    values = rng.random((50, 5))
    original = pd.DataFrame(values, index=index,
                            columns=["open", "high", "low", "close", "volume"])
    path = tmp_path / "c.parquet"
    original.to_parquet(path)
    expected = original.set_axis(index.as_unit("ns"), axis=0)
    pd.testing.assert_frame_equal(read_candle_file(path), expected, check_freq=False)


def test_parquet_with_epoch_millisecond_column(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    pd.DataFrame({"Open_Time": [1704153600000], "Open": [1.1], "High": [1.2], "Low": [1.0],
                  "Close": [1.1], "Volume": [5]}).to_parquet(path, index=False)
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02")
    assert frame["volume"].dtype == "float64"


def test_parquet_bad_price_names_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    pd.DataFrame({"timestamp": ["2024-01-02T00:00Z", "2024-01-02T00:05Z"],
                  "open": ["1.1", "oops"], "high": [1.2, 1.2], "low": [1.0, 1.0],
                  "close": [1.1, 1.1], "volume": [5, 5]}).to_parquet(path, index=False)
    with pytest.raises(DataValidationError, match="open: row 2"):
        read_candle_file(path)



def test_parquet_with_separate_date_and_time_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.parquet"
    pd.DataFrame({"Date": ["2024-01-02", "2024-01-02"], "Time": ["00:00", "00:05"],
                  "Open": [1.1, 1.2], "High": [1.2, 1.3], "Low": [1.0, 1.1],
                  "Close": [1.1, 1.2], "Volume": [5, 6]}).to_parquet(path, index=False)
    frame = read_candle_file(path)
    assert list(frame.index) == utc("2024-01-02 00:00", "2024-01-02 00:05")
    assert frame["close"].tolist() == [1.1, 1.2]

# README of ../shared/data/ohlcv: file -> (rows, first open time, last open time)
SHARED_FILES = {
    "BTCUSDT_5m.csv.gz": (462_200, "2021-09-02T00:00:00Z", "2026-01-23T23:55:00Z"),
    "ETHUSDT_5m.csv.gz": (427_376, "2022-01-01T00:00:00Z", "2026-01-23T23:55:00Z"),
    "SOLUSDT_5m.csv.gz": (427_376, "2022-01-01T00:00:00Z", "2026-01-23T23:55:00Z"),
    "BNBUSDT_5m.csv.gz": (93_024, "2024-12-31T00:00:00Z", "2025-11-18T23:55:00Z"),
    "PAXGUSDT_5m.csv.gz": (134_496, "2024-05-01T00:00:00Z", "2025-08-10T23:55:00Z"),
    "EURUSD_15m.csv.gz": (44_272, "2024-04-12T16:45:00Z", "2026-01-23T21:45:00Z"),
    "EURUSD_1h.csv.gz": (48_568, "2018-04-04T04:00:00Z", "2026-01-23T21:00:00Z"),
    "XAUUSD_15m.csv.gz": (43_606, "2024-03-20T22:15:00Z", "2026-01-23T21:45:00Z"),
    "XAUUSD_1h.csv.gz": (48_401, "2017-12-28T19:00:00Z", "2026-01-23T21:00:00Z"),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(SHARED_FILES))
def test_shared_file_loads_with_readme_row_count_and_span(
    shared_data_dir: Path, name: str
) -> None:
    rows, first, last = SHARED_FILES[name]
    timeframe = Timeframe.parse(name.removesuffix(".csv.gz").split("_")[1])
    frame = read_candle_file(shared_data_dir / name, timeframe)
    assert len(frame) == rows
    assert frame.index[0] == pd.Timestamp(first)
    assert frame.index[-1] == pd.Timestamp(last)
    assert frame.index.is_monotonic_increasing
    assert not frame.isna().any().any()
