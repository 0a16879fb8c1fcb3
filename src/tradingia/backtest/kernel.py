"""The simulation kernel: one pass over candle arrays, numba-compiled (`cache=True`).

Prices inside a position are *normalised* by its direction (`d * price`, `d` = +1 long,
-1 short), so that one code path serves both sides: the stop is below, targets above, and a
short's high becomes the normalised low. Nothing here knows about pandas.

Order of work in candle `i`:
1. a pending entry fills (market: at the open; limit: when touched, or at the open if gapped);
2. exits on the candle's open / high / low: gaps first, then stop and targets; when both the
   stop and a target fall inside the candle, finer candles decide if given, else the policy
   (stop first unless told otherwise) and the trade is flagged ambiguous;
3. time exit and end exit at the close; break-even and trailing stops move at the close;
4. equity is marked at the close;
5. a signal of candle `i` becomes a pending entry for `i + 1`, or is skipped if a position is
   still open.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# trade record columns
T_SIG, T_DIR, T_ENTRY_BAR, T_ENTRY_PRICE, T_QTY, T_STOP, T_RISK = 0, 1, 2, 3, 4, 5, 6
T_EXIT_BAR, T_EXIT_VALUE, T_EXIT_QTY, T_PNL, T_FEES, T_SWAP = 7, 8, 9, 10, 11, 12
T_REASON, T_AMBIG, T_FINE, T_TARGETS_HIT = 13, 14, 15, 16
N_TRADE_COLS = 17

# exit reasons
R_STOP, R_BREAK_EVEN, R_TRAILING, R_TARGET, R_TIME, R_END = 0, 1, 2, 3, 4, 5
REASONS = ("stop", "break_even", "trailing_stop", "take_profit", "time", "end")

# counters
C_SKIPPED_IN_POSITION, C_SKIPPED_AT_END, C_SKIPPED_GAPPED, C_LIMIT_EXPIRED = 0, 1, 2, 3
C_LIMIT_REPLACED, C_AMBIGUOUS, C_RESOLVED_BY_FINER, C_SKIPPED_BAD_SIZE = 4, 5, 6, 7
C_LIMIT_UNFILLED, C_SKIPPED_NO_EQUITY = 8, 9
N_COUNTERS = 10
COUNTER_NAMES = (
    "skipped_in_position", "skipped_at_end", "skipped_gapped", "limit_expired",
    "limit_replaced", "ambiguous", "resolved_by_finer", "skipped_bad_size", "limit_unfilled",
    "skipped_no_equity",
)

# float parameters
P_EQUITY, P_TAKER, P_MAKER, P_SLIP, P_RISK, P_FIXED, P_BE_R, P_TRAIL_R = 0, 1, 2, 3, 4, 5, 6, 7
P_SWAP_LONG, P_SWAP_SHORT = 8, 9
N_FPARAMS = 10
# integer parameters
I_SIZING, I_TIME_EXIT, I_TARGET_FIRST, I_LIMIT_EXPIRY = 0, 1, 2, 3
N_IPARAMS = 4
SIZING_RISK, SIZING_FIXED, SIZING_SIGNAL = 0, 1, 2

# position state (normalised prices)
S_DIR, S_ENTRY, S_QTY0, S_QTY, S_STOP, S_K, S_NK, S_SIG, S_STOP_KIND = 0, 1, 2, 3, 4, 5, 6, 7, 8
S_BEST, S_RISK_DIST, S_ROW, S_HALF_SPREAD = 9, 10, 11, 12
N_STATE = 13

# classification of one candle against the stop and the next target
_NONE, _GAP_STOP, _GAP_TARGET, _STOP, _TARGET, _BOTH = 0, 1, 2, 3, 4, 5


@njit(cache=True)
def _classify(po: float, ph: float, pl: float, stop: float, target: float) -> int:
    if po <= stop:
        return _GAP_STOP
    if po >= target:
        return _GAP_TARGET
    hit_stop = pl <= stop
    hit_target = ph >= target
    if hit_stop and hit_target:
        return _BOTH
    if hit_stop:
        return _STOP
    if hit_target:
        return _TARGET
    return _NONE


@njit(cache=True)
def _close(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, bar: int, qty: float,
           pn: float, market: bool, reason: int) -> float:
    """Close `qty` at normalised raw price `pn`; returns the realised P&L (cash change)."""
    slip = fp[P_SLIP] if market else 0.0
    adj = pn - st[S_HALF_SPREAD] - abs(pn) * slip
    fee = qty * abs(adj) * (fp[P_TAKER] if market else fp[P_MAKER])
    pnl = qty * (adj - st[S_ENTRY]) - fee
    row = int(st[S_ROW])
    tr[row, T_EXIT_BAR] = bar
    tr[row, T_EXIT_VALUE] += qty * abs(adj)
    tr[row, T_EXIT_QTY] += qty
    tr[row, T_PNL] += pnl
    tr[row, T_FEES] += fee
    tr[row, T_REASON] = reason
    st[S_QTY] -= qty
    if st[S_QTY] <= 1e-12 * st[S_QTY0]:
        st[S_QTY] = 0.0
    return float(pnl)


@njit(cache=True)
def _stop_reason(st: np.ndarray) -> int:
    kind = int(st[S_STOP_KIND])
    if kind == 1:
        return R_BREAK_EVEN
    if kind == 2:
        return R_TRAILING
    return R_STOP


@njit(cache=True)
def _target_qty(st: np.ndarray, fracs: np.ndarray) -> float:
    k = int(st[S_K])
    if k >= int(st[S_NK]) - 1:
        return float(st[S_QTY])
    return float(min(st[S_QTY], st[S_QTY0] * fracs[k]))


@njit(cache=True)
def _next_target(st: np.ndarray, tps: np.ndarray) -> float:
    k = int(st[S_K])
    if k >= int(st[S_NK]):
        return float(np.inf)
    return float(st[S_DIR] * tps[k])


@njit(cache=True)
def _fill_target(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, bar: int,
                 fracs: np.ndarray, pn: float) -> float:
    pnl = _close(st, tr, fp, bar, _target_qty(st, fracs), pn, False, R_TARGET)
    st[S_K] += 1
    tr[int(st[S_ROW]), T_TARGETS_HIT] += 1
    return float(pnl)


@njit(cache=True)
def _walk(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, bar: int, o: float, h: float,
          lo: float, tps: np.ndarray, fracs: np.ndarray, policy: int) -> tuple[float, bool]:
    """Exits inside one candle. `policy`: -1 leave an ambiguity unresolved (return at it),
    0 stop first, 1 target first. Returns (realised P&L, met an ambiguity)."""
    d = st[S_DIR]
    if d > 0:
        po, ph, pl = o, h, lo
    else:
        po, ph, pl = -o, -lo, -h
    pnl = 0.0
    while st[S_QTY] > 0.0:
        target = _next_target(st, tps)
        c = _classify(po, ph, pl, st[S_STOP], target)
        if c == _NONE:
            break
        if c == _GAP_STOP:
            pnl += _close(st, tr, fp, bar, st[S_QTY], po, True, _stop_reason(st))
        elif c == _GAP_TARGET:
            pnl += _fill_target(st, tr, fp, bar, fracs, po)
        elif c == _STOP:
            pnl += _close(st, tr, fp, bar, st[S_QTY], st[S_STOP], True, _stop_reason(st))
        elif c == _TARGET:
            pnl += _fill_target(st, tr, fp, bar, fracs, target)
        else:  # both inside the candle
            if policy < 0:
                return pnl, True
            tr[int(st[S_ROW]), T_AMBIG] = 1.0
            if policy == 1:
                while st[S_QTY] > 0.0 and _next_target(st, tps) <= ph:
                    pnl += _fill_target(st, tr, fp, bar, fracs, _next_target(st, tps))
            if st[S_QTY] > 0.0:
                pnl += _close(st, tr, fp, bar, st[S_QTY], st[S_STOP], True, _stop_reason(st))
            return pnl, True
    return pnl, False


@njit(cache=True)
def _exits_in_candle(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, i: int, o: float,
                     h: float, lo: float, fine: tuple, tps: np.ndarray, fracs: np.ndarray,
                     policy: int) -> float:
    """Exits in candle `i`, settled by its finer candles when it is ambiguous and they exist."""
    fo, fh, fl, fstart, fend = fine
    has_fine = fstart.shape[0] > 0 and fend[i] > fstart[i]
    pnl, ambiguous = _walk(st, tr, fp, i, o, h, lo, tps, fracs, -1 if has_fine else policy)
    if not (has_fine and ambiguous):
        return pnl
    settled = True
    for j in range(fstart[i], fend[i]):
        if st[S_QTY] <= 0.0:
            break
        p, amb = _walk(st, tr, fp, i, fo[j], fh[j], fl[j], tps, fracs, policy)
        pnl += p
        settled = settled and not amb
    if st[S_QTY] > 0.0:  # finer candles did not settle it: fall back on the coarse candle
        p, amb = _walk(st, tr, fp, i, o, h, lo, tps, fracs, policy)
        pnl += p
        settled = settled and not amb
    if settled:
        tr[int(st[S_ROW]), T_FINE] = 1.0
    return pnl


@njit(cache=True)
def _touches(st: np.ndarray, o: float, h: float, lo: float, target: float) -> bool:
    """Cheap pre-check: can this candle reach the stop or the next target at all?"""
    if st[S_DIR] > 0:
        return lo <= st[S_STOP] or h >= target or o <= st[S_STOP]
    return -h <= st[S_STOP] or -lo >= target or -o <= st[S_STOP]


@njit(cache=True)
def _move_stop(st: np.ndarray, fp: np.ndarray, ph: float) -> None:
    """Break-even and trailing stop, from the candle's best normalised price, at its close."""
    st[S_BEST] = max(st[S_BEST], ph)
    risk = st[S_RISK_DIST]
    be_r = fp[P_BE_R]
    if not np.isnan(be_r) and st[S_BEST] - st[S_ENTRY] >= be_r * risk and st[S_STOP] < st[S_ENTRY]:
        st[S_STOP] = st[S_ENTRY]
        st[S_STOP_KIND] = 1.0
    trail_r = fp[P_TRAIL_R]
    if not np.isnan(trail_r):
        level = st[S_BEST] - trail_r * risk
        if level > st[S_STOP]:
            st[S_STOP] = level
            st[S_STOP_KIND] = 2.0


