"""The pandas layer: candles + signals -> arrays -> kernel -> trades and equity frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradingia.backtest import kernel as k
from tradingia.backtest.config import BacktestConfig
from tradingia.backtest.signals_io import (
    normalize_signals,
    target_columns,
    validate_against_candles,
)
from tradingia.core.errors import DataValidationError

TRADE_COLUMNS: tuple[str, ...] = (
    "entry_time", "entry_price", "exit_time", "exit_price", "direction", "exit_reason",
    "r_multiple", "pnl",
)
_EXTRA_TRADE_COLUMNS: tuple[str, ...] = (
    "signal_time", "size", "stop_loss", "risk", "fees", "swap", "targets_hit", "candles_held",
    "ambiguous", "resolved_by_finer",
)


@dataclass(frozen=True, slots=True)
class OptimisticBound:
    """The same run with targets counted first in every ambiguous candle (an upper bound)."""

    total_r: float
    total_pnl: float
    final_equity: float


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Trades (one row per position), equity marked at each candle close, and counters."""

    trades: pd.DataFrame
    equity: pd.Series
    candles: pd.DataFrame
    counters: dict[str, int]
    config: BacktestConfig
    optimistic: OptimisticBound | None = None
    meta: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Arrays:
    bars: tuple[np.ndarray, ...]
    sigs: tuple[np.ndarray, ...]
    fine: tuple[np.ndarray, ...]
    fparams: np.ndarray
    iparams: np.ndarray


def run_backtest(
    candles: pd.DataFrame,
    signals: pd.DataFrame,
    config: BacktestConfig | None = None,
    *,
    finer_candles: pd.DataFrame | None = None,
) -> BacktestResult:
    """Backtest `signals` on `candles` (DESIGN.md's candle contract) under `config`.

    `finer_candles` (e.g. 1m under 5m) settle candles where the stop and a target both trade.
    """
    cfg = config or BacktestConfig()
    sig = normalize_signals(signals)
    if cfg.sizing.mode == "signal" and ("size" not in sig.columns or sig["size"].isna().any()):
        raise DataValidationError("Sizing mode 'signal' needs a `size` on every signal.")
    positions = validate_against_candles(sig, candles)
    arrays = _to_arrays(candles, sig, positions, cfg, finer_candles)
    tr, _, equity, counters = k.simulate(arrays.bars, arrays.sigs, arrays.fine,
                                         arrays.fparams, arrays.iparams)
    optimistic = None
    if cfg.optimistic_bound and cfg.intrabar == "stop_first" and counters[k.C_AMBIGUOUS] > 0:
        ip = arrays.iparams.copy()
        ip[k.I_TARGET_FIRST] = 1
        tr_o, _, eq_o, _ = k.simulate(arrays.bars, arrays.sigs, arrays.fine, arrays.fparams, ip)
        optimistic = OptimisticBound(
            total_r=float(np.sum(tr_o[:, k.T_PNL] / tr_o[:, k.T_RISK])),
            total_pnl=float(tr_o[:, k.T_PNL].sum()),
            final_equity=float(eq_o[-1]),
        )
    index = pd.DatetimeIndex(candles.index)
    return BacktestResult(
        trades=trades_frame(tr, index, pd.DatetimeIndex(sig.index)),
        equity=pd.Series(equity, index=index, name="equity"),
        candles=candles,
        counters={name: int(v) for name, v in zip(k.COUNTER_NAMES, counters, strict=True)},
        config=cfg,
        optimistic=optimistic,
        meta={"signals": len(sig), "candles": len(candles)},
    )


def trades_frame(tr: np.ndarray, index: pd.DatetimeIndex,
                 signal_index: pd.DatetimeIndex) -> pd.DataFrame:
    """Kernel trade records -> the trades frame (`TRADE_COLUMNS` first)."""
    entry_bar = tr[:, k.T_ENTRY_BAR].astype("int64")
    exit_bar = tr[:, k.T_EXIT_BAR].astype("int64")
    qty = tr[:, k.T_EXIT_QTY]
    exit_price = np.divide(tr[:, k.T_EXIT_VALUE], qty, out=np.full(len(tr), np.nan),
                           where=qty > 0)
    reasons = np.asarray(k.REASONS, dtype=object)[tr[:, k.T_REASON].astype("int64")]
    frame = pd.DataFrame({
        "entry_time": index[entry_bar],
        "entry_price": tr[:, k.T_ENTRY_PRICE],
        "exit_time": index[exit_bar],
        "exit_price": exit_price,
        "direction": np.where(tr[:, k.T_DIR] > 0, "long", "short"),
        "exit_reason": reasons.astype(str),
        "r_multiple": tr[:, k.T_PNL] / tr[:, k.T_RISK],
        "pnl": tr[:, k.T_PNL],
        "signal_time": signal_index[tr[:, k.T_SIG].astype("int64")],
        "size": tr[:, k.T_QTY],
        "stop_loss": tr[:, k.T_STOP],
        "risk": tr[:, k.T_RISK],
        "fees": tr[:, k.T_FEES],
        "swap": tr[:, k.T_SWAP],
        "targets_hit": tr[:, k.T_TARGETS_HIT].astype("int64"),
        "candles_held": exit_bar - entry_bar + 1,
        "ambiguous": tr[:, k.T_AMBIG] > 0,
        "resolved_by_finer": tr[:, k.T_FINE] > 0,
    })
    return frame.loc[:, list(TRADE_COLUMNS + _EXTRA_TRADE_COLUMNS)]


