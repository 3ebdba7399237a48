"""CP-SAT models of the roster, built on a RosterProblem.

Coverage depends on people only through how many work each shift and lunch in each slot per day,
so the roster is solved in two stages:

1. `aggregate_model`: per day and class of interchangeable people (leader or not, allowed shifts,
   preferred rest weekday), how many rest, work each shift and lunch in each slot. Every person rule
   enters summed over the class (weekly rest totals, rest in every (max consecutive + 1)-day window,
   paid-hour cap), so it is a relaxation of the full problem: its proven bound is a valid lower bound.
2. `leader_rest_days`: the leaders' rest days (CP-SAT), then everyone else's by earliest deadline
   first (scheduler.roster_assign), matching the aggregate's daily counts as far as the person rules
   allow; small classes the rule left off the counts are matched again by CP-SAT, their forced
   misses put where they cost least (`matched_rest_days`). Shifts and lunches go to people
   afterwards. When the counts could not be matched exactly, the shift and lunch counts are
   re-optimised for the rest days chosen (`aggregate_model(fixed_rest=)`).

`flat_model` is the textbook (employee, day, shift) model the benchmark measures as the baseline.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster_problem import WEEKEND, RosterProblem

# A shift without its leader costs more than any coverage could gain.
LEADER_MISSING_COST = 1_000_000
# The aggregate stops this close to its bound: its first solution is often there already (its LP
# is nearly tight), and the time left builds more rosters from it.
AGGREGATE_GAP = 0.001

Progress = Callable[[float, float, float], None]


@dataclass
class Solved:
    """What a model solve gives back: status name, objective, bound and the values read out."""

    status: str
    objective: float = float("nan")
    bound: float = float("nan")
    seconds: float = 0.0
    values: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None, offset: float, started: float):
        super().__init__()
        self._progress, self._offset, self._started = progress, offset, started

    def on_solution_callback(self) -> None:
        if self._progress is not None:
            self._progress(self.objective_value + self._offset, self.best_objective_bound + self._offset,
                           time.monotonic() - self._started)


def run(model: cp_model.CpModel, time_limit_s: float, workers: int = 2, progress: Progress | None = None,
        offset: float = 0.0, started: float | None = None, presolve: bool = True,
        linearization: int = 1, gap: float = 0.0) -> tuple[cp_model.CpSolver, str]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit_s))
    solver.parameters.relative_gap_limit = gap
    solver.parameters.num_workers = workers
    solver.parameters.cp_model_presolve = presolve
    solver.parameters.linearization_level = linearization
    if stopped():
        solver.parameters.max_time_in_seconds = 0.0
    with _stopping(solver, STOP.get()):
        status = solver.solve(model, _Reporter(progress, offset, started or time.monotonic()))
    return solver, solver.status_name(status)


@contextmanager
def _stopping(solver: cp_model.CpSolver, stop: threading.Event | None):
    """While the solve runs, a watcher ends it once `stop` is set: a solution callback may not come for
    seconds (a search proving its bound), and CP-SAT swallows what a callback raises."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop.is_set():
                solver.stop_search()

    watcher = threading.Thread(target=watch, name="cp-sat-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


# Set by `stopping` for its own thread: every CP-SAT search in it ends within ~0.1 s of the event being
# set, keeping the best solution found so far.
STOP: ContextVar[threading.Event | None] = ContextVar("roster_stop", default=None)


@contextmanager
def stopping(stop: threading.Event | None):
    """Every roster solve in the block (in this thread) stops once `stop` is set; None keeps the enclosing
    block's event, so a search made of many solves (the headcount's) is stopped by one event."""
    if stop is None:
        yield
        return
    token = STOP.set(stop)
    try:
        yield
    finally:
        STOP.reset(token)


def stopped() -> bool:
    """Whether the solve running in this context was asked to stop (its STOP event is set)."""
    stop = STOP.get()
    return stop is not None and stop.is_set()


@dataclass
class _Coverage:
    """Coverage variables of a model: per-day shift counts in, shortfall / overstaffing out."""

    lunch: dict  # (d, s, l) -> IntVar
    short: np.ndarray  # (D, T) of IntVar
    deep: np.ndarray  # (D, T) of IntVar (or 0): agents missing beyond half the requirement
    over: np.ndarray
    leader_missing: dict  # (d, s) -> IntVar
    terms: list  # (coefficient, var)
    pieces: dict = field(default_factory=dict)  # (d, t) -> (short IntVar, deep IntVar or None, over IntVar)


def add_coverage(model: cp_model.CpModel, p: RosterProblem, on_phone: dict, leaders: dict) -> _Coverage:
    """Lunch counts, shortfall and overstaffing per interval, and a leader on each shift each day.

    `on_phone[d, s]` and `leaders[d, s]` are linear expressions: people on the phones / leaders working
    shift s on day d. At most ceil(share · n) of a shift's n people on the phones are at lunch at
    the same time (the stagger rule); the objective prices shortfall, deep shortfall
    (RosterProblem.shortfall_cost), overstaffing and lunches in airings (RosterProblem.lunch_cost).
    """
    D, T, S = p.n_days, p.n_intervals, len(p.shift_codes)
    w = p.rules.weights
    E = p.n_people
    a, b = p.rules.stagger_fraction
    lunch, terms, leader_missing = {}, [], {}
    staffed = [[[] for _ in range(T)] for _ in range(D)]
    for d in range(D):
        for s in range(S):
            n = on_phone[d, s]
            slots = p.lunch_slots[s]
            for t in np.flatnonzero(p.cover[s]):
                staffed[d][t].append(n)
            if slots:
                here = {}  # this shift and day's lunches: slot -> IntVar
                for k, l in enumerate(slots):
                    if p.lunch_ok[d, s, k]:
                        x = model.new_int_var(0, E, f"lunch_d{d}_s{s}_l{l}")
                        lunch[d, s, l] = here[l] = x
                        for t in range(l, l + p.lunch_len):
                            staffed[d][t].append(-x)
                        terms.append((int(p.lunch_cost[d, s, k]), x))
                model.add(sum(here.values()) == n)
                if a < b:
                    # at lunch at once in each interval <= ceil(a·n / b), in integers; an interval whose
                    # lunches are a subset of another's adds nothing
                    sets = {frozenset(l for l in here if l <= t < l + p.lunch_len)
                            for t in range(slots[0], slots[-1] + p.lunch_len)}
                    for away in sets:
                        if away and not any(away < other for other in sets):
                            # n is the sum of the shift's lunches: written over them alone, the
                            # constraint stays local to this shift and day (much faster to solve
                            # than through the shift counts)
                            model.add((b - a) * sum(here[l] for l in sorted(away))
                                      - a * sum(x for l, x in here.items() if l not in away) <= b - 1)
            need = p.rules.leaders_per_shift
            if need > 0:
                miss = model.new_int_var(0, need, f"leader_missing_d{d}_s{s}")
                model.add(leaders[d, s] + miss >= need)
                leader_missing[d, s] = miss
                terms.append((LEADER_MISSING_COST, miss))
    short = np.empty((D, T), object)
    deep = np.zeros((D, T), object)
    over = np.empty((D, T), object)
    pieces = {}
    for d in range(D):
        for t in range(T):
            r = int(p.required[d, t])
            ov = model.new_int_var(0, E, f"over_d{d}_t{t}")
            terms.append((w.overstaffing, ov))
            # the shortfall in two pieces, the agents missing beyond deep_from costing more: the
            # objective is convex, so the cheap piece fills first (RosterProblem.shortfall_cost)
            depth = r - int(p.deep_from[d, t]) if p.deep_weight[d, t] else 0
            su = model.new_int_var(0, r - max(depth, 0), f"short_d{d}_t{t}")
            terms.append((int(p.shortfall_weight[d, t]), su))
            if depth > 0:
                dp = model.new_int_var(0, depth, f"deep_d{d}_t{t}")
                terms.append((int(p.shortfall_weight[d, t] + p.deep_weight[d, t]), dp))
                model.add(sum(staffed[d][t]) + su + dp - ov == r)
                short[d, t], deep[d, t] = su + dp, dp
            else:
                model.add(sum(staffed[d][t]) + su - ov == r)
                short[d, t], dp = su, None
            over[d, t] = ov
            pieces[d, t] = (su, dp, ov)
    return _Coverage(lunch, short, deep, over, leader_missing, terms, pieces)


def _objective(model: cp_model.CpModel, terms: list) -> None:
    terms = [(c, v) for c, v in terms if c]
    model.minimize(cp_model.LinearExpr.weighted_sum([v for _, v in terms], [c for c, _ in terms]))


def _shift_counts(model, p: RosterProblem, working: dict) -> tuple[dict, dict, dict]:
    """Per class, day and allowed shift an integer count summing to the class's working people."""
    y = {}
    on_phone, leaders = {}, {}
    S = len(p.shift_codes)
    for (c, d), n in working.items():
        leader, phone, allowed = p.classes[c][:3]
        size = len(p.members(c))
        ys = []
        for s in range(S):
            if allowed[s]:
                y[c, d, s] = model.new_int_var(0, size, f"y_c{c}_d{d}_s{s}")
                ys.append(y[c, d, s])
        model.add(sum(ys) == n)
    for d in range(p.n_days):
        for s in range(S):
            on_phone[d, s], leaders[d, s] = [], []
    for (c, d, s), v in y.items():
        if p.classes[c][1]:
            on_phone[d, s].append(v)
        if p.classes[c][0]:
            leaders[d, s].append(v)
    return y, {k: sum(v) for k, v in on_phone.items()}, {k: sum(v) for k, v in leaders.items()}


def aggregate_model(p: RosterProblem, fixed_rest: dict | None = None, irregular_exact: bool = False,
                    hint: dict | None = None) -> tuple[cp_model.CpModel, dict]:
    """Stage 1: day-level counts; its bound is a lower bound of every roster's objective.

    People's rest days enter pooled per class with the person rules summed (weekly rest totals, rest
    in every (max consecutive + 1)-day window, paid-hour cap), a relaxation; with `irregular_exact`
    the people of irregular classes (leave, their own start) get one variable each instead, exact for
    them. With `fixed_rest` ((class, day) -> people resting, people already chosen) only shifts and
    lunches are optimised.
    """
    model = cp_model.CpModel()
    D = p.n_days
    singles, pooled = [], defaultdict(list)
    if fixed_rest is None:
        for e in range(p.n_people):
            if irregular_exact and p.classes[p.class_of[e]][4]:
                singles.append(e)
            else:
                pooled[int(p.class_of[e])].append(e)
    pv = _person_rules(model, p, singles, soft=False)
    resting = defaultdict(list)
    for (e, d), x in pv.rest.items():
        resting[int(p.class_of[e]), d].append(x)
    pool, working, terms = {}, {}, []
    for c in range(len(p.classes)):
        members = p.members(c)
        avail = (~p.leave[members]).sum(axis=0)
        if fixed_rest is not None:
            for d in range(D):
                resting[c, d] = [int(fixed_rest[c, d])]
        else:
            mine = np.array(pooled.get(c, []), np.int64)
            if len(mine):
                free = (~p.leave[mine]).sum(axis=0)
                for d in range(D):
                    pool[c, d] = model.new_int_var(0, int(free[d]), f"rest_c{c}_d{d}")
                    resting[c, d].append(pool[c, d])
                for w, week in enumerate(p.weeks):
                    lo, hi = p.rest_bounds[mine, w].sum(axis=0)
                    model.add_linear_constraint(sum(pool[c, d] for d in week.days), int(lo), int(hi))
                for k, days in enumerate(p.windows):
                    need = int(p.window_need[mine, k].sum())
                    if need:
                        model.add(sum(pool[c, d] for d in days) >= need)
                model.add(sum(int(free[d]) - pool[c, d] for d in range(D)) <= int(p.max_work_days[mine].sum()))
        for d in range(D):
            r = sum(resting[c, d])
            working[c, d] = int(avail[d]) - r
            cost = int(p.rest_cost[members[0], d])
            if cost and resting[c, d]:
                terms.append((cost, r))
    y, on_phone, leaders = _shift_counts(model, p, working)
    cov = add_coverage(model, p, on_phone, leaders)
    expr = [(c, v) for c, v in cov.terms + terms if c]
    model.minimize(sum(c * v for c, v in expr))
    if hint is not None:
        for (e, d), x in pv.rest.items():
            model.add_hint(x, bool(hint["rest"][e, d]))
        for (c, d), x in pool.items():
            model.add_hint(x, int(hint["rest"][pooled[c], d].sum()))
        for k, x in y.items():
            model.add_hint(x, hint["y"].get(k, 0))
        for k, x in cov.lunch.items():
            model.add_hint(x, hint["lunch"].get(k, 0))
        _hint_coverage(model, p, cov, hint["y"], hint["lunch"])
    return model, {"singles": pv.rest, "pool": pool, "y": y, "cov": cov}


def counts_for_rest_days(p: RosterProblem, fixed_rest: dict, y_ref: dict | None = None,
                         lunch_ref: dict | None = None) -> tuple[dict, dict]:
    """Shift and lunch counts that fit the rest days chosen, by hand: close to a reference solution
    (the aggregate's) and within every rule of the counts (allowed shifts, lunch slots, stagger cap).

    A start for `aggregate_model(fixed_rest=)` and the answer when that finds nothing in time.
    """
    y_ref, lunch_ref = y_ref or {}, lunch_ref or {}
    S = len(p.shift_codes)
    y: dict = {}
    for c, key in enumerate(p.classes):
        shifts = [s for s in range(S) if key[2][s]]
        members = p.members(c)
        for d in range(p.n_days):
            n = int((~p.leave[members, d]).sum()) - int(fixed_rest.get((c, d), 0))
            counts = {s: int(y_ref.get((c, d, s), 0)) for s in shifts}
            while sum(counts.values()) > n:
                counts[max(shifts, key=lambda s: counts[s])] -= 1
            for k in range(n - sum(counts.values())):
                counts[shifts[(k + d) % len(shifts)]] += 1
            for s in shifts:
                y[c, d, s] = counts[s]
    lunch: dict = {}
    _, phones = shift_counts(p, y)
    for d in range(p.n_days):
        for s, slots in enumerate(p.lunch_slots):
            if not slots:
                continue
            n = int(phones[d, s])
            allowed = [(k, l) for k, l in enumerate(slots) if p.lunch_ok[d, s, k]]
            placed = _place_lunches(p, d, s, allowed, n, lunch_ref)
            for l, v in placed.items():
                lunch[d, s, l] = v
    return y, lunch


def _place_lunches(p: RosterProblem, d: int, s: int, allowed: list, n: int, ref: dict) -> dict:
    """n lunches on allowed (k, slot) pairs under the stagger cap, near the reference counts; if the
    greedy gets stuck, filled slot by slot on lunches that do not overlap (clear ones first)."""
    cap = p.lunch_cap(n)
    span = p.lunch_len
    away: dict = {}
    used = {l: 0 for _, l in allowed}

    def room(l: int) -> bool:
        return all(away.get(t, 0) < cap for t in range(l, l + span))

    for _ in range(n):
        fits = [kl for kl in allowed if room(kl[1])]
        if not fits:
            break
        k, l = max(fits, key=lambda kl: (ref.get((d, s, kl[1]), 0) - used[kl[1]], p.lunch_clear[d, s, kl[0]],
                                         -p.lunch_cost[d, s, kl[0]], -used[kl[1]]))
        used[l] += 1
        for t in range(l, l + span):
            away[t] = away.get(t, 0) + 1
    if sum(used.values()) == n:
        return used
    used = {l: 0 for _, l in allowed}
    order = sorted(allowed, key=lambda kl: (not p.lunch_clear[d, s, kl[0]], p.lunch_cost[d, s, kl[0]]))
    chosen: list[int] = []
    for _, l in order:
        if all(abs(l - m) >= span for m in chosen):
            chosen.append(l)
    left = n
    for l in chosen:
        used[l] = min(cap, left)
        left -= used[l]
    if left:
        used[chosen[0]] += left  # the rules allow no better (a stagger share below one over the hours)
    return used


def shift_counts(p: RosterProblem, y: dict) -> tuple[np.ndarray, np.ndarray]:
    """(D, S) leaders and (D, S) people on the phones working each shift, for the day-level counts y
    ((class, day, shift) -> people)."""
    S = len(p.shift_codes)
    phones = np.zeros((p.n_days, S), np.int64)
    leaders = np.zeros((p.n_days, S), np.int64)
    for (c, d, s), v in y.items():
        phones[d, s] += int(v) * p.classes[c][1]
        leaders[d, s] += int(v) * p.classes[c][0]
    return leaders, phones


def counts_staffing(p: RosterProblem, y: dict, lunch: dict) -> tuple[np.ndarray, np.ndarray]:
    """(D, S) leaders working each shift and (D, T) people on the phones per interval, for the day-level
    counts y ((class, day, shift) -> people) and lunch ((day, shift, slot) -> people)."""
    leaders, phones = shift_counts(p, y)
    staffed = phones @ p.cover.astype(np.int64)
    for (d, s, l), v in lunch.items():
        staffed[d, l:l + p.lunch_len] -= int(v)
    return leaders, staffed


def _hint_coverage(model: cp_model.CpModel, p: RosterProblem, cov: _Coverage, y: dict, lunch: dict) -> None:
    """Hint the shortfall, overstaffing and missing leaders the hinted counts give, so the hint is a
    complete solution CP-SAT starts from."""
    leaders, staffed = counts_staffing(p, y, lunch)
    for (d, t), (su, dp, ov) in cov.pieces.items():
        short = max(int(p.required[d, t] - staffed[d, t]), 0)
        deep = max(short - int(p.deep_from[d, t]), 0) if dp is not None else 0
        model.add_hint(su, short - deep)
        if dp is not None:
            model.add_hint(dp, deep)
        model.add_hint(ov, max(int(staffed[d, t] - p.required[d, t]), 0))
    for (d, s), miss in cov.leader_missing.items():
        model.add_hint(miss, max(p.rules.leaders_per_shift - int(leaders[d, s]), 0))


def solve_aggregate(p: RosterProblem, time_limit_s: float, workers: int = 1, fixed_rest: dict | None = None,
                    progress: Progress | None = None, started: float | None = None,
                    irregular_exact: bool = False, hint: dict | None = None) -> Solved:
    """Measured on synthetic months: one worker without presolve, with the full LP
    (linearization level 2), proves the aggregate optimal fastest (its LP relaxation is nearly tight;
    presolve spends seconds and weakens it; a second worker only competes for the same cores)."""
    t0, started = started, time.monotonic()
    model, v = aggregate_model(p, fixed_rest, irregular_exact, hint)
    solver, status = run(model, time_limit_s - (time.monotonic() - started), workers, progress, 0.0,
                         t0 if t0 is not None else started, presolve=False, linearization=2, gap=AGGREGATE_GAP)
    out = Solved(status, seconds=time.monotonic() - started)
    out.bound = solver.best_objective_bound
    if status in ("OPTIMAL", "FEASIBLE"):
        out.objective = solver.objective_value
        # people whose rest days the model decided (the irregular ones when exact)
        rest = np.zeros((p.n_people, p.n_days), bool)
        decided = np.zeros(p.n_people, bool)
        for (e, d), x in v["singles"].items():
            rest[e, d] = bool(solver.value(x))
        decided[list({e for e, _ in v["singles"]})] = True
        out.values = {
            "rest_of": rest, "decided": decided,
            "pool": {k: solver.value(x) for k, x in v["pool"].items()},
            "y": {k: solver.value(x) for k, x in v["y"].items()},
            "lunch": {k: solver.value(x) for k, x in v["cov"].lunch.items()},
        }
    return out


@dataclass
class _PersonVars:
    rest: dict  # (e, d) -> BoolVar for days not on leave
    terms: list


def _person_rules(model: cp_model.CpModel, p: RosterProblem, people=None, soft: bool = True) -> _PersonVars:
    """Rest-day variables with every person rule: weekly rest, consecutive days, cap; soft person goals."""
    E, D = p.n_people, p.n_days
    people = range(E) if people is None else people
    w = p.rules.weights
    rest, terms = {}, []
    for e in people:
        for d in range(D):
            if not p.leave[e, d]:
                rest[e, d] = model.new_bool_var(f"rest_e{e}_d{d}")
    for e in people:
        add_person_rest_rules(model, p, e, rest)
        if not soft:
            continue
        for d in range(D):
            if (e, d) not in rest:
                continue
            if p.rest_request[e, d]:
                terms.append((w.rest_request, rest[e, d].Not()))
            if p.shift_request[e, d] >= 0:
                terms.append((w.shift_request, rest[e, d]))
            prev = p.previous_rest[e, d]
            if prev >= 0 and w.change_from_previous:
                terms.append((w.change_from_previous, rest[e, d].Not() if prev == 1 else rest[e, d]))
    # Weekend rests shared fairly among the people with no leave on a weekend.
    weekend = [d for d, day in enumerate(p.days) if day.weekday() in WEEKEND]
    fair = [e for e in people if not p.leave[e, weekend].any()] if weekend and soft else []
    if len(fair) > 1 and w.weekend_rest_fairness:
        most = model.new_int_var(0, len(weekend), "weekend_rests_most")
        least = model.new_int_var(0, len(weekend), "weekend_rests_least")
        for e in fair:
            count = sum(rest[e, d] for d in weekend)
            model.add(count <= most)
            model.add(count >= least)
        spread = model.new_int_var(0, len(weekend), "weekend_rest_spread")
        model.add(spread == most - least)
        terms.append((w.weekend_rest_fairness, spread))
    return _PersonVars(rest, terms)


def add_person_rest_rules(model: cp_model.CpModel, p: RosterProblem, e: int, rest: dict) -> None:
    """Person e's rest rules over `rest[e, d]` booleans: rest days per week, a rest in every window of
    max-consecutive days, and the month's most work days."""
    for k, week in enumerate(p.weeks):
        lo, hi = (int(v) for v in p.rest_bounds[e, k])
        model.add_linear_constraint(sum(rest[e, d] for d in week.days if (e, d) in rest), lo, hi)
    for k in np.flatnonzero(p.window_need[e]):
        model.add_bool_or([rest[e, d] for d in p.windows[k] if (e, d) in rest])
    if p.max_work_days[e] < p.n_days:
        model.add(sum(1 - rest[e, d] for d in range(p.n_days) if (e, d) in rest) <= int(p.max_work_days[e]))


def flat_model(p: RosterProblem) -> tuple[cp_model.CpModel, dict]:
    """The baseline: a boolean per (employee, day, shift), coverage summed over people directly."""
    model = cp_model.CpModel()
    E, D, S = p.n_people, p.n_days, len(p.shift_codes)
    work = {}
    for e in range(E):
        for d in range(D):
            if p.leave[e, d]:
                continue
            for s in range(S):
                if p.allowed[e, s]:
                    work[e, d, s] = model.new_bool_var(f"work_e{e}_d{d}_s{s}")
    rest = {}
    for e in range(E):
        for d in range(D):
            if p.leave[e, d]:
                continue
            shifts = [work[e, d, s] for s in range(S) if (e, d, s) in work]
            rest[e, d] = model.new_bool_var(f"rest_e{e}_d{d}")
            model.add_exactly_one(shifts + [rest[e, d]])
        add_person_rest_rules(model, p, e, rest)
    on_phone, leaders = {}, {}
    for d in range(D):
        for s in range(S):
            on_phone[d, s] = sum(work[e, d, s] for e in range(E) if (e, d, s) in work and p.on_phone[e])
            leaders[d, s] = sum(work[e, d, s] for e in range(E) if (e, d, s) in work and p.leader[e])
    cov = add_coverage(model, p, on_phone, leaders)
    terms = cov.terms + [(int(p.rest_cost[e, d]), x) for (e, d), x in rest.items()]
    _objective(model, terms)
    return model, {"work": work, "rest": rest, "cov": cov}


def solve_flat(p: RosterProblem, time_limit_s: float, workers: int = 2) -> Solved:
    t0 = time.monotonic()
    model, v = flat_model(p)
    solver, status = run(model, time_limit_s, workers)
    out = Solved(status, seconds=time.monotonic() - t0)
    out.bound = solver.best_objective_bound
    if status in ("OPTIMAL", "FEASIBLE"):
        out.objective = solver.objective_value
        out.values = {
            "short": np.vectorize(solver.value)(v["cov"].short),
            "over": np.vectorize(solver.value)(v["cov"].over),
        }
    return out


def leader_rest_days(p: RosterProblem, counts: dict, time_limit_s: float, which: np.ndarray,
                     workers: int = 1) -> np.ndarray | None:
    """Rest days of the leaders in `which`: every person rule, a leader for each shift each day wherever
    leave allows, and as close as possible to the aggregate's daily rest counts. (E, D) rows of
    others are left False; None when no answer came in time."""
    leaders = [int(e) for e in np.flatnonzero(which)]
    if not leaders:
        return np.zeros((p.n_people, p.n_days), bool)
    model = cp_model.CpModel()
    pv = _person_rules(model, p, leaders)
    terms = list(pv.terms)
    need = p.rules.leaders_per_shift
    S = len(p.shift_codes)
    for d in range(p.n_days):
        for s in range(S):
            able = [1 - pv.rest[e, d] for e in leaders if (e, d) in pv.rest and p.allowed[e, s]]
            miss = model.new_int_var(0, need, f"leaders_short_d{d}_s{s}")
            model.add(sum(able) + miss >= need)
            terms.append((LEADER_MISSING_COST, miss))
        working = [1 - pv.rest[e, d] for e in leaders if (e, d) in pv.rest]
        miss = model.new_int_var(0, need * S, f"leaders_short_d{d}")
        model.add(sum(working) + miss >= need * S)
        terms.append((LEADER_MISSING_COST, miss))
    for c, key in enumerate(p.classes):
        if not key[0]:
            continue
        members = p.members(c)
        for d in range(p.n_days):
            resting = [pv.rest[e, d] for e in members if (e, d) in pv.rest]
            if not resting:
                continue
            dev = model.new_int_var(0, len(resting), f"dev_c{c}_d{d}")
            model.add_abs_equality(dev, sum(resting) - int(counts.get((c, d), 0)))
            terms.append((p.rules.weights.shortfall * 4, dev))
    _objective(model, terms)
    solver, status = run(model, time_limit_s, workers, presolve=False)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None
    rest = np.zeros((p.n_people, p.n_days), bool)
    for (e, d), x in pv.rest.items():
        rest[e, d] = bool(solver.value(x))
    return rest


def rest_change_costs(p: RosterProblem, y: dict, lunch: dict, pieces: int = 3) -> np.ndarray:
    """(C, D, 2, pieces) objective change, for the counts (y, lunch), of each of the first `pieces`
    extra people of class c resting on day d ([..., 0, k]: the k+1-th more resting, each leaving the
    shift it costs least to lose) and of as many fewer resting ([..., 1, k], each joining the shift it
    helps most). Convex by construction when the coverage cost is; lunches are left as they are."""
    _, staffed = counts_staffing(p, y, lunch)
    cover = p.cover.astype(np.int64)
    out = np.zeros((len(p.classes), p.n_days, 2, pieces), np.int64)
    for c, key in enumerate(p.classes):
        shifts = np.flatnonzero(key[2])
        if not key[1] or not len(shifts):
            continue  # off the phones: resting changes no coverage
        for side, step in enumerate((-1, 1)):
            x = staffed.copy()
            for k in range(pieces):
                # the shift whose coverage changes cheapest with one person fewer (more)
                now = p.coverage_cost(x)
                deltas = np.array([((p.coverage_cost(x + step * cover[s]) - now) * cover[s]).sum(axis=1) for s in shifts])
                best = np.argmin(deltas, axis=0)
                out[c, :, side, k] = deltas[best, np.arange(p.n_days)]
                x = x + step * cover[shifts[best]]
    return out


def matched_rest_days(p: RosterProblem, rest: np.ndarray, counts: dict, classes: list[int],
                      costs: np.ndarray, time_limit_s: float) -> np.ndarray:
    """`rest` with the rest days of the given classes' members re-chosen near the day-level rest
    counts `counts` ((class, day) -> people resting) within every person rule, each class its own
    small CP-SAT model started from its current rows. A day's rest count off its target costs what
    it changes in coverage (`costs`, from rest_change_costs), so rest days the rules force away from
    the counts go where they cost least; the person goals (requests, fair weekend rests) count too."""
    rest = rest.copy()
    until = time.monotonic() + time_limit_s
    pieces = costs.shape[3]
    for i, c in enumerate(classes):
        members = [int(e) for e in p.members(c)]
        model = cp_model.CpModel()
        pv = _person_rules(model, p, members)
        terms = list(pv.terms)
        for d in range(p.n_days):
            resting = [pv.rest[e, d] for e in members if (e, d) in pv.rest]
            if not resting:
                continue
            # convex pieces: one person each, the last taking any more at its cost
            size = [1] * (pieces - 1) + [len(resting)]
            more = [model.new_int_var(0, n, f"more_c{c}_d{d}_{k}") for k, n in enumerate(size)]
            fewer = [model.new_int_var(0, n, f"fewer_c{c}_d{d}_{k}") for k, n in enumerate(size)]
            model.add(sum(resting) - int(counts.get((c, d), 0)) == sum(more) - sum(fewer))
            for k in range(pieces):
                # +1: of two placements costing the same, the one nearer the counts
                terms.append((int(costs[c, d, 0, k]) + 1, more[k]))
                terms.append((int(costs[c, d, 1, k]) + 1, fewer[k]))
        for (e, d), x in pv.rest.items():
            model.add_hint(x, bool(rest[e, d]))
        _objective(model, terms)
        # the full LP: measured, it proves a class of 18 people optimal in 0.1 s where level 1 stalls
        solver, status = run(model, (until - time.monotonic()) / (len(classes) - i), 1, linearization=2)
        if status in ("OPTIMAL", "FEASIBLE"):
            for (e, d), x in pv.rest.items():
                rest[e, d] = bool(solver.value(x))
    return rest


def relax_impossible_rest_weeks(p: RosterProblem) -> dict[int, np.ndarray]:
    """People whose own rules cannot all hold (weekly rest days against consecutive days, say after
    the previous roster): their weekly rest bounds are widened in place so the roster can be built.
    Returns employee -> original (W, 2) bounds, for the explanations."""
    relaxed: dict[int, np.ndarray] = {}
    verdict: dict[bytes, bool] = {}
    for e in range(p.n_people):
        key = p.rest_bounds[e].tobytes() + p.window_need[e].tobytes() + p.leave[e].tobytes() + bytes([int(p.max_work_days[e] % 256)])
        if key not in verdict:
            model = cp_model.CpModel()
            _person_rules(model, p, [e], soft=False)
            verdict[key] = run(model, 5.0, 1)[1] in ("OPTIMAL", "FEASIBLE")
        if not verdict[key]:
            relaxed[e] = p.rest_bounds[e].copy()
            free = (~p.leave[e]).astype(np.int64)
            p.rest_bounds[e, :, 0] = 0
            p.rest_bounds[e, :, 1] = [int(free[list(w.days)].sum()) for w in p.weeks]
    return relaxed
