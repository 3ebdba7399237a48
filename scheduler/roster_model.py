"""CP-SAT models of the roster, built on a RosterProblem.

Coverage depends on people only through how many work each shift and lunch in each slot per day,
so the roster is solved in two stages:

1. `aggregate_model`: per day and class of interchangeable people (leader or not, allowed shifts,
   preferred rest weekday), how many rest, work each shift and lunch in each slot. Every person rule
   enters summed over the class (weekly rest totals, rest in every (max consecutive + 1)-day window,
   paid-hour cap), so it is a relaxation of the full problem: its proven bound is a valid lower bound.
2. `person_model`: who rests on which day, either matching the aggregate's daily counts exactly
   (fast, and then coverage equals the bound) or with coverage free (when the counts cannot be split
   into people). Shifts and lunches go to people afterwards (scheduler.roster_assign).

`flat_model` is the textbook (employee, day, shift) model the benchmark measures as the baseline.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster_problem import WEEKEND, RosterProblem

# A shift without its leader costs more than any coverage could gain.
LEADER_MISSING_COST = 1_000_000
# A person rule broken in the relaxed fallback model (weekly rest, consecutive days).
PERSON_RULE_COST = 100_000

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
        offset: float = 0.0, started: float | None = None) -> tuple[cp_model.CpSolver, str]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, float(time_limit_s))
    solver.parameters.num_workers = workers
    status = solver.solve(model, _Reporter(progress, offset, started or time.monotonic()))
    return solver, solver.status_name(status)


@dataclass
class _Coverage:
    """Coverage variables of a model: per-day shift counts in, shortfall / overstaffing out."""

    lunch: dict  # (d, s, l) -> IntVar
    short: np.ndarray  # (D, T) of IntVar
    over: np.ndarray
    leader_missing: dict  # (d, s) -> IntVar
    terms: list  # (coefficient, var)


def add_coverage(model: cp_model.CpModel, p: RosterProblem, on_phone: dict, leaders: dict) -> _Coverage:
    """Lunch counts, shortfall and overstaffing per interval, and a leader on each shift each day.

    `on_phone[d, s]` and `leaders[d, s]` are linear expressions: people on the phones / leaders working
    shift s on day d.
    """
    D, T, S = p.n_days, p.n_intervals, len(p.shift_codes)
    w = p.rules.weights
    E = p.n_people
    lunch, terms, leader_missing = {}, [], {}
    staffed = [[[] for _ in range(T)] for _ in range(D)]
    for d in range(D):
        for s in range(S):
            n = on_phone[d, s]
            slots = p.lunch_slots[s]
            for t in np.flatnonzero(p.cover[s]):
                staffed[d][t].append(n)
            if slots:
                xs = []
                for k, l in enumerate(slots):
                    if p.lunch_ok[d, s, k]:
                        x = model.new_int_var(0, E, f"lunch_d{d}_s{s}_l{l}")
                        lunch[d, s, l] = x
                        xs.append(x)
                        for t in range(l, l + p.lunch_len):
                            staffed[d][t].append(-x)
                model.add(sum(xs) == n)
            need = p.rules.leaders_per_shift
            if need > 0:
                miss = model.new_int_var(0, need, f"leader_missing_d{d}_s{s}")
                model.add(leaders[d, s] + miss >= need)
                leader_missing[d, s] = miss
                terms.append((LEADER_MISSING_COST, miss))
    short = np.empty((D, T), object)
    over = np.empty((D, T), object)
    for d in range(D):
        for t in range(T):
            r = int(p.required[d, t])
            su = model.new_int_var(0, r, f"short_d{d}_t{t}")
            ov = model.new_int_var(0, E, f"over_d{d}_t{t}")
            model.add(sum(staffed[d][t]) + su - ov == r)
            short[d, t], over[d, t] = su, ov
            terms.append((int(p.shortfall_weight[d, t]), su))
            terms.append((w.overstaffing, ov))
    return _Coverage(lunch, short, over, leader_missing, terms)


def _objective(model: cp_model.CpModel, terms: list) -> None:
    terms = [(c, v) for c, v in terms if c]
    model.minimize(cp_model.LinearExpr.weighted_sum([v for _, v in terms], [c for c, _ in terms]))


def _shift_counts(model, p: RosterProblem, working: dict) -> tuple[dict, dict, dict]:
    """Per class, day and allowed shift an integer count summing to the class's working people."""
    y = {}
    on_phone, leaders = {}, {}
    S = len(p.shift_codes)
    for (c, d), n in working.items():
        leader, phone, allowed, _ = p.classes[c]
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


