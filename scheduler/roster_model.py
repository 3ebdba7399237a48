"""CP-SAT models of the roster, built on a RosterProblem; each rule adds its own part (scheduler.rules).

Coverage depends on people only through how many work each shift and lunch in each slot per day,
so the roster is solved in two stages:

1. `aggregate_model`: per day and class of interchangeable people (leader or not, allowed shifts,
   preferred rest weekday), how many rest, work each shift and lunch in each slot. Every rule enters
   summed over the class (weekly rest totals, rest in every (max consecutive + 1)-day window, paid-hour
   cap, fair shares per class), so it is a relaxation of the full problem: its proven bound is a valid
   lower bound.
2. `leader_rest_days`: the leaders' rest days (CP-SAT), then everyone else's by earliest deadline
   first (scheduler.roster_assign), matching the aggregate's daily counts as far as the person rules
   allow; small classes the greedy left off the counts are matched again by CP-SAT, their forced
   misses put where they cost least (`matched_rest_days`). Shifts and lunches go to people
   afterwards. When the counts could not be matched exactly, the shift and lunch counts are
   re-optimised for the rest days chosen (`aggregate_model(fixed_rest=)`).

`flat_model` is the textbook (employee, day, shift) model the benchmark measures as the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster_problem import RosterProblem, two_days
from scheduler.roster_solver import Progress, check_stopped, elapsed, finishing, run, stopped
from scheduler.rules import CountValues, DayCounts, PersonDays, Term, aggregate_terms, hint_rules, person_terms
from scheduler.rules.rest_placement import rest_terms
from scheduler.rules.weekend_rest_fairness import RULE as WEEKEND_FAIRNESS, people_apart as weekend_rests_apart
from scheduler.rules.weekly_rest import relax_impossible_weeks

# The aggregate stops this close to its bound: its first solution is often there already (its LP
# is nearly tight), and the time left builds more rosters from it.
AGGREGATE_GAP = 0.001


@dataclass
class Counts:
    """A day-level solution: rest days of the people the model decided ((E, D) rows where `decided`),
    (class, day) -> pooled people resting, (class, day, shift) -> working, (day, shift, slot) -> lunching."""

    rest_of: np.ndarray
    decided: np.ndarray
    pool: dict
    y: dict
    lunch: dict


@dataclass
class Solved:
    """What an aggregate solve gives back: status name, objective, bound and the counts found."""

    status: str
    objective: float = float("nan")
    bound: float = float("nan")
    seconds: float = 0.0
    counts: Counts | None = None

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


@dataclass
class Start:
    """A known solution for a model to start from: (E, D) rest rows and the day-level y and lunch counts."""

    rest: np.ndarray
    y: dict
    lunch: dict


class IntervalVars(NamedTuple):
    """One interval's coverage variables: agents short up to deep_from, short beyond it, over."""

    short: cp_model.IntVar
    deep: cp_model.IntVar | None
    over: cp_model.IntVar


class Coverage(NamedTuple):
    """Coverage variables of a model: shortfall, its deep part and overstaffing per (day, interval)."""

    short: np.ndarray  # (D, T) of expressions
    over: np.ndarray  # (D, T) of IntVar
    intervals: dict[tuple[int, int], IntervalVars]
    terms: list[Term]


def _minimize(model: cp_model.CpModel, terms: list[Term]) -> None:
    model.minimize(sum(t.weight * t.expr for t in terms if t.weight))


def _add_lunches(m: DayCounts) -> None:
    """Lunch counts per day, shift and allowed slot, as many as the shift's people on the phones."""
    p = m.problem
    E = p.n_people
    for (d, s), n in m.on_phone.items():
        slots = p.lunch_slots[s]
        if not slots:
            continue
        here = {l: m.model.new_int_var(0, E, f"lunch_d{d}_s{s}_l{l}")
                for k, l in enumerate(slots) if p.lunch_ok[d, s, k]}
        m.model.add(sum(here.values()) == n)
        m.lunches[d, s] = here


