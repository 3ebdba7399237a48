"""Erlang B, C and A (M/M/N+M): exact queue measures and agent sizing, vectorised over intervals.

Units: the offered load is in Erlangs (calls × AHT / interval length); times are seconds.
Every function takes numpy arrays (or scalars) and broadcasts them; nothing here knows about
pandas, files or the rules.

How the numbers are computed (why they are exact):
- Erlang B by the recursion B(n) = a·B(n−1) / (n + a·B(n−1)): positive terms only and a contraction,
  so rounding errors do not grow (no factorials, no powers; exact to a few ulps up to 20,000 agents).
- Erlang C from B: C = N·B / (N − a·(1 − B)).
- Erlang A (Palm's M/M/N+M, exponential patience with rate θ = 1/patience). With x = Nμ/θ and
  y = λ/θ, a caller who waits sees j callers ahead with weight t_j = Π_{k≤j} y/(x+k) (PASTA), is
  served with probability x/(x+j+1), and, writing the offered wait as an order statistic of
  exponentials, the sums over j of those weights reduce to series of the same kind
  F(s, z) = Σ_j Π_{k≤j} z/(s+k). They are summed to full precision by running products, or in log
  scale around their largest term when they could overflow (heavy overload), so no tail is lost.
  Checked against state-by-state sums at 80 digits and a queue simulation (tests/).

Definitions: service level = share of ALL callers answered within the answer time (a caller who
hangs up counts as not answered); ASA = mean wait of the answered callers; occupancy = answered load
per agent. Erlang C has no steady state when agents ≤ load: SL 0, ASA inf, occupancy 1 there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

# Comparisons against targets allow this relative slack, so that a target met exactly in real
# arithmetic (e.g. occupancy 9.6/12 = 0.8) is not missed by one ulp of float rounding.
TARGET_SLACK = 1e-12
# Below this many intervals a plain Python loop beats numpy's per-call overhead in the recursion.
_SCALAR_LOOP_MAX = 16
# Erlang A series are summed in blocks of at most this many grid cells: small enough (256 KB per
# array) to stay in cache and reuse freed memory; large blocks were 2-3 times slower (page faults).
_SERIES_CELLS = 32_768

Model = Literal["erlang_c", "erlang_a"]


@dataclass(frozen=True)
class QueueMeasures:
    """What callers get from N agents: arrays broadcast over the intervals."""

    prob_wait: np.ndarray  # share of callers who find every agent busy
    service_level: np.ndarray  # share of all callers answered within the answer time
    asa_s: np.ndarray  # mean wait of answered callers, seconds (inf when none is answered)
    occupancy: np.ndarray  # share of agent time busy with calls (NaN with no agents)
    abandon_rate: np.ndarray  # share of callers who hang up before an answer


def _floats(*values) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in np.broadcast_arrays(*values)]


def erlang_b_table(load, n_max: int) -> np.ndarray:
    """Erlang B for every agent count 0..n_max: array [n, i] for the loads load[i]."""
    load = np.atleast_1d(np.asarray(load, dtype=float)).ravel()
    if np.any(load < 0) or not np.all(np.isfinite(load)):
        raise ValueError("offered load must be finite and ≥ 0")
    table = np.empty((n_max + 1, load.size))
    table[0] = 1.0
    if load.size <= _SCALAR_LOOP_MAX:
        for i, a in enumerate(load.tolist()):
            b = 1.0
            column = [1.0]
            for n in range(1, n_max + 1):
                ab = a * b
                b = ab / (n + ab)
                column.append(b)
            table[:, i] = column
        return table
    b = np.ones(load.size)
    for n in range(1, n_max + 1):
        ab = load * b
        b = ab / (n + ab)
        table[n] = b
    return table


def erlang_b(agents, load) -> np.ndarray:
    """Blocking probability of an M/M/N/N loss system with N = agents and the given load."""
    agents, load = np.broadcast_arrays(np.asarray(agents), np.asarray(load, dtype=float))
    n = _agent_counts(agents)
    if n.size == 0:
        return np.zeros(n.shape)
    flat_n, flat_a = n.ravel(), load.ravel()
    n_max = int(flat_n.max())
    if flat_n.size <= _SCALAR_LOOP_MAX or flat_n.size * (n_max + 1) <= 4_000_000:
        table = erlang_b_table(flat_a, n_max)
        return table[flat_n, np.arange(flat_n.size)].reshape(n.shape)
    # Many intervals with many agents: walk the recursion once and keep each interval's value.
    out = np.empty(flat_n.size)
    order = np.argsort(flat_n, kind="stable")
    bounds = np.searchsorted(flat_n[order], np.arange(n_max + 2))
    b = np.ones(flat_n.size)
    for k in range(n_max + 1):
        if k:
            ab = flat_a * b
            b = ab / (k + ab)
        idx = order[bounds[k] : bounds[k + 1]]
        out[idx] = b[idx]
    return out.reshape(n.shape)


def _agent_counts(agents) -> np.ndarray:
    a = np.asarray(agents)
    if a.size and (not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a))):
        raise ValueError("agents must be whole numbers ≥ 0")
    return a.astype(np.int64)


def erlang_c(agents, load) -> np.ndarray:
    """Probability of waiting in M/M/N; 1 where N ≤ load (no steady state: the queue grows)."""
    n, a = _floats(agents, load)
    return _erlang_c_from_b(n, a, erlang_b(n, a))


def _erlang_c_from_b(n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - a * (1.0 - b)), 1.0)
    return np.where(a == 0, 0.0, c)


def erlang_c_measures(agents, load, aht_s, answer_within_s) -> QueueMeasures:
    """Erlang C (no abandonment) measures; understaffed intervals get SL 0, ASA inf, occupancy 1."""
    n, a, aht, t = _floats(agents, load, aht_s, answer_within_s)
    return _erlang_c_measures(n, a, aht, t, erlang_b(n, a))


def _erlang_c_measures(n, a, aht, t, b) -> QueueMeasures:
    c = _erlang_c_from_b(n, a, b)
    stable = (n > a) | (a == 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = n - a
        sl = np.where(stable, 1.0 - c * np.exp(-gap * t / aht), 0.0)
        asa = np.where(stable, np.where(c == 0, 0.0, c * aht / gap), np.inf)
        occupancy = np.where(n > 0, np.minimum(a / n, 1.0), np.nan)
    return QueueMeasures(c, np.where(a == 0, 1.0, sl), asa, occupancy, np.zeros_like(c))


# Series whose largest term may exceed e^600 are summed in log scale; the others by plain products.
_LOG_SCALE_ABOVE = 600.0


def _series_width(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Terms needed for F(x, z) to full precision: they rise until j ≈ z − x, then fall at least
    like exp(−m²/2z), or factorially when z is small (checked in tests/test_erlang.py)."""
    return np.ceil(np.maximum(z - x, 0.0)) + np.ceil(9.0 * np.sqrt(z)) + 25


