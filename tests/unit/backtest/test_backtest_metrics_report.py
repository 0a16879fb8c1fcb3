"""Metrics on known trades and curves; report files; walk-forward and parallel runs."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from backtest_helpers import exact, make_candles, make_signals

from tradingia.backtest import run_backtest
from tradingia.backtest.metrics import compute_metrics, drawdown, trade_stats
from tradingia.backtest.parallel import BacktestTask, run_many
from tradingia.backtest.report import write_report
from tradingia.backtest.walkforward import walk_forward_backtest
from tradingia.core.errors import DataValidationError
from tradingia.models.splits import walk_forward

FLAT = (100.0, 101.0, 99.0, 100.0)


def test_trade_stats_known_answers() -> None:
    trades = pd.DataFrame({"r_multiple": [2.0, -1.0, 1.0, -1.0], "pnl": [20.0, -10.0, 10.0, -10.0]})
    stats = trade_stats(trades)
    assert stats["trades"] == 4
    assert stats["win_rate"] == 0.5
    assert stats["expectancy_r"] == 0.25
    assert stats["total_r"] == 1.0
    assert stats["profit_factor"] == 1.5
    assert stats["avg_win_r"] == 1.5 and stats["avg_loss_r"] == -1.0


def test_drawdown_value_fraction_and_duration() -> None:
    index = pd.date_range("2024-01-01", periods=6, freq="1D", tz="UTC")
    equity = np.array([100.0, 120.0, 90.0, 96.0, 121.0, 110.0])
    dd = drawdown(equity, index, 100.0)
    assert dd["max_drawdown"] == pytest.approx(0.25)
    assert dd["max_drawdown_value"] == 30.0
    assert dd["max_drawdown_duration_candles"] == 2
    assert dd["max_drawdown_duration_days"] == 3.0  # peak day 1 -> recovered day 4


def _two_trade_run() -> tuple[pd.DataFrame, pd.DataFrame]:
    bars = [FLAT, FLAT, (100, 111, 99, 110), (110, 111, 109, 110), (110, 111, 109, 110),
            (110, 111, 104, 105), (105, 106, 104, 105)]
    candles = make_candles(bars, freq="1D")
    sig = make_signals(candles, [
        {"bar": 0, "direction": "long", "stop_loss": 95.0, "take_profit": 110.0},
        {"bar": 3, "direction": "short", "stop_loss": 115.0, "take_profit": 90.0},
    ])
    return candles, sig


def test_metrics_split_by_direction_and_month_and_beside_buy_and_hold() -> None:
    candles, sig = _two_trade_run()
    metrics = compute_metrics(run_backtest(candles, sig, exact()))
    assert metrics["trades"] == 2
    assert metrics["total_r"] == pytest.approx(2.0 + 1.0)
    assert metrics["per_direction"]["long"]["total_r"] == 2.0
    assert metrics["per_direction"]["short"]["total_r"] == pytest.approx(1.0)
    assert metrics["per_month"][0]["month"] == "2024-01"
    assert metrics["per_month"][0]["pnl"] == pytest.approx(15.0)
    assert metrics["buy_and_hold"]["total_return"] == pytest.approx(0.05)
    assert metrics["exit_reasons"] == {"end": 1, "take_profit": 1}
    assert 0 < metrics["exposure"] <= 1
    assert metrics["final_equity"] == pytest.approx(10_015.0)
    json.dumps(metrics)  # JSON-ready


def test_report_writes_trades_metrics_html_and_charts(tmp_path: Path) -> None:
    candles, sig = _two_trade_run()
    result = run_backtest(candles, sig, exact())
    files = write_report(result, compute_metrics(result), tmp_path / "rep")
    for name in ("trades.csv", "metrics.json", "report.html", "equity.png", "drawdown.png",
                 "trades.png"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    header = files["trades"].read_text().splitlines()[0].split(",")
    assert header[:8] == ["entry_time", "entry_price", "exit_time", "exit_price", "direction",
                          "exit_reason", "r_multiple", "pnl"]
    assert "stop first when stop and target share a candle" in files["html"].read_text()


def test_report_html_states_the_intrabar_policy_it_ran_under(tmp_path: Path) -> None:
    candles, sig = _two_trade_run()
    result = run_backtest(candles, sig, exact().with_intrabar("target_first"))
    files = write_report(result, compute_metrics(result), tmp_path / "rep")
    text = files["html"].read_text()
    assert "target first when stop and target share a candle" in text
    assert "stop first when" not in text


def _breakout_maker(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """Rule-based signal maker: long when a test close beats the training window's max close."""
    level = float(train["close"].max())
    hits = test.loc[test["close"] > level]
    return pd.DataFrame({"direction": "long", "stop_loss": hits["close"] - 2.0,
                         "take_profit": hits["close"] + 4.0}, index=hits.index)


def test_walk_forward_trades_each_test_window_with_signals_from_its_past() -> None:
    rng = np.random.default_rng(7)
    close = 100 + np.cumsum(rng.normal(0, 1, 400))
    bars = [(c, c + 1.5, c - 1.5, c) for c in close]
    candles = make_candles(bars)
    splitter = partial(walk_forward, train=100, test=100, purge=0)
    out = walk_forward_backtest(candles, _breakout_maker, splitter, exact())
    assert len(out.folds) == 3
    assert out.combined.equity.index[0] == candles.index[100]
    # equity carries over: each fold starts where the previous ended
    for before, after in zip(out.folds, out.folds[1:], strict=False):
        assert after.config.initial_equity == pytest.approx(before.equity.iloc[-1])
    assert len(out.combined.trades) == sum(len(f.trades) for f in out.folds)
    assert compute_metrics(out.combined)["trades"] == len(out.combined.trades)


def test_walk_forward_rejects_signals_outside_the_test_window() -> None:
    candles = make_candles([FLAT] * 40)

    def leaky(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
        return make_signals(train, [{"bar": 0, "direction": "long", "stop_loss": 95.0,
                                     "take_profit": 105.0}])

    with pytest.raises(DataValidationError, match="outside its test window"):
        walk_forward_backtest(candles, leaky, partial(walk_forward, train=20, test=10, purge=0))


def test_run_many_in_parallel_matches_one_by_one() -> None:
    candles, sig = _two_trade_run()
    tasks = [BacktestTask(name=f"fee{f}", candles=candles, signals=sig,
                          config=exact().model_copy(update={"costs": exact().costs.model_copy(
                              update={"taker_fee_bps": float(f)})})) for f in (0, 10)]
    parallel = run_many(tasks, n_jobs=2)
    serial = run_many(tasks, n_jobs=1)
    for name in ("fee0", "fee10"):
        pd.testing.assert_frame_equal(parallel[name].trades, serial[name].trades)
    assert parallel["fee10"].trades["pnl"].sum() < parallel["fee0"].trades["pnl"].sum()