def _add_coverage(m: DayCounts) -> Coverage:
    """Shortfall and overstaffing per interval for the people on the phones and not at lunch, priced as
    RosterProblem.shortfall_cost and the overstaffing weight."""
    p = m.problem
    model = m.model
    D, T, E = p.n_days, p.n_intervals, p.n_people
    staffed = [[[] for _ in range(T)] for _ in range(D)]

    def add(d: int, t: int, term) -> None:
        # on cover's two-day axis: t ≥ T is the next day's, and past the horizon counts nowhere (p.fold)
        d, t = d + t // T, t % T
        if d < D:
            staffed[d][t].append(term)

    for (d, s), n in m.on_phone.items():
        for t in np.flatnonzero(p.cover[s]):
            add(d, int(t), n)
    for (d, s), here in m.lunches.items():
        for l, x in here.items():
            for t in range(l, l + int(p.lunch_len[s])):
                add(d, t, -x)
    terms = []
    short = np.empty((D, T), object)
    over = np.empty((D, T), object)
    intervals = {}
    for d in range(D):
        for t in range(T):
            r = int(p.required[d, t])
            ov = model.new_int_var(0, E, f"over_d{d}_t{t}")
            terms.append(Term(p.rules.weights.overstaffing, ov))
            # the shortfall in two pieces, the agents missing beyond deep_from costing more: the
            # objective is convex, so the cheap piece fills first (RosterProblem.shortfall_cost)
            depth = r - int(p.deep_from[d, t]) if p.deep_weight[d, t] else 0
            su = model.new_int_var(0, r - max(depth, 0), f"short_d{d}_t{t}")
            terms.append(Term(int(p.shortfall_weight[d, t]), su))
            dp = None
            if depth > 0:
                dp = model.new_int_var(0, depth, f"deep_d{d}_t{t}")
                terms.append(Term(int(p.shortfall_weight[d, t] + p.deep_weight[d, t]), dp))
            model.add(sum(staffed[d][t]) + int(p.carried[t]) * (d == 0) + su + (dp if dp is not None else 0) - ov == r)
            short[d, t] = su + dp if dp is not None else su
            over[d, t] = ov
            intervals[d, t] = IntervalVars(su, dp, ov)
    return Coverage(short, over, intervals, terms)


def day_level(m: DayCounts) -> tuple[Coverage, list[Term]]:
    """Lunches, every rule's day-level part and the coverage, for the shift counts in `m`; the objective's terms."""
    _add_lunches(m)
    rules = aggregate_terms(m)
    cov = _add_coverage(m)
    return cov, cov.terms + rules


def _shift_counts(m: DayCounts, working: dict) -> None:
    """Per class, day and allowed shift an integer count summing to the class's working people."""
    p = m.problem
    S = len(p.shift_codes)
    on_phone = {(d, s): [] for d in range(p.n_days) for s in range(S)}
    leaders = {(d, s): [] for d in range(p.n_days) for s in range(S)}
    everyone = {(d, s): [] for d in range(p.n_days) for s in range(S)}
    for (c, d), n in working.items():
        key = p.classes[c]
        size = len(p.members(c))
        ys = []
        for s in range(S):
            if key.allowed[s]:
                m.y[c, d, s] = x = m.model.new_int_var(0, size, f"y_c{c}_d{d}_s{s}")
                ys.append(x)
                everyone[d, s].append(x)
                if key.on_phone:
                    on_phone[d, s].append(x)
                if key.leader:
                    leaders[d, s].append(x)
        m.model.add(sum(ys) == n)
    m.on_phone = {k: sum(v) for k, v in on_phone.items()}
    m.leaders = {k: sum(v) for k, v in leaders.items()}
    m.working = {k: sum(v) for k, v in everyone.items()}