@njit(cache=True)
def _try_entry(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, ip: np.ndarray, i: int,
               bars: tuple, sigs: tuple, s: int, row: int, cash: float,
               counters: np.ndarray) -> tuple[int, float]:
    """Fill signal `s` in candle `i`. Returns (0 not touched, 1 at open, 2 intrabar limit,
    -1 void) and the cash change (entry fee)."""
    o, h, lo, spread = bars[0], bars[1], bars[2], bars[4]
    sig_dir, sig_stop, sig_tp, sig_size, sig_entry = sigs[1], sigs[2], sigs[3], sigs[5], sigs[6]
    d = sig_dir[s]
    half = 0.5 * spread[i]
    po = d * o[i]
    if np.isnan(sig_entry[s]):
        how, pn, fee_rate, slip = 1, po, fp[P_TAKER], fp[P_SLIP]
        first_target = d * sig_tp[s, 0]
        if po <= d * sig_stop[s] or po >= first_target:
            counters[C_SKIPPED_GAPPED] += 1
            return -1, 0.0
    else:
        lim = d * sig_entry[s]
        pl = lo[i] if d > 0 else -h[i]
        if po <= lim:
            how, pn = 1, po
        elif pl <= lim:
            how, pn = 2, lim
        else:
            return 0, 0.0
        fee_rate, slip = fp[P_MAKER], 0.0
    entry = pn + half + abs(pn) * slip
    risk_dist = entry - d * sig_stop[s]
    mode = ip[I_SIZING]
    if mode == SIZING_RISK:
        qty = cash * fp[P_RISK] / risk_dist if risk_dist > 0 else 0.0
    elif mode == SIZING_FIXED:
        qty = fp[P_FIXED]
    else:
        qty = sig_size[s]
    if cash <= 0:
        counters[C_SKIPPED_NO_EQUITY] += 1
        return -1, 0.0
    if not (qty > 0.0 and np.isfinite(qty)) or risk_dist <= 0:
        counters[C_SKIPPED_BAD_SIZE] += 1
        return -1, 0.0
    fee = qty * abs(entry) * fee_rate
    nk = 0
    while nk < sig_tp.shape[1] and not np.isnan(sig_tp[s, nk]):
        nk += 1
    st[S_DIR], st[S_ENTRY], st[S_QTY0], st[S_QTY] = d, entry, qty, qty
    st[S_STOP], st[S_K], st[S_NK], st[S_SIG] = d * sig_stop[s], 0.0, nk, s
    st[S_STOP_KIND], st[S_BEST], st[S_RISK_DIST], st[S_ROW] = 0.0, entry, risk_dist, row
    st[S_HALF_SPREAD] = half
    tr[row, T_SIG], tr[row, T_DIR], tr[row, T_ENTRY_BAR] = s, d, i
    tr[row, T_ENTRY_PRICE], tr[row, T_QTY], tr[row, T_STOP] = abs(entry), qty, sig_stop[s]
    tr[row, T_RISK], tr[row, T_PNL], tr[row, T_FEES] = qty * risk_dist, -fee, fee
    return how, -fee