def _series_terms(ratio: np.ndarray, log_scale: bool) -> tuple[np.ndarray, np.ndarray]:
    """Terms t_j = Π_{k≤j} ratio[k−1], j = 0..J, down axis 0 (one column per interval), divided by
    their largest: (w[j, i], log largest[i]). Columns keep the running products vectorised."""
    out = np.ones((ratio.shape[0] + 1, ratio.shape[1]))
    if not log_scale:
        np.cumprod(ratio, axis=0, out=out[1:])
        return out, np.zeros(ratio.shape[1])
    with np.errstate(divide="ignore"):
        np.cumsum(np.log(ratio), axis=0, out=out[1:])
    out[0] = 0.0
    top = out.max(axis=0)
    return np.exp(out - top), top


def _erlang_a_block(n, a, aht, patience, t, b):
    """Erlang A measures for 1-D arrays of intervals with 0 < a and N > 0."""
    x = n * patience / aht  # Nμ/θ
    y = a * patience / aht  # λ/θ
    width = int(_series_width(x, y).max())
    # The largest term of F(x, y) is below ((y/(x+1))^(y−x) when y > x.
    log_scale = bool(np.any(np.maximum(y - x, 0) * np.log(np.maximum(y / (x + 1), 1)) > _LOG_SCALE_ABOVE))
    j = np.arange(width + 1, dtype=float)
    inv = 1.0 / (x + j[:, None] + 1.0)  # 1/(x+j+1), [j, interval]: every ratio below is built from it
    y_inv = y * inv
    w, top = _series_terms(y_inv[:-1], log_scale)  # t_j = Π_{k≤j} y/(x+k), scaled
    q = w.sum(axis=0)  # F(x, y) / e^top
    queued = j @ w  # Σ j t_j: mean callers ahead, times Q
    w_inv = w * inv
    served = x * w_inv.sum(axis=0)  # Σ t_j x/(x+j+1): chance to outlast the wait with j ahead
    wait_served = x * (w_inv * np.cumsum(inv, axis=0)).sum(axis=0)  # θ·E[offered wait; served]
    # Waiting callers answered after more than t seconds: x/(x+1) · u^{x+1} e^{y(1−u)} F(x+1, yu).
    log_u = -t / patience
    w2, top2 = _series_terms(np.exp(log_u) * y_inv[1:], log_scale)  # F(x+1, yu) terms
    log_late = np.log(x / (x + 1.0)) - y * np.expm1(log_u) + (x + 1.0) * log_u + top2 + np.log(w2.sum(axis=0))
    late = np.exp(np.minimum(log_late - top, np.log(served)))
    # P(wait) = Q / (1/B − 1 + Q), with Q = q·e^top kept in logs.
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        rest = (1.0 - b) / b * np.exp(-top)
        p_wait = np.where(b > 0, q / (rest + q), 0.0)
    p_abandon = p_wait * (queued / q) / y  # in this order: q·y underflows for a vanishing load
    answered = 1.0 - p_abandon
    sl = 1.0 - p_wait + p_wait * np.maximum(served - late, 0.0) / q
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(answered > 0, p_wait * wait_served / q * patience / answered, np.inf)
    return p_wait, sl, asa, a * answered / n, p_abandon