def aggregate_model(p: RosterProblem, fixed_rest: dict | None = None) -> tuple[cp_model.CpModel, dict]:
    """Stage 1: day-level counts per class; its bound is a lower bound of every roster's objective.

    With `fixed_rest` ((class, day) -> people resting) the rest days are given (people already
    chosen) and only the shift and lunch counts are optimised.
    """
    model = cp_model.CpModel()
    D = p.n_days
    rest, working, terms = {}, {}, []
    for c in range(len(p.classes)):
        members = p.members(c)
        avail = (~p.leave[members]).sum(axis=0)
        for d in range(D):
            if fixed_rest is not None:
                rest[c, d] = model.new_constant(int(fixed_rest[c, d]))
            else:
                rest[c, d] = model.new_int_var(0, int(avail[d]), f"rest_c{c}_d{d}")
            working[c, d] = int(avail[d]) - rest[c, d]
            cost = int(p.rest_cost[members[0], d])
            if cost:
                terms.append((cost, rest[c, d]))
        if fixed_rest is not None:
            continue
        for w, week in enumerate(p.weeks):
            lo, hi = p.rest_bounds[members, w].sum(axis=0)
            model.add_linear_constraint(sum(rest[c, d] for d in week.days), int(lo), int(hi))
        for k, days in enumerate(p.windows):
            need = int(p.window_need[members, k].sum())
            if need:
                model.add(sum(rest[c, d] for d in days) >= need)
        model.add(sum(working[c, d] for d in range(D)) <= int(p.max_work_days[members].sum()))
    y, on_phone, leaders = _shift_counts(model, p, working)
    cov = add_coverage(model, p, on_phone, leaders)
    _objective(model, cov.terms + terms)
    return model, {"rest": rest, "y": y, "cov": cov}


def solve_aggregate(p: RosterProblem, time_limit_s: float, workers: int = 2, fixed_rest: dict | None = None) -> Solved:
    started = time.monotonic()
    model, v = aggregate_model(p, fixed_rest)
    solver, status = run(model, time_limit_s, workers)
    out = Solved(status, seconds=time.monotonic() - started)
    if status in ("OPTIMAL", "FEASIBLE"):
        out.objective, out.bound = solver.objective_value, solver.best_objective_bound
        out.values = {
            "rest": {k: solver.value(x) for k, x in v["rest"].items()},
            "y": {k: solver.value(x) for k, x in v["y"].items()},
            "lunch": {k: solver.value(x) for k, x in v["cov"].lunch.items()},
        }
    else:
        out.bound = solver.best_objective_bound
    return out


@dataclass
class _PersonVars:
    rest: dict  # (e, d) -> BoolVar for days not on leave
    slack: dict  # ("week", e, w) or ("window", e, k) -> IntVar, only in the relaxed model
    terms: list


def _person_rules(model: cp_model.CpModel, p: RosterProblem, relaxed: bool, people=None) -> _PersonVars:
    """Rest-day variables with every person rule: weekly rest, consecutive days, cap; soft person goals."""
    E, D = p.n_people, p.n_days
    people = range(E) if people is None else people
    w = p.rules.weights
    rest, slack, terms = {}, {}, []
    for e in people:
        for d in range(D):
            if not p.leave[e, d]:
                rest[e, d] = model.new_bool_var(f"rest_e{e}_d{d}")
    for e in people:
        for k, week in enumerate(p.weeks):
            lo, hi = (int(v) for v in p.rest_bounds[e, k])
            total = sum(rest[e, d] for d in week.days if (e, d) in rest)
            if relaxed:
                under = model.new_int_var(0, lo, f"rest_under_e{e}_w{k}")
                above = model.new_int_var(0, len(week.days), f"rest_above_e{e}_w{k}")
                model.add_linear_constraint(total + under - above, lo, hi)
                slack["week", e, k] = under + above
                terms += [(PERSON_RULE_COST, under), (PERSON_RULE_COST, above)]
            else:
                model.add_linear_constraint(total, lo, hi)
        for k in np.flatnonzero(p.window_need[e]):
            days = [rest[e, d] for d in p.windows[k] if (e, d) in rest]
            if relaxed:
                miss = model.new_bool_var(f"streak_e{e}_k{k}")
                model.add_bool_or(days + [miss])
                slack["window", e, int(k)] = miss
                terms.append((PERSON_RULE_COST, miss))
            else:
                model.add_bool_or(days)
        if p.max_work_days[e] < D:
            work = sum(1 - rest[e, d] for d in range(D) if (e, d) in rest)
            model.add(work <= int(p.max_work_days[e]))
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
    fair = [e for e in people if not p.leave[e, weekend].any()] if weekend else []
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
    return _PersonVars(rest, slack, terms)


