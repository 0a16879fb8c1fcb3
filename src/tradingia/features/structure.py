"""Market structure (ICT / smart money) features, causal by construction.

Every event is dated at the candle that makes it KNOWN, never at the candle it refers to:

- swing high at candle c: the highest high of c-L..c+L (earliest on ties), known at c + L
  (L = `swing_length`); swing lows mirrored;
- break of structure (BOS) / change of character (CHoCH): a close beyond the latest
  confirmed, not yet broken swing level, known at that close; BOS when the structure trend
  was with the break (or unknown), CHoCH when it was against it; the trend then takes the
  break's side;
- order block: at a break up, the last down candle at or before the lowest low between the
  broken swing and the break (bearish mirrored); known at the break candle; mitigated when
  price first trades back into it, dead when a close goes through its far side;
- fair value gap: bullish at t when low[t] > high[t-2] (zone high[t-2]..low[t]), known at t;
  filled (closed) when a low reaches its bottom; bearish mirrored;
- liquidity sweep: a wick beyond the latest confirmed, unbroken swing level whose close stays
  inside (each level swept at most once);
- premium / discount: the close's position in the dealing range between the latest
  confirmed swing low and swing high, clipped to 0..1.

Order blocks and gaps older than `ZONE_MAX_AGE` candles expire quietly, so features
computed on a short live history equal those of a long one after `SETTLE_ROWS` rows.

Features are scale-free floats: 0/1 flags, signed codes, counts, bars-since (capped at
`BARS_CAP`) and distances in ATR(14) units (capped at `DIST_CAP`; "none" reads as the cap).
All columns are NaN in the first `WARMUP_ROWS` rows (ATR warm-up) and finite after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import talib

from tradingia.core import UnsupportedError
from tradingia.features._memory import Memory, ema_settle
from tradingia.features._prices import check_candles
from tradingia.features.structure_kernels import (
    SIDE_FIELDS,
    ZONE_FIELDS,
    ZONE_MAX_AGE,
    structure_kernel,
    swing_kernel,
    zone_kernel,
)

ATR_PERIOD = 14
WARMUP_ROWS = ATR_PERIOD
DIST_CAP = 10.0
BARS_CAP = 500.0
RANGE_WIDTH_CAP = 50.0
EQUAL_TOLERANCE_ATR = 0.1

POI_NONE, POI_ORDER_BLOCK, POI_FVG, POI_SWING = 0.0, 1.0, 2.0, 3.0

COLUMNS_DOC: dict[str, str] = {
    "swing_high_confirmed": "1 at the candle confirming a swing high (swing_length after it)",
    "swing_low_confirmed": "1 at the candle confirming a swing low",
    "swing_high_class": "latest swing high vs the one before: +1 higher high, -1 lower high",
    "swing_low_class": "latest swing low vs the one before: +1 higher low, -1 lower low",
    "equal_highs": "1 when the two latest swing highs are within 0.1 ATR (liquidity pool)",
    "equal_lows": "1 when the two latest swing lows are within 0.1 ATR",
    "swing_high_dist": "(latest swing high - close) / ATR, clipped to +-10; 10 if none",
    "swing_low_dist": "(close - latest swing low) / ATR, clipped to +-10; 10 if none",
    "bars_since_swing_high": "candles since the latest confirmed swing high candle (cap 500)",
    "bars_since_swing_low": "candles since the latest confirmed swing low candle (cap 500)",
    "structure_trend": "+1 after a break up, -1 after a break down, 0 before any break",
    "bos_up": "1 at a close breaking the swing high with the trend (break of structure)",
    "bos_down": "1 at a close breaking the swing low with the trend",
    "choch_up": "1 at a close breaking the swing high against a down trend",
    "choch_down": "1 at a close breaking the swing low against an up trend",
    "bars_since_bos": "candles since the latest BOS either way (cap 500)",
    "bars_since_choch": "candles since the latest CHoCH either way (cap 500)",
    "ob_bull_in": "1 when the close is inside a live bullish order block",
    "ob_bear_in": "1 when the close is inside a live bearish order block",
    "ob_bull_dist": "ATR distance down to the nearest unmitigated bullish OB (cap 10)",
    "ob_bear_dist": "ATR distance up to the nearest unmitigated bearish OB (cap 10)",
    "ob_bull_mitigated": "1 when a bullish OB is first traded back into",
    "ob_bear_mitigated": "1 when a bearish OB is first traded back into",
    "ob_bull_count": "unmitigated bullish order blocks",
    "ob_bear_count": "unmitigated bearish order blocks",
    "fvg_bull": "1 when low[t] > high[t-2] (bullish fair value gap formed at t)",
    "fvg_bear": "1 when high[t] < low[t-2] (bearish fair value gap formed at t)",
    "fvg_bull_filled": "1 when a low fills an open bullish FVG to its bottom",
    "fvg_bear_filled": "1 when a high fills an open bearish FVG to its top",
    "fvg_bull_open": "open (unfilled) bullish FVGs",
    "fvg_bear_open": "open (unfilled) bearish FVGs",
    "fvg_bull_dist": "ATR distance to the nearest open bullish FVG, 0 inside (cap 10)",
    "fvg_bear_dist": "ATR distance to the nearest open bearish FVG, 0 inside (cap 10)",
    "sweep_high": "1 when a wick passes the latest swing high and the close stays below",
    "sweep_low": "1 when a wick passes the latest swing low and the close stays above",
    "bars_since_sweep": "candles since the latest sweep either way (cap 500)",
    "premium_discount": "close within latest swing low..high, 0 discount .. 1 premium",
    "range_width_atr": "dealing range (swing low..high) width in ATR (cap 50), 0 if none",
    "poi_dist": "ATR distance to the nearest point of interest (OB, FVG, swing level)",
    "poi_type": "nearest POI: 0 none, 1 order block, 2 fair value gap, 3 swing level",
    "poi_side": "+1 nearest POI above the close, -1 below, 0 inside it or none",
}
STRUCTURE_COLUMNS: tuple[str, ...] = tuple(COLUMNS_DOC)

# Path-dependent state (trend, live zones) forgets the series start once both runs have
# seen the same swings and breaks and every zone from before has expired (ZONE_MAX_AGE);
# the ATR forgets its seed geometrically. Measured: <= 520 rows on BTC/ETH 5m, XAUUSD 15m
# and EURUSD 1h from 13 start offsets each (tests/integration/test_structure_shared_data.py).
SETTLE_ROWS = 2 * ZONE_MAX_AGE
COLUMNS: dict[str, Memory] = {
    name: Memory(
        WARMUP_ROWS,
        max(SETTLE_ROWS, ema_settle(ATR_PERIOD, wilder=True, lookback=ATR_PERIOD)),
    )
    for name in STRUCTURE_COLUMNS
}

_S = {name: i for i, name in enumerate(SIDE_FIELDS)}
_Z = {name: i for i, name in enumerate(ZONE_FIELDS)}


@dataclass(frozen=True)
class _Arrays:
    """Candle arrays plus the raw kernel outputs shared by features and event frames."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    atr: np.ndarray
    sides: np.ndarray  # (2, len(SIDE_FIELDS), n), side 1 oriented (negated levels)
    trend: np.ndarray
    fvg: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]  # oriented
    ob: tuple[np.ndarray, np.ndarray]  # zone kernel outputs, bullish then bearish
    gaps: tuple[np.ndarray, np.ndarray]