def erlang_a_measures(agents, load, aht_s, patience_s, answer_within_s) -> QueueMeasures:
    """Erlang A (M/M/N+M) measures: defined for any staffing, overloaded or with no agents at all."""
    n, a, aht, patience, t = _floats(agents, load, aht_s, patience_s, answer_within_s)
    return _erlang_a_measures(n, a, aht, patience, t, erlang_b(n, a))


def _erlang_a_measures(n, a, aht, patience, t, b) -> QueueMeasures:
    shape = n.shape
    n, a, aht, patience, t, b = (v.ravel() for v in (n, a, aht, patience, t, b))
    with np.errstate(under="ignore"):
        # A load so small that λ/θ underflows is no load at all (nobody ever waits), unless N = 0.
        busy = (a * patience / aht > 0) | ((a > 0) & (n == 0))
        occupancy = np.where(n > 0, a / np.maximum(n, 1), np.nan)
    p_wait = np.where(busy, 1.0, 0.0)
    sl = np.where(busy, 0.0, 1.0)
    asa = np.where(busy, np.inf, 0.0)
    abandon = np.where(busy, 1.0, 0.0)  # no agents: every caller hangs up
    live = np.flatnonzero(busy & (n > 0))
    if live.size:
        # Group by series length so that one heavily overloaded interval does not widen every row.
        with np.errstate(invalid="ignore"):
            width = _series_width(n * patience / aht, a * patience / aht) + 1
        live = live[np.argsort(width[live], kind="stable")]
        ordered = width[live]
        start = 0
        while start < live.size:
            # Rows start.. in width order: stop where the block would exceed the cell budget or be
            # more than 1.5 times wider than its narrowest row.
            cells = np.arange(1, live.size - start + 1) * ordered[start:]
            fits = (cells <= _SERIES_CELLS) & (ordered[start:] <= 1.5 * ordered[start])
            stop = start + max(1, int(np.argmin(fits)) if not fits.all() else fits.size)
            idx = live[start:stop]
            p_wait[idx], sl[idx], asa[idx], occupancy[idx], abandon[idx] = _erlang_a_block(
                n[idx], a[idx], aht[idx], patience[idx], t[idx], b[idx]
            )
            start = stop
    return QueueMeasures(*(v.reshape(shape) for v in (p_wait, sl, asa, occupancy, abandon)))


