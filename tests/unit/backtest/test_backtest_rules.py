"""Known answers for every simulation rule, on small hand-made candle sequences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from backtest_helpers import exact, make_candles, make_signals

from tradingia.backtest import (
    BacktestConfig,
    CostConfig,
    ExitConfig,
    SizingConfig,
    run_backtest,
)

FLAT = (100.0, 101.0, 99.0, 100.0)
LONG = {"bar": 0, "direction": "long", "stop_loss": 95.0, "take_profit": 110.0}
SHORT = {"bar": 0, "direction": "short", "stop_loss": 105.0, "take_profit": 90.0}


def one_trade(bars: list[tuple[float, float, float, float]], signal: dict[str, object],
              config: BacktestConfig | None = None, **kwargs: object) -> pd.Series:
    candles = make_candles(bars)
    result = run_backtest(candles, make_signals(candles, [signal]), config or exact(), **kwargs)
    assert len(result.trades) == 1
    return result.trades.iloc[0]


# --- entry -----------------------------------------------------------------------------------

def test_entry_is_at_the_next_candles_open_after_the_signal() -> None:
    trade = one_trade([FLAT, (102, 103, 101, 102), FLAT], LONG)
    candles = make_candles([FLAT] * 3)
    assert trade["entry_price"] == 102.0
    assert trade["entry_time"] == candles.index[1]
    assert trade["signal_time"] == candles.index[0]


def test_entry_candles_own_high_and_low_count_after_its_open() -> None:
    trade = one_trade([FLAT, (100, 111, 99, 104), FLAT], LONG)
    assert trade["exit_reason"] == "take_profit"
    assert trade["exit_time"] == make_candles([FLAT] * 3).index[1]
    assert trade["r_multiple"] == 2.0


def test_market_entry_whose_open_gapped_through_the_stop_is_void_and_counted() -> None:
    candles = make_candles([FLAT, (94, 96, 93, 95), FLAT])
    result = run_backtest(candles, make_signals(candles, [LONG]), exact())
    assert result.trades.empty
    assert result.counters["skipped_gapped"] == 1


def test_signal_on_the_last_candle_is_skipped_and_counted() -> None:
    candles = make_candles([FLAT, FLAT])
    result = run_backtest(candles, make_signals(candles, [{**LONG, "bar": 1}]), exact())
    assert result.trades.empty
    assert result.counters["skipped_at_end"] == 1


def test_limit_entry_fills_at_its_price_when_touched() -> None:
    signal = {**LONG, "entry": 98.0, "take_profit": 105.0}
    trade = one_trade([FLAT, FLAT, (99, 100, 97.5, 99), (99, 106, 98.5, 105)], signal)
    assert trade["entry_price"] == 98.0
    assert trade["exit_reason"] == "take_profit"
    assert trade["r_multiple"] == pytest.approx(7.0 / 3.0, abs=1e-12)


def test_limit_entry_gapped_through_fills_at_the_open() -> None:
    signal = {**LONG, "entry": 98.0, "take_profit": 105.0}
    trade = one_trade([FLAT, (97, 106, 96, 104), FLAT], signal)
    assert trade["entry_price"] == 97.0
    assert trade["exit_reason"] == "take_profit"  # filled at the open: the whole candle counts


def test_limit_fill_candle_counts_its_stop_but_not_its_target() -> None:
    signal = {**LONG, "entry": 98.0, "take_profit": 105.0}
    target_first = one_trade([FLAT, (99, 106, 97.5, 100), FLAT], signal)
    assert target_first["exit_reason"] == "end"  # the high may have come before the fill
    stop_after = one_trade([FLAT, (99, 100, 94, 96), FLAT], signal)
    assert stop_after["exit_reason"] == "stop"
    assert stop_after["r_multiple"] == -1.0


def test_limit_entry_expires_after_n_candles() -> None:
    candles = make_candles([FLAT] * 5)
    signal = {**LONG, "entry": 90.0, "stop_loss": 85.0}
    config = exact(exits=ExitConfig(limit_expiry_candles=2))
    result = run_backtest(candles, make_signals(candles, [signal]), config)
    assert result.trades.empty
    assert result.counters["limit_expired"] == 1


# --- stops, targets, gaps, ambiguity -----------------------------------------------------------

def test_zero_costs_give_exact_r_multiples() -> None:
    stop = one_trade([FLAT, (100, 101, 94, 96), FLAT], LONG)
    target = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG)
    assert (stop["r_multiple"], stop["pnl"], stop["exit_price"]) == (-1.0, -5.0, 95.0)
    assert (target["r_multiple"], target["pnl"], target["exit_price"]) == (2.0, 10.0, 110.0)


def test_stop_counts_first_when_stop_and_target_share_a_candle() -> None:
    candles = make_candles([FLAT, (100, 111, 94, 100), FLAT])
    result = run_backtest(candles, make_signals(candles, [LONG]), exact())
    trade = result.trades.iloc[0]
    assert trade["exit_reason"] == "stop"
    assert trade["r_multiple"] == -1.0
    assert bool(trade["ambiguous"]) and not bool(trade["resolved_by_finer"])
    assert result.counters["ambiguous"] == 1
    assert result.counters["resolved_by_finer"] == 0


def test_optimistic_bound_counts_targets_first_in_ambiguous_candles() -> None:
    candles = make_candles([FLAT, (100, 111, 94, 100), FLAT])
    result = run_backtest(candles, make_signals(candles, [LONG]), exact())
    assert result.optimistic is not None
    assert result.optimistic.total_r == 2.0
    assert result.optimistic.total_pnl == 10.0


def test_finer_candles_settle_a_candle_where_stop_and_target_both_trade() -> None:
    coarse = [FLAT, (100, 111, 94, 100), FLAT]
    t1 = make_candles(coarse).index[1]
    target_first = make_candles([(100, 111, 99.5, 109), (109, 109, 94, 96), (96, 101, 95, 100),
                                 (100, 101, 99, 100)], freq="15min", start=str(t1))
    trade = one_trade(coarse, LONG, finer_candles=target_first)
    assert trade["exit_reason"] == "take_profit"
    assert trade["r_multiple"] == 2.0
    assert bool(trade["resolved_by_finer"]) and not bool(trade["ambiguous"])
    stop_first = make_candles([(100, 100.5, 94, 96), (96, 111, 95, 109), (109, 110, 99, 100),
                               (100, 101, 99, 100)], freq="15min", start=str(t1))
    assert one_trade(coarse, LONG, finer_candles=stop_first)["exit_reason"] == "stop"


def test_a_stop_gapped_through_by_the_open_fills_at_that_open() -> None:
    trade = one_trade([FLAT, FLAT, (90, 91, 88, 89)], LONG)
    assert (trade["exit_reason"], trade["exit_price"], trade["r_multiple"]) == ("stop", 90.0, -2.0)


def test_a_target_gapped_through_by_the_open_fills_at_that_open() -> None:
    trade = one_trade([FLAT, FLAT, (112, 113, 111, 112)], LONG)
    assert (trade["exit_reason"], trade["exit_price"]) == ("take_profit", 112.0)
    assert trade["r_multiple"] == pytest.approx(2.4, abs=1e-12)


def test_short_positions_mirror_longs() -> None:
    target = one_trade([FLAT, FLAT, (100, 101, 89, 90)], SHORT)
    assert (target["direction"], target["exit_reason"], target["r_multiple"]) == (
        "short", "take_profit", 2.0)
    stop = one_trade([FLAT, (100, 106, 99, 104), FLAT], SHORT)
    assert (stop["exit_reason"], stop["exit_price"], stop["pnl"]) == ("stop", 105.0, -5.0)
    gap = one_trade([FLAT, FLAT, (108, 109, 107, 108)], SHORT)
    assert (gap["exit_price"], gap["r_multiple"]) == (108.0, -1.6)


def test_trade_still_open_at_the_end_closes_at_the_last_close_with_reason_end() -> None:
    trade = one_trade([FLAT, FLAT, (100, 102, 99, 101.5)], LONG)
    assert (trade["exit_reason"], trade["exit_price"], trade["pnl"]) == ("end", 101.5, 1.5)


# --- one position per symbol ------------------------------------------------------------------

def test_a_signal_while_the_symbol_has_a_position_is_skipped_and_counted() -> None:
    candles = make_candles([FLAT] * 4)
    sigs = make_signals(candles, [LONG, {**LONG, "bar": 1}])
    result = run_backtest(candles, sigs, exact())
    assert len(result.trades) == 1
    assert result.counters["skipped_in_position"] == 1


def test_a_position_closed_inside_the_signals_own_candle_no_longer_blocks_it() -> None:
    candles = make_candles([FLAT, FLAT, (100, 101, 94, 96), (97, 98, 96, 97), FLAT])
    sigs = make_signals(candles, [LONG, {**LONG, "bar": 2, "stop_loss": 90.0}])
    result = run_backtest(candles, sigs, exact())
    assert len(result.trades) == 2
    assert result.counters["skipped_in_position"] == 0
    assert result.trades["entry_time"].iloc[1] == candles.index[3]
    assert result.trades["entry_price"].iloc[1] == 97.0


# --- costs -------------------------------------------------------------------------------------

def test_taker_fee_on_market_fills_and_maker_fee_on_take_profits() -> None:
    config = exact(costs=CostConfig(taker_fee_bps=10, maker_fee_bps=5, slippage_bps=0))
    trade = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG, config)
    assert trade["fees"] == pytest.approx(100 * 0.001 + 110 * 0.0005, abs=1e-12)
    assert trade["pnl"] == pytest.approx(10 - 0.1 - 0.055, abs=1e-12)
    assert trade["r_multiple"] == pytest.approx((10 - 0.155) / 5, abs=1e-12)


def test_slippage_worsens_market_fills_but_not_take_profits() -> None:
    config = exact(costs=CostConfig(taker_fee_bps=0, maker_fee_bps=0, slippage_bps=10))
    stop = one_trade([FLAT, (100, 101, 94, 96), FLAT], LONG, config)
    assert stop["entry_price"] == pytest.approx(100.1, abs=1e-12)
    assert stop["exit_price"] == pytest.approx(95 - 0.095, abs=1e-12)
    assert stop["r_multiple"] == pytest.approx((94.905 - 100.1) / 5.1, abs=1e-12)
    target = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG, config)
    assert target["exit_price"] == 110.0


def test_each_fill_pays_half_the_spread() -> None:
    config = exact(costs=CostConfig(taker_fee_bps=0, maker_fee_bps=0, slippage_bps=0, spread=0.2))
    trade = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG, config)
    assert trade["entry_price"] == pytest.approx(100.1, abs=1e-12)
    assert trade["exit_price"] == pytest.approx(109.9, abs=1e-12)
    assert trade["pnl"] == pytest.approx(9.8, abs=1e-12)


def test_spread_by_hour_applies_each_candles_session_spread() -> None:
    hours = tuple(0.2 if h == 1 else 0.0 for h in range(24))
    config = exact(costs=CostConfig(taker_fee_bps=0, maker_fee_bps=0, slippage_bps=0,
                                    spread_by_hour=hours))
    trade = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG, config)  # entry 01:00, exit 02:00
    assert trade["entry_price"] == pytest.approx(100.1, abs=1e-12)
    assert trade["exit_price"] == 110.0


def test_swap_accrues_at_each_close_the_position_is_held() -> None:
    config = exact(costs=CostConfig(taker_fee_bps=0, maker_fee_bps=0, slippage_bps=0,
                                    swap_long_bps_per_day=240))  # 10 bps per 1h candle
    trade = one_trade([FLAT, FLAT, FLAT, (100, 111, 99, 110)], LONG, config)
    assert trade["swap"] == pytest.approx(2 * 100 * 0.001, abs=1e-12)
    assert trade["pnl"] == pytest.approx(10 - 0.2, abs=1e-12)


# --- sizing ------------------------------------------------------------------------------------

def test_risk_sizing_loses_the_risk_fraction_of_equity_at_the_stop() -> None:
    candles = make_candles([FLAT, (100, 101, 94, 96), (96, 97, 95, 96), (96, 97, 86, 90), FLAT])
    sigs = make_signals(candles, [LONG, {**LONG, "bar": 2, "stop_loss": 91.0,
                                         "take_profit": 120.0}])
    config = BacktestConfig(costs=CostConfig.zero(), sizing=SizingConfig(risk_fraction=0.01))
    result = run_backtest(candles, sigs, config)
    assert result.trades["size"].tolist() == [20.0, pytest.approx(9900 * 0.01 / 5)]
    assert result.trades["pnl"].tolist() == [-100.0, pytest.approx(-99.0, abs=1e-9)]
    assert result.equity.iloc[-1] == pytest.approx(10_000 - 199.0, abs=1e-9)


def test_signal_sizing_uses_each_signals_size() -> None:
    config = exact(sizing=SizingConfig(mode="signal"))
    trade = one_trade([FLAT, FLAT, (100, 111, 99, 110)], {**LONG, "size": 3.0}, config)
    assert (trade["size"], trade["pnl"]) == (3.0, 30.0)


def test_fixed_sizing_trades_the_same_size_every_time() -> None:
    config = exact(sizing=SizingConfig(mode="fixed", fixed_size=7.0))
    trade = one_trade([FLAT, FLAT, (100, 111, 99, 110)], LONG, config)
    assert (trade["size"], trade["pnl"], trade["r_multiple"]) == (7.0, 70.0, 2.0)


# --- optional exits ----------------------------------------------------------------------------

def test_time_exit_closes_at_the_close_of_the_nth_candle_held() -> None:
    config = exact(exits=ExitConfig(time_exit_candles=2))
    trade = one_trade([FLAT, FLAT, (100, 102, 99, 101), FLAT, FLAT], LONG, config)
    assert (trade["exit_reason"], trade["exit_price"], trade["candles_held"]) == ("time", 101.0, 2)


def test_break_even_moves_the_stop_to_entry_from_the_next_candle() -> None:
    config = exact(exits=ExitConfig(break_even_at_r=1.0))
    signal = {**LONG, "take_profit": 120.0}
    trade = one_trade([FLAT, (100, 106, 99.5, 104), (104, 105, 99, 100), FLAT], signal, config)
    assert (trade["exit_reason"], trade["exit_price"], trade["pnl"]) == ("break_even", 100.0, 0.0)
    assert trade["exit_time"] == make_candles([FLAT] * 4).index[2]


def test_trailing_stop_follows_the_best_price_by_n_r() -> None:
    config = exact(exits=ExitConfig(trailing_stop_r=2.0))
    signal = {**LONG, "take_profit": np.nan}
    bars = [FLAT, (100, 110, 99, 109), (109, 115, 108, 114), (114, 114.5, 104, 104.5)]
    trade = one_trade(bars, signal, config)
    assert (trade["exit_reason"], trade["exit_price"], trade["pnl"]) == ("trailing_stop", 105.0,
                                                                          5.0)


def test_partial_take_profits_close_a_share_at_each_target() -> None:
    config = exact(sizing=SizingConfig(mode="fixed", fixed_size=2.0))
    signal = {**LONG, "take_profit": 105.0, "take_profit_2": 110.0}
    both = one_trade([FLAT, (100, 106, 99, 105), (105, 111, 104, 110), FLAT], signal, config)
    assert (both["pnl"], both["r_multiple"], both["targets_hit"]) == (15.0, 1.5, 2)
    assert both["exit_price"] == 107.5
    first_then_stop = one_trade([FLAT, (100, 106, 99, 105), (104, 105, 94, 95), FLAT], signal,
                                config)
    assert (first_then_stop["pnl"], first_then_stop["exit_reason"]) == (0.0, "stop")


def test_partial_take_profit_fractions_from_the_config() -> None:
    config = exact(sizing=SizingConfig(mode="fixed", fixed_size=4.0),
                   exits=ExitConfig(take_profit_fractions=(0.75, 0.25)))
    signal = {**LONG, "take_profit": 105.0, "take_profit_2": 110.0}
    trade = one_trade([FLAT, (100, 106, 99, 105), (104, 105, 94, 95)], signal, config)
    assert trade["pnl"] == 3 * 5.0 - 1 * 5.0


def test_equity_is_marked_to_market_at_each_close() -> None:
    candles = make_candles([FLAT, (100, 103, 99, 102), (102, 104, 101, 103)])
    result = run_backtest(candles, make_signals(candles, [LONG]), exact())
    assert result.equity.tolist() == [10_000.0, 10_002.0, 10_003.0]
    assert math.isclose(result.trades["pnl"].iloc[0], 3.0)