def aggregate_model(p: RosterProblem, fixed_rest: dict | None = None, irregular_exact: bool = False,
                    start: Start | None = None) -> tuple[DayCounts, dict]:
    """Stage 1: day-level counts; its bound is a lower bound of every roster's objective. Returns the
    counts model and the rest booleans (employee, day) of the people it decides one by one.

    People's rest days enter pooled per class with the rules summed over the class, a relaxation; with
    `irregular_exact` the people of irregular classes (leave, a paid-hour cap) get one variable each
    instead, exact for them, and so do the people whose weekend rests the fairness rule must count one by
    one (scheduler.rules.weekend_rest_fairness.people_apart). With `fixed_rest` ((class, day) -> people
    resting, people already chosen) only shifts and lunches are optimised.
    """
    if fixed_rest is None:  # the first model of a solve (with fixed_rest a roster exists, and is kept)
        check_stopped()
    model = cp_model.CpModel()
    m = DayCounts(model, p)
    D = p.n_days
    singles, pooled = [], {}
    if fixed_rest is None:
        apart = weekend_rests_apart(p)
        for e in range(p.n_people):
            if apart[e] or (irregular_exact and p.classes[p.class_of[e]].irregular):
                singles.append(e)
            else:
                pooled.setdefault(int(p.class_of[e]), []).append(e)
    own = PersonDays(model, p, singles, _rest_vars(model, p, singles), goals=False)
    m.rest = own.rest
    person_terms(own)
    if fixed_rest is None:
        check_stopped()
    resting = {}
    working = {}
    for c in range(len(p.classes)):
        if fixed_rest is None:
            check_stopped()
        members = p.members(c)
        avail = (~p.leave[members]).sum(axis=0)
        mine = np.array(pooled.get(c, []), np.int64)
        if len(mine):
            m.pooled[c] = mine
            free = (~p.leave[mine]).sum(axis=0)
            for d in range(D):
                m.pool[c, d] = model.new_int_var(0, int(free[d]), f"rest_c{c}_d{d}")
        for d in range(D):
            if fixed_rest is not None:
                resting[c, d] = int(fixed_rest[c, d])
            else:
                resting[c, d] = sum(own.rest[e, d] for e in members if (e, d) in own.rest) + m.pool.get((c, d), 0)
            working[c, d] = int(avail[d]) - resting[c, d]
    m.resting = resting
    _shift_counts(m, working)
    cov, terms = day_level(m)
    _minimize(model, terms)
    if start is not None:
        _hint(m, cov, own.rest, start, fixed_rest)
    return m, own.rest


def _hint(m: DayCounts, cov: Coverage, own: dict, start: Start, fixed_rest: dict | None) -> None:
    """Hint the model with `start` and everything it implies (coverage, the rules' own variables), so the
    hint is a complete solution CP-SAT starts from."""
    p, model = m.problem, m.model
    for (e, d), x in own.items():
        model.add_hint(x, bool(start.rest[e, d]))
    for (c, d), x in m.pool.items():
        model.add_hint(x, int(start.rest[m.pooled[c], d].sum()))
    for k, x in m.y.items():
        model.add_hint(x, start.y.get(k, 0))
    for (d, s), here in m.lunches.items():
        for l, x in here.items():
            model.add_hint(x, start.lunch.get((d, s, l), 0))
    _, staffed = counts_staffing(p, start.y, start.lunch)
    for (d, t), v in cov.intervals.items():
        short = max(int(p.required[d, t] - staffed[d, t]), 0)
        deep = max(short - int(p.deep_from[d, t]), 0) if v.deep is not None else 0
        model.add_hint(v.short, short - deep)
        if v.deep is not None:
            model.add_hint(v.deep, deep)
        model.add_hint(v.over, max(int(staffed[d, t] - p.required[d, t]), 0))
    resting = fixed_rest if fixed_rest is not None else {
        (c, d): int(start.rest[p.members(c), d].sum()) for c in range(len(p.classes)) for d in range(p.n_days)}
    hint_rules(m, CountValues(resting, start.y, start.lunch, start.rest))


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
        check_stopped()
        shifts = [s for s in range(S) if key.allowed[s]]
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
        check_stopped()  # placing a large staff's lunches one by one takes seconds a day
        for s, slots in enumerate(p.lunch_slots):
            if not slots:
                continue
            allowed = [(k, l) for k, l in enumerate(slots) if p.lunch_ok[d, s, k]]
            for l, v in place_lunches(p, d, s, allowed, int(phones[d, s]), lunch_ref).items():
                lunch[d, s, l] = v
    return y, lunch