def _meets(m: QueueMeasures, service_level, answer_within_s, max_asa_s, max_occupancy, max_abandon_rate):
    ok = m.service_level >= service_level * (1 - TARGET_SLACK)
    if max_asa_s is not None:
        ok &= m.asa_s <= max_asa_s * (1 + TARGET_SLACK)
    ok &= ~(m.occupancy > max_occupancy * (1 + TARGET_SLACK))  # NaN (no agents, no calls) is fine
    if max_abandon_rate is not None:
        ok &= m.abandon_rate <= max_abandon_rate * (1 + TARGET_SLACK)
    return ok


def _first_guess(a: np.ndarray, max_occupancy: float) -> np.ndarray:
    """An agent count that usually meets the targets: occupancy bound or square-root staffing."""
    return np.maximum(np.floor(a / max_occupancy) + 1, np.floor(a + 5 * np.sqrt(a)) + 10).astype(np.int64)


def measures(agents, load, aht_s, answer_within_s, patience_s=None, blocking=None):
    """(Erlang C measures, Erlang A measures or None without a patience) for the same staffing.

    `blocking` is Erlang B at `agents` when the caller already has it (saves the recursion).
    """
    n, a, aht, t = _floats(agents, load, aht_s, answer_within_s)
    b = erlang_b(n, a) if blocking is None else np.broadcast_to(np.asarray(blocking, dtype=float), n.shape)
    c = _erlang_c_measures(n, a, aht, t, b)
    if patience_s is None:
        return c, None
    patience = np.broadcast_to(np.asarray(patience_s, dtype=float), n.shape)
    return c, _erlang_a_measures(n, a, aht, patience, t, b)


def smallest_agents(
    load,
    aht_s,
    *,
    service_level: float,
    answer_within_s: float,
    max_occupancy: float,
    max_asa_s: float | None = None,
    patience_s: float | None = None,
    max_abandon_rate: float | None = None,
    model: Model = "erlang_c",
) -> np.ndarray:
    """Smallest agent count per interval meeting every target; 0 where there is no load.

    model "erlang_c": service level, ASA and occupancy by Erlang C (which needs agents > load); the
    abandonment cap, when patience and max_abandon_rate are given, by Erlang A.
    model "erlang_a": every target by Erlang A (occupancy counting answered calls only).
    """
    return sized_agents(load, aht_s, service_level=service_level, answer_within_s=answer_within_s,
                        max_occupancy=max_occupancy, max_asa_s=max_asa_s, patience_s=patience_s,
                        max_abandon_rate=max_abandon_rate, model=model)[0]


def sized_agents(load, aht_s, *, service_level, answer_within_s, max_occupancy, max_asa_s=None,
                 patience_s=None, max_abandon_rate=None, model: Model = "erlang_c"):
    """smallest_agents, also returning Erlang B at the answer: (agents, blocking)."""
    if model not in ("erlang_c", "erlang_a"):
        raise ValueError(f"model must be 'erlang_c' or 'erlang_a', got {model!r}")
    if (model == "erlang_a" or max_abandon_rate is not None) and patience_s is None:
        raise ValueError("Erlang A needs a patience (mean seconds before a caller hangs up)")
    shape = np.broadcast(np.asarray(load), np.asarray(aht_s)).shape
    a, aht = (v.ravel() for v in _floats(load, aht_s))
    if np.any(a < 0) or not np.all(np.isfinite(a)):
        raise ValueError("offered load must be finite and ≥ 0")
    targets = dict(service_level=service_level, answer_within_s=answer_within_s, max_asa_s=max_asa_s,
                   max_occupancy=max_occupancy)
    t = np.full(a.size, float(answer_within_s))
    patience = None if patience_s is None else np.full(a.size, float(patience_s))
    hi = _first_guess(a, max_occupancy)
    while True:
        table = erlang_b_table(a, int(hi.max()) if hi.size else 0)

        def blocking(n, idx):
            return table[np.minimum(n, table.shape[0] - 1), idx]

        def erlang_a_ok(n, idx, **limits):
            m = _erlang_a_measures(n.astype(float), a[idx], aht[idx], patience[idx], t[idx], blocking(n, idx))
            return _meets(m, **limits)

        found, need = _scan_erlang_c(a, aht, t, hi, blocking, targets)
        if model == "erlang_a":
            # Erlang A usually lands a little below Erlang C's count: search out from there.
            limits = dict(targets, max_abandon_rate=max_abandon_rate)
            found, need = _search_from(lambda n, idx: erlang_a_ok(n, idx, **limits), np.where(found, need, hi), hi)
        elif max_abandon_rate is not None:
            # Erlang C's count, or more where too many callers would hang up.
            caps = dict(service_level=0.0, answer_within_s=answer_within_s, max_asa_s=None,
                        max_occupancy=np.inf, max_abandon_rate=max_abandon_rate)
            short = np.flatnonzero(found)
            ok = erlang_a_ok(need[short], short, **caps)
            short = short[~ok]
            if short.size:
                more_found, more = _search_from(lambda n, idx: erlang_a_ok(n, short[idx], **caps),
                                                need[short], hi[short], lowest=need[short] + 1)
                found[short], need[short] = more_found, more
        if found.all():
            need = np.where(a == 0, 0, need)
            return need.reshape(shape), blocking(need, np.arange(a.size)).reshape(shape)
        if hi.max() > 10 * a.max() + 100_000:
            raise ValueError("the targets cannot be met by any number of agents")
        hi = np.where(found, hi, 2 * hi)