def _check_length(swing_length: int) -> None:
    if not isinstance(swing_length, int | np.integer) or swing_length < 1:
        raise UnsupportedError(f"swing_length must be a positive integer, got {swing_length!r}.")


def _fvg_zones(high: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bullish-oriented gaps: (top, bottom) = (low[t], high[t-2]) where low[t] > high[t-2]."""
    top = np.full(high.shape, np.nan)
    bottom = np.full(high.shape, np.nan)
    if len(high) > 2:
        gap = low[2:] > high[:-2]
        top[2:] = np.where(gap, low[2:], np.nan)
        bottom[2:] = np.where(gap, high[:-2], np.nan)
    return top, bottom


def _ob_zones(sides: np.ndarray, high: np.ndarray, low: np.ndarray, side: int) -> tuple[
    np.ndarray, np.ndarray
]:
    """Oriented (top, bottom) of the order block formed at each row, NaN elsewhere."""
    k = sides[side, _S["ob"]].astype(np.int64)
    formed = k >= 0
    kk = np.where(formed, k, 0)
    top = np.where(formed, high[kk], np.nan)
    bottom = np.where(formed, low[kk], np.nan)
    return top, bottom


def _compute(candles: pd.DataFrame, swing_length: int) -> _Arrays:
    check_candles(candles)
    _check_length(swing_length)

    def col(name: str) -> np.ndarray:
        return np.ascontiguousarray(candles[name].to_numpy(dtype="float64"))

    o, h, lo, c = col("open"), col("high"), col("low"), col("close")
    atr = talib.ATR(h, lo, c, timeperiod=ATR_PERIOD) if len(c) else np.zeros(0)
    sides, trend = structure_kernel(o, h, lo, c, atr, int(swing_length), EQUAL_TOLERANCE_ATR)
    fvg_bull = _fvg_zones(h, lo)
    fvg_bear = _fvg_zones(-lo, -h)
    ob_bull = _ob_zones(sides, h, lo, 0)
    ob_bear = _ob_zones(sides, -lo, -h, 1)
    return _Arrays(
        o, h, lo, c, atr, sides, trend,
        fvg=(fvg_bull, fvg_bear),
        ob=(zone_kernel(*ob_bull, lo, c, True), zone_kernel(*ob_bear, -h, -c, True)),
        gaps=(zone_kernel(*fvg_bull, lo, c, False), zone_kernel(*fvg_bear, -h, -c, False)),
    )


# --- features -----------------------------------------------------------------------------


def _in_atr(distance: np.ndarray, atr: np.ndarray, cap: float = DIST_CAP) -> np.ndarray:
    """distance / atr clipped to +-cap; missing distance (no such level) reads as cap."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(atr > 0, distance / atr, np.where(distance == 0, 0.0, np.inf))
    out = np.where(np.isnan(distance), cap, out)
    return np.clip(out, -cap, cap)


def _bars_since(events: np.ndarray) -> np.ndarray:
    """Candles since the latest row where `events` is set (0 on it), BARS_CAP before any."""
    n = len(events)
    rows = np.arange(n, dtype="float64")
    last = np.maximum.accumulate(np.where(events > 0, rows, -np.inf)) if n else rows
    return np.asarray(np.minimum(rows - last, BARS_CAP), dtype="float64")


def _since_index(index: np.ndarray) -> np.ndarray:
    rows = np.arange(len(index), dtype="float64")
    return np.asarray(np.where(index >= 0, np.minimum(rows - index, BARS_CAP), BARS_CAP))


def _swing_columns(a: _Arrays) -> dict[str, np.ndarray]:
    s = a.sides
    high_level, low_level = s[0, _S["level"]], -s[1, _S["level"]]
    return {
        "swing_high_confirmed": s[0, _S["confirmed"]],
        "swing_low_confirmed": s[1, _S["confirmed"]],
        "swing_high_class": s[0, _S["cls"]],
        # side 1 is negated: "higher" there is a lower low
        "swing_low_class": -s[1, _S["cls"]],
        "equal_highs": s[0, _S["equal"]],
        "equal_lows": s[1, _S["equal"]],
        "swing_high_dist": _in_atr(high_level - a.close, a.atr),
        "swing_low_dist": _in_atr(a.close - low_level, a.atr),
        "bars_since_swing_high": _since_index(s[0, _S["index"]]),
        "bars_since_swing_low": _since_index(s[1, _S["index"]]),
    }


def _break_columns(a: _Arrays) -> dict[str, np.ndarray]:
    s = a.sides
    bos = s[0, _S["bos"]] + s[1, _S["bos"]]
    choch = s[0, _S["choch"]] + s[1, _S["choch"]]
    return {
        "structure_trend": a.trend,
        "bos_up": s[0, _S["bos"]],
        "bos_down": s[1, _S["bos"]],
        "choch_up": s[0, _S["choch"]],
        "choch_down": s[1, _S["choch"]],
        "bars_since_bos": _bars_since(bos),
        "bars_since_choch": _bars_since(choch),
    }


def _zone_columns(a: _Arrays) -> dict[str, np.ndarray]:
    (ob_bull, ob_bear), (gap_bull, gap_bear) = a.ob, a.gaps
    out: dict[str, np.ndarray] = {}
    for side, ob in (("bull", ob_bull), ("bear", ob_bear)):
        out[f"ob_{side}_in"] = ob[_Z["inside"]]
        out[f"ob_{side}_dist"] = _in_atr(ob[_Z["dist_fresh"]], a.atr)
        out[f"ob_{side}_mitigated"] = ob[_Z["touched"]]
        out[f"ob_{side}_count"] = ob[_Z["fresh"]]
    out["fvg_bull"] = (~np.isnan(a.fvg[0][0])).astype("float64")
    out["fvg_bear"] = (~np.isnan(a.fvg[1][0])).astype("float64")
    for side, gap in (("bull", gap_bull), ("bear", gap_bear)):
        out[f"fvg_{side}_filled"] = gap[_Z["killed"]]
    for side, gap in (("bull", gap_bull), ("bear", gap_bear)):
        out[f"fvg_{side}_open"] = gap[_Z["alive"]]
    for side, gap in (("bull", gap_bull), ("bear", gap_bear)):
        out[f"fvg_{side}_dist"] = _in_atr(gap[_Z["dist_alive"]], a.atr)
    return out


def _range_columns(a: _Arrays) -> dict[str, np.ndarray]:
    s = a.sides
    sweep_high, sweep_low = s[0, _S["sweep"]], s[1, _S["sweep"]]
    high_level, low_level = s[0, _S["level"]], -s[1, _S["level"]]
    top, bottom = np.fmax(high_level, low_level), np.fmin(high_level, low_level)
    width = top - bottom
    known = ~np.isnan(width) & (width > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        position = np.where(known, (a.close - bottom) / width, 0.5)
        width_atr = np.where(known & (a.atr > 0), width / a.atr, np.where(known, np.inf, 0.0))
    return {
        "sweep_high": sweep_high,
        "sweep_low": sweep_low,
        "bars_since_sweep": _bars_since(sweep_high + sweep_low),
        "premium_discount": np.clip(position, 0.0, 1.0),
        "range_width_atr": np.clip(width_atr, 0.0, RANGE_WIDTH_CAP),
    }


def _poi_columns(a: _Arrays) -> dict[str, np.ndarray]:
    """Nearest point of interest among unmitigated OBs, open FVGs and the two swing levels."""
    s = a.sides
    (ob_bull, ob_bear), (gap_bull, gap_bear) = a.ob, a.gaps
    high_level, low_level = s[0, _S["level"]], -s[1, _S["level"]]
    # signed price distances: > 0 above the close, < 0 below, 0 inside; first wins ties
    candidates = (
        (POI_ORDER_BLOCK, -ob_bull[_Z["dist_fresh"]]),
        (POI_ORDER_BLOCK, ob_bear[_Z["dist_fresh"]]),
        (POI_FVG, -gap_bull[_Z["dist_alive"]]),
        (POI_FVG, gap_bear[_Z["dist_alive"]]),
        (POI_SWING, high_level - a.close),
        (POI_SWING, low_level - a.close),
    )
    nearest = np.full(len(a.close), np.nan)
    best = np.full(len(a.close), np.inf)
    kind = np.full(len(a.close), POI_NONE)
    for code, signed in candidates:
        closer = np.abs(signed) < best  # False where NaN: no such POI
        np.copyto(best, np.abs(signed), where=closer)
        np.copyto(nearest, signed, where=closer)
        kind[closer] = code
    found = ~np.isnan(nearest)
    return {
        "poi_dist": _in_atr(np.abs(nearest), a.atr),
        "poi_type": kind,
        "poi_side": np.where(found, np.sign(nearest), 0.0),
    }


def structure_features(candles: pd.DataFrame, *, swing_length: int = 5) -> pd.DataFrame:
    """Market-structure features of `candles` (columns `STRUCTURE_COLUMNS`, float64).

    Row t depends on candles 0..t only; a swing is used from the candle confirming it
    (`swing_length` candles after it). NaN only in the first `WARMUP_ROWS` rows. Candles are
    taken in row order: a gap in the timestamps is not filled (fill explicitly first).
    """
    a = _compute(candles, swing_length)
    data = {
        **_swing_columns(a),
        **_break_columns(a),
        **_zone_columns(a),
        **_range_columns(a),
        **_poi_columns(a),
    }
    return float_frame(data, STRUCTURE_COLUMNS, candles.index, warmup=WARMUP_ROWS)


def float_frame(
    data: dict[str, np.ndarray], columns: tuple[str, ...], index: pd.Index, *, warmup: int
) -> pd.DataFrame:
    """One float64 block (no per-column copies), NaN in the first `warmup` rows."""
    block = np.empty((len(index), len(columns)), dtype="float64", order="F")
    for j, name in enumerate(columns):
        block[:, j] = data[name]
    block[:warmup] = np.nan
    return pd.DataFrame(block, index=index, columns=list(columns), copy=False)


# --- event frames (inspection, charts, cross-checks) -------------------------------------


def swing_points(candles: pd.DataFrame, *, swing_length: int = 5) -> pd.DataFrame:
    """One row per confirmed swing, in confirmation order: `kind` ("high" / "low"),
    `swing_at` (the swing candle), `confirmed_at` (swing_length candles later, when it
    becomes known), `level`, `cls` (+1 higher / -1 lower than the previous swing of its kind).
    """
    check_candles(candles)
    _check_length(swing_length)
    h = np.ascontiguousarray(candles["high"].to_numpy(dtype="float64"))
    lo = np.ascontiguousarray(candles["low"].to_numpy(dtype="float64"))
    index = pd.DatetimeIndex(candles.index)
    parts = []
    for kind, (level, at) in (
        ("high", swing_kernel(h, swing_length)),
        ("low", swing_kernel(-lo, swing_length)),
    ):
        rows = np.flatnonzero(at >= 0)
        sign = 1.0 if kind == "high" else -1.0
        cls = _class_at(h, lo, at[rows], kind)
        parts.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "swing_at": index[at[rows]],
                    "confirmed_at": index[rows],
                    "level": sign * level[rows],
                    "cls": cls,
                    "_row": rows,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values(["_row", "kind"], kind="stable")
    return frame.drop(columns="_row").reset_index(drop=True)


def _class_at(high: np.ndarray, low: np.ndarray, at: np.ndarray, kind: str) -> np.ndarray:
    levels = high[at] if kind == "high" else low[at]
    cls = np.zeros(len(levels))
    if len(levels) > 1:
        cls[1:] = np.sign(np.diff(levels))
    return cls


def structure_events(candles: pd.DataFrame, *, swing_length: int = 5) -> pd.DataFrame:
    """One row per BOS, CHoCH or liquidity sweep: `at` (the candle whose close makes it
    known), `event` ("bos" / "choch" / "sweep"), `direction` (+1 up / -1 down), `level`
    (the swing level broken or swept) and `swing_at` (that swing's candle)."""
    a = _compute(candles, swing_length)
    index = pd.DatetimeIndex(candles.index)
    rows = []
    for side, sign in ((0, 1.0), (1, -1.0)):
        fields = a.sides[side]
        for event in ("bos", "choch", "sweep"):
            hits = np.flatnonzero(fields[_S[event]] > 0)
            # a sweep of the highs is a bearish signal: direction is where price went next
            direction = sign if event != "sweep" else -sign
            swing = fields[_S["index"], hits].astype(np.int64)
            rows.append(
                pd.DataFrame(
                    {
                        "at": index[hits],
                        "event": event,
                        "direction": direction,
                        "level": sign * fields[_S["level"], hits],
                        "swing_at": index[swing],
                        "_row": hits,
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True).sort_values("_row", kind="stable")
    return frame.drop(columns="_row").reset_index(drop=True)


def order_blocks(candles: pd.DataFrame, *, swing_length: int = 5) -> pd.DataFrame:
    """One row per order block: `formed_at` (the break candle that makes it known),
    `candle_at` (the order-block candle), `direction` (+1 bullish / -1 bearish), `top`,
    `bottom` (that candle's high and low)."""
    a = _compute(candles, swing_length)
    index = pd.DatetimeIndex(candles.index)
    parts = []
    for side, sign in ((0, 1.0), (1, -1.0)):
        k = a.sides[side, _S["ob"]].astype(np.int64)
        rows = np.flatnonzero(k >= 0)
        parts.append(
            pd.DataFrame(
                {
                    "formed_at": index[rows],
                    "candle_at": index[k[rows]],
                    "direction": sign,
                    "top": a.high[k[rows]],
                    "bottom": a.low[k[rows]],
                    "_row": rows,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values("_row", kind="stable")
    return frame.drop(columns="_row").reset_index(drop=True)


def fair_value_gaps(candles: pd.DataFrame) -> pd.DataFrame:
    """One row per fair value gap: `formed_at` (the third candle, t), `direction` (+1 when
    low[t] > high[t-2], -1 when high[t] < low[t-2]), `top`, `bottom` of the gap."""
    check_candles(candles)
    h = candles["high"].to_numpy(dtype="float64")
    lo = candles["low"].to_numpy(dtype="float64")
    index = pd.DatetimeIndex(candles.index)
    parts = []
    for sign, (top, bottom) in ((1.0, _fvg_zones(h, lo)), (-1.0, _fvg_zones(-lo, -h))):
        rows = np.flatnonzero(~np.isnan(top))
        real_top = top[rows] if sign > 0 else -bottom[rows]
        real_bottom = bottom[rows] if sign > 0 else -top[rows]
        parts.append(
            pd.DataFrame(
                {"formed_at": index[rows], "direction": sign, "top": real_top,
                 "bottom": real_bottom, "_row": rows}
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values("_row", kind="stable")
    return frame.drop(columns="_row").reset_index(drop=True)