def person_model(p: RosterProblem, counts: dict | None = None, relaxed: bool = False, hint: dict | None = None):
    """Stage 2: who rests when. With `counts` ((class, day) -> rest count) the daily counts are fixed
    and coverage is the aggregate's; without, coverage is in the model."""
    model = cp_model.CpModel()
    pv = _person_rules(model, p, relaxed)
    terms = list(pv.terms)
    D = p.n_days
    cov = None
    y = {}
    for c in range(len(p.classes)):
        members = p.members(c)
        for d in range(D):
            resting = [pv.rest[e, d] for e in members if (e, d) in pv.rest]
            if counts is not None:
                model.add(sum(resting) == counts[c, d])
    if counts is None:
        working = {}
        for c in range(len(p.classes)):
            members = p.members(c)
            for d in range(D):
                working[c, d] = sum(1 - pv.rest[e, d] for e in members if (e, d) in pv.rest)
                cost = int(p.rest_cost[members[0], d])
                if cost:
                    terms += [(cost, pv.rest[e, d]) for e in members if (e, d) in pv.rest]
        y, on_phone, leaders = _shift_counts(model, p, working)
        cov = add_coverage(model, p, on_phone, leaders)
        terms += cov.terms
        if hint is not None:
            for (e, d), x in pv.rest.items():
                model.add_hint(x, bool(hint["rest"][e, d]))
            for k, x in y.items():
                model.add_hint(x, hint["y"].get(k, 0))
            for k, x in cov.lunch.items():
                model.add_hint(x, hint["lunch"].get(k, 0))
    _objective(model, terms)
    return model, {"rest": pv.rest, "slack": pv.slack, "y": y, "cov": cov}


def solve_people(p: RosterProblem, time_limit_s: float, counts: dict | None = None, relaxed: bool = False,
                 hint: dict | None = None, workers: int = 2, progress: Progress | None = None,
                 offset: float = 0.0, started: float | None = None) -> Solved:
    t0 = time.monotonic()
    model, v = person_model(p, counts, relaxed, hint)
    solver, status = run(model, time_limit_s, workers, progress, offset, started)
    out = Solved(status, seconds=time.monotonic() - t0)
    if status in ("OPTIMAL", "FEASIBLE"):
        out.objective, out.bound = solver.objective_value, solver.best_objective_bound
        rest = np.zeros((p.n_people, p.n_days), bool)
        for (e, d), x in v["rest"].items():
            rest[e, d] = bool(solver.value(x))
        out.values = {
            "rest": rest,
            "slack": {k: solver.value(x) for k, x in v["slack"].items()},
            "y": {k: solver.value(x) for k, x in v["y"].items()},
            "lunch": {k: solver.value(x) for k, x in v["cov"].lunch.items()} if v["cov"] else None,
        }
    return out


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
        for k, week in enumerate(p.weeks):
            lo, hi = (int(v) for v in p.rest_bounds[e, k])
            model.add_linear_constraint(sum(rest[e, d] for d in week.days if (e, d) in rest), lo, hi)
        for k in np.flatnonzero(p.window_need[e]):
            model.add_bool_or([rest[e, d] for d in p.windows[k] if (e, d) in rest])
        if p.max_work_days[e] < D:
            model.add(sum(1 - rest[e, d] for d in range(D) if (e, d) in rest) <= int(p.max_work_days[e]))
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


def leader_rest_days(p: RosterProblem, counts: dict, time_limit_s: float, workers: int = 2) -> np.ndarray | None:
    """Rest days of the leaders alone: every person rule, a leader for each shift each day wherever
    leave allows, and as close as possible to the aggregate's daily rest counts. (E, D) rows of
    non-leaders are left False; None when no answer came in time."""
    leaders = [int(e) for e in np.flatnonzero(p.leader)]
    if not leaders:
        return np.zeros((p.n_people, p.n_days), bool)
    model = cp_model.CpModel()
    pv = _person_rules(model, p, False, leaders)
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
    solver, status = run(model, time_limit_s, workers)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None
    rest = np.zeros((p.n_people, p.n_days), bool)
    for (e, d), x in pv.rest.items():
        rest[e, d] = bool(solver.value(x))
    return rest