def _scan_erlang_c(a, aht, t, hi, blocking, targets) -> tuple[np.ndarray, np.ndarray]:
    """Smallest Erlang C count per interval, counting up from the first stable one that could fit."""
    # Below both floor(a) + 1 (no steady state) and a/occupancy − 1 nothing can meet the targets.
    n = np.maximum(np.floor(a) + 1, np.floor(a / targets["max_occupancy"]) - 1).astype(np.int64)
    n = np.where(a == 0, 0, n)
    need = hi.copy()
    found = np.zeros(a.size, dtype=bool)
    todo = np.flatnonzero(n <= hi)
    while todo.size:
        k = n[todo]
        m = _erlang_c_measures(k.astype(float), a[todo], aht[todo], t[todo], blocking(k, todo))
        ok = _meets(m, max_abandon_rate=None, **targets)
        need[todo[ok]] = k[ok]
        found[todo[ok]] = True
        n[todo] += 1
        todo = todo[~ok & (n[todo] <= hi[todo])]
    return found, need


def _search_from(feasible, hint: np.ndarray, cap: np.ndarray, lowest=None) -> tuple[np.ndarray, np.ndarray]:
    """Smallest n in lowest..cap with feasible(n, rows) per row, galloping out from a hint, then bisecting.

    Feasibility must grow with n. `feasible` sees only the rows still open. Returns (found, n).
    """
    size = hint.size
    lowest = np.zeros(size, dtype=np.int64) if lowest is None else np.asarray(lowest, dtype=np.int64)
    hint = np.clip(hint, lowest, cap)
    lo, hi = lowest - 1, np.full(size, -1)  # lo: known infeasible (or below range); hi: known feasible (−1: none)
    ok = feasible(hint, np.arange(size))
    hi[ok], lo[~ok] = hint[ok], hint[~ok]
    step = np.ones(size, dtype=np.int64)
    # Gallop: down from feasible hints, up from infeasible ones, doubling the step.
    going = np.flatnonzero((ok & (hi - 1 > lo)) | (~ok & (lo < cap)))
    while going.size:
        up = hi[going] < 0
        probe = np.where(up, np.minimum(lo[going] + step[going], cap[going]),
                         np.maximum(hi[going] - step[going], lo[going] + 1))
        ok = feasible(probe, going)
        hi[going[ok]], lo[going[~ok]] = probe[ok], probe[~ok]
        step[going] *= 2
        done = np.where(up, ok | (probe >= cap[going]), ~ok | (probe <= lowest[going]))
        going = going[~done]
    # Bisect the brackets (lo infeasible, hi feasible) that are still wider than one.
    going = np.flatnonzero((hi >= 0) & (hi - lo > 1))
    while going.size:
        mid = (lo[going] + hi[going]) // 2
        ok = feasible(mid, going)
        hi[going[ok]], lo[going[~ok]] = mid[ok], mid[~ok]
        going = going[hi[going] - lo[going] > 1]
    return hi >= 0, np.where(hi >= 0, hi, cap)