def place_lunches(p: RosterProblem, d: int, s: int, allowed: list, n: int, ref: dict) -> dict:
    """n lunches on allowed (k, slot) pairs under the stagger cap, near the reference counts; if the
    greedy gets stuck, filled slot by slot on lunches that do not overlap (clear ones first)."""
    cap = p.lunch_cap(n)
    span = int(p.lunch_len[s])
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
        phones[d, s] += int(v) * p.classes[c].on_phone
        leaders[d, s] += int(v) * p.classes[c].leader
    return leaders, phones


def counts_staffing(p: RosterProblem, y: dict, lunch: dict) -> tuple[np.ndarray, np.ndarray]:
    """(D, S) leaders working each shift and (D, T) people on the phones per interval, for the day-level
    counts y ((class, day, shift) -> people) and lunch ((day, shift, slot) -> people)."""
    leaders, phones = shift_counts(p, y)
    wide = phones @ p.cover.astype(np.int64)  # on cover's two-day axis
    for (d, s, l), v in lunch.items():
        wide[d, l:l + int(p.lunch_len[s])] -= int(v)
    return leaders, p.staffed(wide)


def solve_aggregate(p: RosterProblem, time_limit_s: float, fixed_rest: dict | None = None,
                    progress: Progress | None = None, started: float | None = None,
                    irregular_exact: bool = False, start: Start | None = None) -> Solved:
    """Measured on synthetic months: one worker without presolve, with the full LP
    (linearization level 2), proves the aggregate optimal fastest (its LP relaxation is nearly tight;
    presolve spends seconds and weakens it; a second worker only competes for the same cores).

    The weekend-rest spread's bounds are not searched (their booleans, fractional in the LP, lead the
    search to empty weekends wholesale, and it finds little else in time) but set by assumption: loose
    first, so the coverage's own solution comes as fast as without them, then with the most weekend
    rests of anyone held one lower at a time while narrowing could pay more than the gap the search
    stops at (_narrow_weekend_spread)."""
    t0 = elapsed()
    m, own = aggregate_model(p, fixed_rest, irregular_exact, start)
    loose = WEEKEND_FAIRNESS.loose(m)
    if loose:
        m.model.add_assumptions(loose)
        if progress is not None:
            # the loose bounds add weight × top to the bound, more than any roster's spread costs
            report, extra = progress, p.rules.weights.weekend_rest_fairness * WEEKEND_FAIRNESS.top(p)

            def progress(objective: float, bound: float, seconds: float) -> None:
                report(objective, bound - extra, seconds)
    done = run(m.model, time_limit_s - (elapsed() - t0), 1, progress, started, presolve=False,
               linearization=2, gap=AGGREGATE_GAP)
    solver = done.solver
    out = Solved(done.status, bound=solver.best_objective_bound, seconds=elapsed() - t0)
    if done.found:
        out.objective = solver.objective_value
        out.counts = _counts_of(m, own, solver)
    if loose:
        # loose, the bounds cost weight × top whatever the spread: a valid bound without them is that
        # much lower
        out.bound -= p.rules.weights.weekend_rest_fairness * WEEKEND_FAIRNESS.top(p)
        if done.found:
            with finishing():  # the solution found is priced whether stopped or not; narrowing it stops
                _narrow_weekend_spread(m, own, solver, out, time_limit_s - (elapsed() - t0))
        out.seconds = elapsed() - t0
    return out


