"""Numba kernels for market structure on plain arrays (the pandas layer is `structure.py`).

Every kernel walks the candles forward once and writes row t from candles 0..t only, so
nothing here can read the future. Bearish logic reuses the bullish code on negated prices:
with H' = -low, L' = -high, C' = -close, O' = -open a swing low becomes a swing high, a
break down becomes a break up and a bearish zone above price becomes a bullish zone below.
"""

from __future__ import annotations

import numba
import numpy as np

# --- swings ------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _is_swing_high(high: np.ndarray, c: int, length: int) -> bool:
    """high[c] is above the `length` highs before it and not below the `length` after it
    (on equal highs the earliest one is the swing)."""
    h = high[c]
    for j in range(c - length, c):
        if high[j] >= h:
            return False
    for j in range(c + 1, c + length + 1):  # noqa: SIM110 (plain loops compile in numba)
        if high[j] > h:
            return False
    return True


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def swing_kernel(high: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Swing highs of `high`, written at their CONFIRMATION row.

    A swing at candle c needs `length` candles on each side, so it is known at row
    t = c + length. Returns (level, index): level[t] = high[c] and index[t] = c at that row,
    NaN / -1 elsewhere. Swing lows: call it with -low and negate the level.
    """
    n = high.shape[0]
    level = np.full(n, np.nan)
    index = np.full(n, -1, dtype=np.int64)
    for c in range(length, n - length):
        if _is_swing_high(high, c, length):
            level[c + length] = high[c]
            index[c + length] = c
    return level, index


# --- breaks, sweeps and order blocks ---------------------------------------------------------

# Per-side state (oriented so that "up" means away from the side's own extreme).
_LEVEL, _INDEX, _PREV, _ACTIVE, _SWEPT, _CLASS, _EQUAL, _COUNT = 0, 1, 2, 3, 4, 5, 6, 7
_STATE_SIZE = 8

# Columns of `structure_kernel`'s output, per side (side 0 = highs / up, side 1 = lows / down).
SIDE_FIELDS: tuple[str, ...] = (
    "confirmed",  # 1.0 at the row confirming a swing of this side
    "level",  # latest confirmed swing level (oriented), NaN before the first
    "index",  # its candle index, -1 before the first
    "cls",  # +1 higher than the previous swing of this side, -1 lower, 0 equal / unknown
    "equal",  # 1.0 when the two latest swings lie within `equal_tol` ATR of each other
    "bos",  # 1.0 at a break of structure in this side's direction
    "choch",  # 1.0 at a change of character (break against the prevailing trend)
    "sweep",  # 1.0 when a wick passes the unbroken swing level and the close stays inside
    "ob",  # candle index of the order block formed by a break at this row, -1 otherwise
)
_F_CONFIRMED, _F_LEVEL, _F_INDEX, _F_CLASS, _F_EQUAL, _F_BOS, _F_CHOCH, _F_SWEEP, _F_OB = range(9)
N_SIDE_FIELDS = 9


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _confirm(state: np.ndarray, level: float, index: int, atr: float, equal_tol: float) -> None:
    """Make a newly confirmed swing the side's reference level."""
    prev = state[_LEVEL]
    state[_PREV] = prev
    state[_LEVEL] = level
    state[_INDEX] = index
    state[_ACTIVE] = 1.0
    state[_SWEPT] = 0.0
    state[_COUNT] += 1.0
    if state[_COUNT] < 2.0:
        state[_CLASS] = 0.0
        state[_EQUAL] = 0.0
        return
    state[_CLASS] = 1.0 if level > prev else (-1.0 if level < prev else 0.0)
    state[_EQUAL] = 1.0 if atr > 0.0 and abs(level - prev) <= equal_tol * atr else 0.0


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _order_block(open_: np.ndarray, low: np.ndarray, close: np.ndarray, c: int, t: int) -> int:
    """The last down candle at or before the lowest low of candles c+1..t (the origin of
    the up-move that broke the swing at c; the latest on ties), searching back to c+1; the
    lowest candle itself when none of them is down."""
    m = c + 1
    for j in range(c + 2, t + 1):
        if low[j] <= low[m]:
            m = j
    for j in range(m, c, -1):
        if close[j] < open_[j]:
            return j
    return m


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _side_step(
    state: np.ndarray,
    out: np.ndarray,
    prices: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    t: int,
    trend: float,
) -> bool:
    """Breaks and sweeps of one (oriented) side at candle t, written to out[field, t];
    True when its level broke.

    A close above the unbroken level is a break: BOS when the trend (oriented) was not
    against it, CHoCH when it was. A high above the unbroken, not yet swept level with the
    close back at or below it is a sweep (each level is swept at most once).
    """
    open_, high, low, close = prices
    if state[_ACTIVE] == 0.0:
        return False
    level = state[_LEVEL]
    if close[t] > level:
        state[_ACTIVE] = 0.0
        if trend < 0.0:
            out[_F_CHOCH, t] = 1.0
        else:
            out[_F_BOS, t] = 1.0
        out[_F_OB, t] = _order_block(open_, low, close, int(state[_INDEX]), t)
        return True
    if state[_SWEPT] == 0.0 and high[t] > level:
        state[_SWEPT] = 1.0
        out[_F_SWEEP, t] = 1.0
    return False


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _record(state: np.ndarray, out: np.ndarray, t: int) -> None:
    """Copy the side's persistent state into column t of its output."""
    out[_F_LEVEL, t] = state[_LEVEL]
    out[_F_INDEX, t] = state[_INDEX]
    out[_F_CLASS, t] = state[_CLASS]
    out[_F_EQUAL, t] = state[_EQUAL]


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def structure_kernel(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    atr: np.ndarray,
    length: int,
    equal_tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Swings, BOS / CHoCH, sweeps and order-block origins, one forward pass.

    Returns (sides, trend): sides[s, f, t] holds SIDE_FIELDS f of side s (0 highs, 1 lows;
    levels of side 1 are negated) and trend[t] is +1 after a break up, -1 after a break
    down, 0 before any break. Breaks are checked on the candle's close, after the swings
    confirmed at that candle are taken in.
    """
    n = close.shape[0]
    up = (open_, high, low, close)
    down = (-open_, -low, -high, -close)
    levels = (swing_kernel(high, length), swing_kernel(-low, length))
    states = (np.zeros(_STATE_SIZE), np.zeros(_STATE_SIZE))
    for state in states:
        state[_LEVEL] = np.nan
        state[_INDEX] = -1.0
    sides = np.zeros((2, N_SIDE_FIELDS, n))
    sides[:, _F_OB, :] = -1.0
    trend_out = np.zeros(n)
    trend = 0.0
    for t in range(n):
        for s in range(2):
            level, index = levels[s]
            if index[t] >= 0:
                _confirm(states[s], level[t], index[t], atr[t], equal_tol)
                sides[s, _F_CONFIRMED, t] = 1.0
        if _side_step(states[0], sides[0], up, t, trend):
            trend = 1.0
        if _side_step(states[1], sides[1], down, t, -trend):
            trend = -1.0
        _record(states[0], sides[0], t)
        _record(states[1], sides[1], t)
        trend_out[t] = trend
    return sides, trend_out


# --- zones: order blocks and fair value gaps -------------------------------------------------

ZONE_CAPACITY = 32  # most recent live zones kept per tracker; older ones are dropped
# A zone older than this many candles expires quietly (no fill / invalidation event): it
# bounds how long a feature remembers where the series started, so features computed on a
# short live history match those computed in training once `settle` rows have passed.
ZONE_MAX_AGE = 500
ZONE_FIELDS: tuple[str, ...] = (
    "alive",  # live zones (not invalidated / not filled)
    "fresh",  # live zones never touched since they formed
    "dist_alive",  # price distance from close to the nearest live zone (0 inside), NaN if none
    "dist_fresh",  # same, nearest untouched zone
    "inside",  # 1.0 when the close lies inside a live zone
    "touched",  # 1.0 when a zone is touched for the first time at this candle
    "killed",  # 1.0 when a zone is invalidated / filled at this candle
)
N_ZONE_FIELDS = 7


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _update_zones(
    zones: np.ndarray, count: int, low: float, close: float, kill_on_close: bool,
    out: np.ndarray, t: int,
) -> int:
    """Apply candle t to the live zones (rows top, bottom, touched, formed at); expire the
    ones older than ZONE_MAX_AGE; return the new count."""
    keep = 0
    for i in range(count):
        top, bottom, touched, formed = zones[i, 0], zones[i, 1], zones[i, 2], zones[i, 3]
        if t - formed > ZONE_MAX_AGE:
            continue
        if touched == 0.0 and low <= top:
            touched = 1.0
            out[5, t] = 1.0
        dead = close < bottom if kill_on_close else low <= bottom
        if dead:
            out[6, t] = 1.0
            continue
        zones[keep, 0], zones[keep, 1], zones[keep, 2], zones[keep, 3] = (
            top, bottom, touched, formed
        )
        keep += 1
    return keep


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _add_zone(zones: np.ndarray, count: int, top: float, bottom: float, t: int) -> int:
    """Append a zone, dropping the oldest when the tracker is full; return the new count."""
    if count == zones.shape[0]:
        zones[:-1] = zones[1:].copy()
        count -= 1
    zones[count, 0], zones[count, 1], zones[count, 2], zones[count, 3] = top, bottom, 0.0, t
    return count + 1


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _measure(zones: np.ndarray, count: int, close: float, out: np.ndarray, t: int) -> None:
    """Counts, nearest distances and the inside flag of the live zones at `close`."""
    best_alive, best_fresh = np.inf, np.inf
    fresh = 0
    for i in range(count):
        top, bottom = zones[i, 0], zones[i, 1]
        d = close - top if close > top else (bottom - close if close < bottom else 0.0)
        if d == 0.0:
            out[4, t] = 1.0
        best_alive = min(best_alive, d)
        if zones[i, 2] == 0.0:
            fresh += 1
            best_fresh = min(best_fresh, d)
    out[0, t] = count
    out[1, t] = fresh
    out[2, t] = best_alive if count > 0 else np.nan
    out[3, t] = best_fresh if fresh > 0 else np.nan


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def zone_kernel(
    new_top: np.ndarray,
    new_bottom: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    kill_on_close: bool,
) -> np.ndarray:
    """Track bullish-oriented zones (below price) formed at row t where new_top[t] is set.

    At each candle, live zones formed EARLIER are updated first: touched when the low
    reaches the top; killed when the close (`kill_on_close`, order blocks) or the low (fair
    value gaps: filled) reaches the bottom; zones older than ZONE_MAX_AGE candles expire.
    Then the zone formed at this candle is added and the row is measured. Returns
    (len(ZONE_FIELDS), n). Bearish zones: pass -bottom, -top, -high, -close.
    """
    n = close.shape[0]
    out = np.zeros((N_ZONE_FIELDS, n))
    zones = np.zeros((ZONE_CAPACITY, 4))
    count = 0
    for t in range(n):
        count = _update_zones(zones, count, low[t], close[t], kill_on_close, out, t)
        if not np.isnan(new_top[t]):
            count = _add_zone(zones, count, new_top[t], new_bottom[t], t)
        _measure(zones, count, close[t], out, t)
    return out


# --- AMD phases ---------------------------------------------------------------------------

UNKNOWN, NONE, ACCUMULATION, MANIPULATION, DISTRIBUTION = -1.0, 0.0, 1.0, 2.0, 3.0
AMD_FIELDS: tuple[str, ...] = ("phase", "direction", "box_high", "box_low", "start", "pending")
# state: phase, direction, box high, box low, pending side, pending since, phase start,
# extreme (manipulation wick / distribution high-water mark), row of the latest extreme
_PH, _DIR, _HI, _LO, _PEND, _PEND_T, _START, _EXT, _EXT_T = range(9)


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _enter(st: np.ndarray, phase: float, t: int) -> None:
    if st[_PH] != phase:
        st[_PH] = phase
        st[_START] = t
    st[_PEND] = 0.0


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _manipulate(st: np.ndarray, t: int, direction: float, extreme: float) -> None:
    """Enter (or restart) manipulation; `direction` is where distribution is expected."""
    st[_PH] = MANIPULATION
    st[_START] = t  # a new sweep restarts the phase clock
    st[_PEND] = 0.0
    st[_DIR] = direction
    st[_EXT] = extreme


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _from_none(st: np.ndarray, t: int, compressed: float, box_high: float, box_low: float) -> None:
    """NONE -> ACCUMULATION when the recent range is compressed; the box is that range."""
    if compressed > 0.0:
        _enter(st, ACCUMULATION, t)
        st[_DIR] = 0.0
        st[_HI] = box_high
        st[_LO] = box_low


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _pending(st: np.ndarray, t: int, bar: np.ndarray, params: np.ndarray) -> None:
    """A close left the accumulation box: back inside -> manipulation (false break); far
    enough out or for too long -> NONE (a real breakout); across the box -> distribution."""
    high, low, close, atr = bar[0], bar[1], bar[2], bar[3]
    side = st[_PEND]
    st[_EXT] = max(st[_EXT], high) if side > 0 else min(st[_EXT], low)
    beyond = close - st[_HI] if side > 0 else st[_LO] - close
    if st[_LO] <= close <= st[_HI]:
        _manipulate(st, t, -side, st[_EXT])
    elif beyond < -(st[_HI] - st[_LO]):
        _manipulate(st, t, -side, st[_EXT])
        _distribute(st, t, high if side < 0 else low)
    elif beyond >= params[1] * atr or t - st[_PEND_T] >= params[0]:
        _enter(st, NONE, t)


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _from_accumulation(st: np.ndarray, t: int, bar: np.ndarray, params: np.ndarray) -> None:
    """A wick out of the box that closes inside is a sweep -> manipulation toward the
    other side (both sides swept: toward the side of the close); a close outside starts a
    pending false break."""
    if st[_PEND] != 0.0:
        _pending(st, t, bar, params)
        return
    high, low, close = bar[0], bar[1], bar[2]
    up, down = high > st[_HI], low < st[_LO]
    if st[_LO] <= close <= st[_HI]:
        if up and down:
            direction = 1.0 if close >= 0.5 * (st[_HI] + st[_LO]) else -1.0
            _manipulate(st, t, direction, low if direction > 0 else high)
        elif up:
            _manipulate(st, t, -1.0, high)
        elif down:
            _manipulate(st, t, 1.0, low)
        return
    st[_PEND] = 1.0 if close > st[_HI] else -1.0
    st[_PEND_T] = t
    st[_EXT] = high if close > st[_HI] else low
    beyond = close - st[_HI] if close > st[_HI] else st[_LO] - close
    if beyond >= params[1] * bar[3]:
        _enter(st, NONE, t)


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _distribute(st: np.ndarray, t: int, extreme: float) -> None:
    _enter(st, DISTRIBUTION, t)
    st[_EXT] = extreme
    st[_EXT_T] = t


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _from_manipulation(st: np.ndarray, t: int, bar: np.ndarray, params: np.ndarray) -> None:
    """A close beyond the opposite box edge -> distribution; a close beyond the sweep's
    extreme -> NONE (the sweep failed); a sweep of the other edge -> manipulation that way;
    no resolution within `max_manipulation_bars` -> accumulation again (close inside) or NONE."""
    high, low, close = bar[0], bar[1], bar[2]
    d = st[_DIR]
    if (d > 0 and close > st[_HI]) or (d < 0 and close < st[_LO]):
        _distribute(st, t, high if d > 0 else low)
    elif (d > 0 and close < st[_EXT]) or (d < 0 and close > st[_EXT]):
        _enter(st, NONE, t)
    elif d > 0 and high > st[_HI]:
        _manipulate(st, t, -1.0, high)
    elif d < 0 and low < st[_LO]:
        _manipulate(st, t, 1.0, low)
    elif t - st[_START] >= params[2]:
        _enter(st, ACCUMULATION if st[_LO] <= close <= st[_HI] else NONE, t)
        st[_DIR] = 0.0
    else:
        st[_EXT] = min(st[_EXT], low) if d > 0 else max(st[_EXT], high)


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def _from_distribution(st: np.ndarray, t: int, bar: np.ndarray, params: np.ndarray) -> None:
    """Distribution lasts while the move runs: a close back inside the box, or
    `stall_bars` candles without a new extreme, end it (-> NONE)."""
    high, low, close = bar[0], bar[1], bar[2]
    d = st[_DIR]
    if (d > 0 and high > st[_EXT]) or (d < 0 and low < st[_EXT]):
        st[_EXT] = high if d > 0 else low
        st[_EXT_T] = t
    back = close < st[_HI] if d > 0 else close > st[_LO]
    if back or t - st[_EXT_T] >= params[3]:
        _enter(st, NONE, t)
        st[_DIR] = 0.0


@numba.njit(cache=True, nogil=True)  # type: ignore[misc]
def amd_kernel(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    atr: np.ndarray,
    compressed: np.ndarray,
    box_high: np.ndarray,
    box_low: np.ndarray,
    warmup: int,
    params: np.ndarray,
) -> np.ndarray:
    """AMD phase state machine, one forward pass; row t reads candles 0..t only.

    `compressed[t]` > 0 marks a compressed recent range whose bounds are box_high/box_low[t];
    params = (false_break_bars, expand_atr, max_manipulation_bars, stall_bars). Returns
    (n, len(AMD_FIELDS)); phase is UNKNOWN before `warmup`, and a phase that ends in NONE may
    start a new accumulation on the same candle.
    """
    n = close.shape[0]
    out = np.zeros((n, len(AMD_FIELDS)))
    out[:, 0] = UNKNOWN
    out[:, 2:4] = np.nan
    st = np.zeros(9)
    st[_HI], st[_LO] = np.nan, np.nan
    st[_START] = warmup
    bar = np.zeros(4)
    for t in range(warmup, n):
        bar[0], bar[1], bar[2], bar[3] = high[t], low[t], close[t], atr[t]
        phase = st[_PH]
        if phase == ACCUMULATION:
            _from_accumulation(st, t, bar, params)
        elif phase == MANIPULATION:
            _from_manipulation(st, t, bar, params)
        elif phase == DISTRIBUTION:
            _from_distribution(st, t, bar, params)
        if st[_PH] == NONE:
            _from_none(st, t, compressed[t], box_high[t], box_low[t])
        out[t, 0] = st[_PH]
        out[t, 1] = st[_DIR] if st[_PH] >= MANIPULATION else 0.0
        out[t, 2], out[t, 3] = st[_HI], st[_LO]
        out[t, 4] = st[_START]
        out[t, 5] = 1.0 if st[_PEND] != 0.0 else 0.0
    return out