@njit(cache=True)
def _after_candle(st: np.ndarray, tr: np.ndarray, fp: np.ndarray, i: int, c: float, h: float,
                  lo: float, time_exit: int, last: bool) -> float:
    """At the close: time and end exits, then stop moves and swap; returns the cash change."""
    cn = st[S_DIR] * c
    row = int(st[S_ROW])
    cash = 0.0
    if time_exit > 0 and i - int(tr[row, T_ENTRY_BAR]) + 1 >= time_exit:
        cash += _close(st, tr, fp, i, st[S_QTY], cn, True, R_TIME)
    if st[S_QTY] > 0.0 and last:
        cash += _close(st, tr, fp, i, st[S_QTY], cn, True, R_END)
    if st[S_QTY] > 0.0:
        _move_stop(st, fp, h if st[S_DIR] > 0 else -lo)
        swap = st[S_QTY] * c * (fp[P_SWAP_LONG] if st[S_DIR] > 0 else fp[P_SWAP_SHORT])
        cash -= swap
        tr[row, T_PNL] -= swap
        tr[row, T_SWAP] += swap
    return cash


@njit(cache=True)
def _still_pending(how: int, pending: int, since: int, i: int, expiry: int,
                   counters: np.ndarray) -> int:
    """The pending signal after an entry attempt: filled or void (-1), expired, or waiting."""
    if how != 0:
        return -1
    if expiry > 0 and i - since >= expiry:
        counters[C_LIMIT_EXPIRED] += 1
        return -1
    return pending