def _narrow_weekend_spread(m: DayCounts, own: dict, solver: cp_model.CpSolver, out: Solved,
                           time_limit_s: float) -> None:
    """Price the found solution's weekend-rest spread as the model bounds it, then solve again with the most
    weekend rests of anyone held one lower at a time (the fewest left loose), keeping each better solution,
    while narrowing could still pay more than the search's stopping gap and time lasts."""
    p = m.problem
    until = elapsed() + time_limit_s
    w, top = p.rules.weights.weekend_rest_fairness, WEEKEND_FAIRNESS.top(p)
    most, least = WEEKEND_FAIRNESS.bounds_of(m, _values_of(m, own, solver))
    out.objective -= w * (top - (most - least))
    while most > least and w * (most - least) > AGGREGATE_GAP * out.objective and until - elapsed() > 0.05 \
            and not stopped():
        held = most - 1
        m.model.clear_assumptions()
        m.model.add_assumptions(WEEKEND_FAIRNESS.loose(m, most=held))
        # no progress reports: the objective and bound held this way are not the roster's
        done = run(m.model, until - elapsed(), 1, presolve=False, linearization=2, gap=AGGREGATE_GAP)
        if not done.found:
            return
        narrower = done.solver
        most, least = WEEKEND_FAIRNESS.bounds_of(m, _values_of(m, own, narrower))
        objective = narrower.objective_value - w * (held - (most - least))
        if objective >= out.objective:
            return
        out.objective = objective
        out.counts = _counts_of(m, own, narrower)
        out.status = "FEASIBLE"  # the best with the spread held so, not proven the best of all


def _solution(m: DayCounts, own: dict, solver: cp_model.CpSolver) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """The solver's values of `m`: (E, D) rest rows of the people decided one by one, which people those
    are, (class, day, shift) -> working and (day, shift, slot) -> lunching."""
    p = m.problem
    rest = np.zeros((p.n_people, p.n_days), bool)
    decided = np.zeros(p.n_people, bool)
    for (e, d), x in own.items():
        rest[e, d] = bool(solver.value(x))
        decided[e] = True
    y = {k: solver.value(x) for k, x in m.y.items()}
    lunch = {(d, s, l): solver.value(x) for (d, s), here in m.lunches.items() for l, x in here.items()}
    return rest, decided, y, lunch


def _values_of(m: DayCounts, own: dict, solver: cp_model.CpSolver) -> CountValues:
    """The solver's solution of `m` as the values the rules' hints and bounds read."""
    rest, _, y, lunch = _solution(m, own, solver)
    resting = {k: (v if isinstance(v, int) else int(solver.value(v))) for k, v in m.resting.items()}
    return CountValues(resting, y, lunch, rest)


def _counts_of(m: DayCounts, own: dict, solver: cp_model.CpSolver) -> Counts:
    """The solver's solution of `m` as the counts the later stages start from."""
    rest, decided, y, lunch = _solution(m, own, solver)
    return Counts(rest, decided, {k: solver.value(x) for k, x in m.pool.items()}, y, lunch)


def _rest_vars(model: cp_model.CpModel, p: RosterProblem, people) -> dict:
    """A rest boolean per person in `people` and day not on leave."""
    return {(e, d): model.new_bool_var(f"rest_e{e}_d{d}") for e in people for d in range(p.n_days) if not p.leave[e, d]}


def person_model(model: cp_model.CpModel, p: RosterProblem, people, goals: bool = True,
                 leaders_first: bool = False) -> tuple[dict, list[Term]]:
    """Rest booleans of `people` under every rule's person part; the rules' penalty terms."""
    m = PersonDays(model, p, list(people), _rest_vars(model, p, people), goals, leaders_first)
    return m.rest, person_terms(m)