def _to_arrays(candles: pd.DataFrame, sig: pd.DataFrame, positions: np.ndarray,
               cfg: BacktestConfig, finer: pd.DataFrame | None) -> _Arrays:
    index = pd.DatetimeIndex(candles.index)
    col = {c: np.ascontiguousarray(candles[c].to_numpy(dtype="float64"))
           for c in ("open", "high", "low", "close")}
    step = candle_step(index)
    bars = (col["open"], col["high"], col["low"], col["close"], _spreads(index, cfg))
    return _Arrays(
        bars=bars,
        sigs=_signal_arrays(sig, positions, cfg),
        fine=_fine_arrays(index, step, finer),
        fparams=_float_params(cfg, step),
        iparams=_int_params(cfg),
    )


def candle_step(index: pd.DatetimeIndex,
                default: pd.Timedelta = pd.Timedelta(minutes=1)) -> pd.Timedelta:
    """The smallest gap between consecutive candles of `index`; `default` under two candles."""
    if len(index) < 2:
        return default
    return pd.Timedelta(int(np.diff(index.asi8).min()), unit=index.unit)


def _spreads(index: pd.DatetimeIndex, cfg: BacktestConfig) -> np.ndarray:
    by_hour = cfg.costs.spread_by_hour
    if by_hour is None:
        return np.full(len(index), cfg.costs.spread)
    hours: np.ndarray = np.asarray(by_hour, dtype="float64")[index.hour.to_numpy()]
    return hours


def _signal_arrays(sig: pd.DataFrame, positions: np.ndarray,
                   cfg: BacktestConfig) -> tuple[np.ndarray, ...]:
    n = len(sig)
    tps = sig.loc[:, target_columns(sig)].to_numpy(dtype="float64") if n else np.empty((0, 1))
    if tps.shape[1] == 0:
        tps = np.full((n, 1), np.nan)
    fracs = _target_fractions(tps, cfg)

    def column(name: str) -> np.ndarray:
        if name not in sig.columns:
            return np.full(n, np.nan)
        return np.ascontiguousarray(sig[name].to_numpy(dtype="float64"))

    return (
        np.ascontiguousarray(positions, dtype="int64"),
        column("direction"),
        column("stop_loss"),
        np.ascontiguousarray(tps),
        fracs,
        column("size"),
        column("entry"),
    )


def _target_fractions(tps: np.ndarray, cfg: BacktestConfig) -> np.ndarray:
    """Share of the first position size closed at each target (equal split by default)."""
    present = ~np.isnan(tps)
    count = present.sum(axis=1, keepdims=True)
    wanted = cfg.exits.take_profit_fractions
    if wanted is None:
        return np.where(present, 1.0 / np.maximum(count, 1), 0.0)
    fixed = np.zeros(tps.shape[1])
    fixed[: min(len(wanted), tps.shape[1])] = wanted[: tps.shape[1]]
    out: np.ndarray = np.ascontiguousarray(np.where(present, fixed, 0.0))
    return out


def _fine_arrays(index: pd.DatetimeIndex, step: pd.Timedelta,
                 finer: pd.DataFrame | None) -> tuple[np.ndarray, ...]:
    if finer is None or len(finer) == 0:
        empty = np.empty(0)
        none = np.empty(0, dtype="int64")
        return empty, empty, empty, none, none
    fine_index = pd.DatetimeIndex(finer.index)
    start = fine_index.searchsorted(index, side="left").astype("int64")
    end = fine_index.searchsorted(index + step, side="left").astype("int64")
    return (
        np.ascontiguousarray(finer["open"].to_numpy(dtype="float64")),
        np.ascontiguousarray(finer["high"].to_numpy(dtype="float64")),
        np.ascontiguousarray(finer["low"].to_numpy(dtype="float64")),
        start,
        end,
    )


def _float_params(cfg: BacktestConfig, step: pd.Timedelta) -> np.ndarray:
    fp = np.zeros(k.N_FPARAMS)
    costs, exits = cfg.costs, cfg.exits
    days = step / pd.Timedelta(days=1)
    fp[k.P_EQUITY] = cfg.initial_equity
    fp[k.P_TAKER] = costs.taker_fee_bps / 1e4
    fp[k.P_MAKER] = costs.maker_fee_bps / 1e4
    fp[k.P_SLIP] = costs.slippage_bps / 1e4
    fp[k.P_RISK] = cfg.sizing.risk_fraction
    fp[k.P_FIXED] = cfg.sizing.fixed_size
    fp[k.P_BE_R] = np.nan if exits.break_even_at_r is None else exits.break_even_at_r
    fp[k.P_TRAIL_R] = np.nan if exits.trailing_stop_r is None else exits.trailing_stop_r
    fp[k.P_SWAP_LONG] = costs.swap_long_bps_per_day / 1e4 * days
    fp[k.P_SWAP_SHORT] = costs.swap_short_bps_per_day / 1e4 * days
    return fp


def _int_params(cfg: BacktestConfig) -> np.ndarray:
    ip = np.zeros(k.N_IPARAMS, dtype="int64")
    ip[k.I_SIZING] = {"risk": k.SIZING_RISK, "fixed": k.SIZING_FIXED,
                      "signal": k.SIZING_SIGNAL}[cfg.sizing.mode]
    ip[k.I_TIME_EXIT] = cfg.exits.time_exit_candles or 0
    ip[k.I_TARGET_FIRST] = 1 if cfg.intrabar == "target_first" else 0
    ip[k.I_LIMIT_EXPIRY] = cfg.exits.limit_expiry_candles or 0
    return ip