@njit(cache=True)
def _take_signal(si: int, i: int, n: int, in_pos: bool, pending: int, since: int,
                 counters: np.ndarray) -> tuple[int, int]:
    """A signal of candle `i`: skipped (position open, last candle) or pending for `i + 1`."""
    if in_pos:
        counters[C_SKIPPED_IN_POSITION] += 1
        return pending, since
    if i == n - 1:
        counters[C_SKIPPED_AT_END] += 1
        return pending, since
    if pending >= 0:
        counters[C_LIMIT_REPLACED] += 1
    return si, i


@njit(cache=True)
def simulate(bars: tuple, sigs: tuple, fine: tuple, fp: np.ndarray,
             ip: np.ndarray) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Run one backtest. Returns (trades[:n_trades], n_trades, equity per candle, counters).

    bars: (open, high, low, close, spread) float64[n]; sigs: (bar int64[m] increasing,
    direction float64[m] of +1/-1, stop[m], targets[m, K] NaN-padded, fractions[m, K],
    size[m] NaN if none, limit entry[m] NaN for market); fine: (open, high, low, start int64[n],
    end int64[n]) or empty arrays.
    """
    o, h, lo, c, spread = bars
    sig_bar, sig_tp, sig_frac = sigs[0], sigs[3], sigs[4]
    n = c.shape[0]
    m = sig_bar.shape[0]
    tr = np.zeros((max(m, 1), N_TRADE_COLS))
    equity = np.empty(n)
    counters = np.zeros(N_COUNTERS, dtype=np.int64)
    st = np.zeros(N_STATE)
    policy = ip[I_TARGET_FIRST]
    time_exit = ip[I_TIME_EXIT]
    expiry = ip[I_LIMIT_EXPIRY]
    cash = fp[P_EQUITY]
    after = (time_exit > 0 or not np.isnan(fp[P_BE_R]) or not np.isnan(fp[P_TRAIL_R])
             or fp[P_SWAP_LONG] != 0.0 or fp[P_SWAP_SHORT] != 0.0)
    in_pos = False
    pending, pending_since, n_trades, si = -1, 0, 0, 0
    for i in range(n):
        how = 0
        if pending >= 0:
            how, fee = _try_entry(st, tr, fp, ip, i, bars, sigs, pending, n_trades, cash, counters)
            cash += fee
            if how > 0:
                in_pos = True
                n_trades += 1
            pending = _still_pending(how, pending, pending_since, i, expiry, counters)
        if in_pos:
            s = int(st[S_SIG])
            st[S_HALF_SPREAD] = 0.5 * spread[i]
            target = _next_target(st, sig_tp[s])
            if how == 2:  # limit filled inside the candle: only its stop can follow for sure
                if (lo[i] if st[S_DIR] > 0 else -h[i]) <= st[S_STOP]:
                    cash += _close(st, tr, fp, i, st[S_QTY], st[S_STOP], True,
                                   _stop_reason(st))
            elif _touches(st, o[i], h[i], lo[i], target):
                cash += _exits_in_candle(st, tr, fp, i, o[i], h[i], lo[i], fine, sig_tp[s],
                                         sig_frac[s], policy)
            if st[S_QTY] > 0.0 and (after or i == n - 1):
                # a limit filled inside the candle: its extremes may precede the fill
                hi, low = (c[i], c[i]) if how == 2 else (h[i], lo[i])
                cash += _after_candle(st, tr, fp, i, c[i], hi, low, time_exit, i == n - 1)
            in_pos = st[S_QTY] > 0.0
        equity[i] = cash + (st[S_QTY] * (st[S_DIR] * c[i] - st[S_ENTRY]) if in_pos else 0.0)
        if si < m and sig_bar[si] == i:
            pending, pending_since = _take_signal(si, i, n, in_pos, pending, pending_since,
                                                  counters)
            si += 1
    if pending >= 0:
        counters[C_LIMIT_UNFILLED] += 1
    counters[C_AMBIGUOUS] = int(tr[:n_trades, T_AMBIG].sum())
    counters[C_RESOLVED_BY_FINER] = int(tr[:n_trades, T_FINE].sum())
    return tr[:n_trades], n_trades, equity, counters