def flat_model(p: RosterProblem) -> tuple[cp_model.CpModel, Coverage]:
    """The baseline: a boolean per (employee, day, shift), coverage summed over people directly."""
    model = cp_model.CpModel()
    E, D, S = p.n_people, p.n_days, len(p.shift_codes)
    rest, terms = person_model(model, p, range(E), goals=False)
    work = {}
    for (e, d), r in rest.items():
        shifts = []
        for s in range(S):
            if p.allowed[e, s]:
                work[e, d, s] = x = model.new_bool_var(f"work_e{e}_d{d}_s{s}")
                shifts.append(x)
        model.add_exactly_one(shifts + [r])
    m = DayCounts(model, p)
    for d in range(D):
        for s in range(S):
            m.on_phone[d, s] = sum(work[e, d, s] for e in range(E) if (e, d, s) in work and p.on_phone[e])
            m.leaders[d, s] = sum(work[e, d, s] for e in range(E) if (e, d, s) in work and p.leader[e])
            m.working[d, s] = sum(work[e, d, s] for e in range(E) if (e, d, s) in work)
    cov, day_terms = day_level(m)
    _minimize(model, terms + day_terms + rest_terms(p, rest))
    return model, cov


@dataclass
class FlatSolved:
    status: str
    objective: float
    bound: float
    seconds: float
    short: np.ndarray | None  # (D, T) when found
    over: np.ndarray | None

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def solve_flat(p: RosterProblem, time_limit_s: float) -> FlatSolved:
    t0 = elapsed()
    model, cov = flat_model(p)
    done = run(model, time_limit_s, 2)
    solver = done.solver
    found = done.found
    return FlatSolved(done.status, solver.objective_value if found else float("nan"), solver.best_objective_bound,
                      elapsed() - t0, np.vectorize(solver.value)(cov.short) if found else None,
                      np.vectorize(solver.value)(cov.over) if found else None)


def _count_deviation(model: cp_model.CpModel, p: RosterProblem, rest: dict, classes, counts: dict) -> list[Term]:
    """Each day a class's rest count is off `counts` ((class, day) -> people resting) costs as much as four
    ordinary missing agents per person."""
    terms = []
    for c in classes:
        check_stopped()
        members = p.members(c)
        for d in range(p.n_days):
            resting = [rest[e, d] for e in members if (e, d) in rest]
            if not resting:
                continue
            dev = model.new_int_var(0, len(resting), f"dev_c{c}_d{d}")
            model.add_abs_equality(dev, sum(resting) - int(counts.get((c, d), 0)))
            terms.append(Term(p.rules.weights.shortfall * 4, dev))
    return terms


def leader_rest_days(p: RosterProblem, counts: dict, time_limit_s: float, which: np.ndarray) -> np.ndarray | None:
    """Rest days of the leaders in `which`: every rule, a leader for each shift each day wherever leave
    allows, and as close as possible to the aggregate's daily rest counts. (E, D) rows of others are
    left False; None when no answer came in time."""
    leaders = [int(e) for e in np.flatnonzero(which)]
    if not leaders:
        return np.zeros((p.n_people, p.n_days), bool)
    model = cp_model.CpModel()
    rest, terms = person_model(model, p, leaders, leaders_first=True)
    terms += _count_deviation(model, p, rest, [c for c, key in enumerate(p.classes) if key.leader], counts)
    _minimize(model, terms)
    done = run(model, time_limit_s, 1, presolve=False)
    if not done.found:
        return None
    out = np.zeros((p.n_people, p.n_days), bool)
    for (e, d), x in rest.items():
        out[e, d] = bool(done.solver.value(x))
    return out


def rest_change_costs(p: RosterProblem, y: dict, lunch: dict, pieces: int = 3) -> np.ndarray:
    """(C, D, 2, pieces) objective change, for the counts (y, lunch), of each of the first `pieces`
    extra people of class c resting on day d ([..., 0, k]: the k+1-th more resting, each leaving the
    shift it costs least to lose) and of as many fewer resting ([..., 1, k], each joining the shift it
    helps most). Convex by construction when the coverage cost is; lunches are left as they are."""
    _, staffed = counts_staffing(p, y, lunch)
    cover = p.cover.astype(np.int64)
    out = np.zeros((len(p.classes), p.n_days, 2, pieces), np.int64)
    for c, key in enumerate(p.classes):
        shifts = np.flatnonzero(key.allowed)
        if not key.on_phone or not len(shifts):
            continue  # off the phones: resting changes no coverage
        for side, step in enumerate((-1, 1)):
            x = staffed.copy()
            for k in range(pieces):
                # the shift whose coverage changes cheapest with one person fewer (more); a shift past
                # midnight changes the next day's first hours too, counted to the day it starts on
                now = p.coverage_cost(x)
                deltas = []
                for s in shifts:
                    change = p.coverage_cost(x + step * p.fold(np.tile(cover[s], (p.n_days, 1)))) - now
                    deltas.append((two_days(change) * cover[s]).sum(axis=1))
                deltas = np.array(deltas)
                best = np.argmin(deltas, axis=0)
                out[c, :, side, k] = deltas[best, np.arange(p.n_days)]
                x = x + step * p.fold(cover[shifts[best]])
    return out


def matched_rest_days(p: RosterProblem, rest: np.ndarray, counts: dict, groups: list[tuple[int, list[int]]],
                      costs: np.ndarray, time_limit_s: float) -> np.ndarray:
    """`rest` with the rest days of each group's people (class, some or all of its members) re-chosen near the
    day-level rest counts `counts` ((class, day) -> people resting, less the rest days of the class's others
    as they are) within every rule, each group its own small CP-SAT model started from its current rows. A
    day's rest count off its target costs what it changes in coverage (`costs`, from rest_change_costs), so
    rest days the rules force away from the counts go where they cost least; the person goals (requests, fair
    weekend rests) count too."""
    rest = rest.copy()
    until = elapsed() + time_limit_s
    pieces = costs.shape[3]
    for i, (c, members) in enumerate(groups):
        others = np.setdiff1d(p.members(c), members)
        model = cp_model.CpModel()
        x, terms = person_model(model, p, members)
        for d in range(p.n_days):
            resting = [x[e, d] for e in members if (e, d) in x]
            if not resting:
                continue
            # convex pieces: one person each, the last taking any more at its cost
            size = [1] * (pieces - 1) + [len(resting)]
            more = [model.new_int_var(0, n, f"more_c{c}_d{d}_{k}") for k, n in enumerate(size)]
            fewer = [model.new_int_var(0, n, f"fewer_c{c}_d{d}_{k}") for k, n in enumerate(size)]
            # the class's others as they are may rest more (or fewer) than the count alone: aim within reach
            target = min(max(int(counts.get((c, d), 0)) - int(rest[others, d].sum()), 0), len(resting))
            model.add(sum(resting) - target == sum(more) - sum(fewer))
            for k in range(pieces):
                # +1: of two placements costing the same, the one nearer the counts
                terms.append(Term(int(costs[c, d, 0, k]) + 1, more[k]))
                terms.append(Term(int(costs[c, d, 1, k]) + 1, fewer[k]))
        for (e, d), v in x.items():
            model.add_hint(v, bool(rest[e, d]))
        _minimize(model, terms)
        # the full LP: measured, it proves a class of 18 people optimal in 0.1 s where level 1 stalls
        done = run(model, (until - elapsed()) / (len(groups) - i), 1, linearization=2)
        if done.found:
            for (e, d), v in x.items():
                rest[e, d] = bool(done.solver.value(v))
    return rest


def relax_impossible_rest_weeks(p: RosterProblem) -> dict[int, np.ndarray]:
    """People whose own rules cannot all hold get wider weekly rest bounds (scheduler.rules.weekly_rest)."""
    return relax_impossible_weeks(p, lambda model, people: person_model(model, p, people, goals=False))
