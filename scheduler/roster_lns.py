"""The time the search leaves, spent re-solving a few people's whole months together (a large neighbourhood
search over people).

The search decides rest days from day-level counts of interchangeable people, then splits shifts; where people
differ (each with a contract of their own, shift requests, per-type limits) the roster it builds can lie well
above its bound, and it ends early. Here CP-SAT takes a few people at a time, everyone else kept as they are,
and chooses those people's rest days and shifts afresh under every rule: the rules' person constraints on rest
days (scheduler.rules), and on shifts the successions, the per-type bounds and the paid minutes exactly. Its
objective is the roster's (coverage per interval and per shift, wishes, the rules' person goals), lunches
aside; lunches are then placed, and the move is kept only when the roster, measured whole as it is reported
(scheduler.roster_search.measure), costs less and keeps every rule. The groups grow when moves stop paying.
Every other move takes a window of a week's days instead, for many people at once, their other days kept.
"""
from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from scheduler import roster_model as rm
from scheduler.roster_problem import RosterProblem
from scheduler.roster_search import (Candidate, gap, keeps_rules, lunch_options, measured_candidate, restaggered,
                                     staffed_of)
from scheduler.roster_solver import Progress, elapsed, run, spend, stopped
from scheduler.rules import RosterDays, Term, rest_row_holds
from scheduler.rules.monthly_hours import minutes_within, paid_minutes
from scheduler.rules.shift_succession import forbidden_pairs, worked_after
from scheduler.rules.shifts_of_type import outside_bounds

GROUP_SIZES = (3, 6, 12, 24)  # people re-solved together, growing after TRIES_PER_SIZE moves that did not pay
TRIES_PER_SIZE = 30
# Every other move re-solves a window of days instead, for up to WINDOW_PEOPLE people at once, their other days
# kept: a day's cover short on one shift and over on another is mended by many people moving a little.
WINDOW_DAYS = 7
WINDOW_PEOPLE = 40
STEP_S = 1.0  # each re-solve's limit
# A person breaking a rule re-solved alone takes hundredths of a second: such moves start with this much time left.
REPAIR_S = 0.1
# Within this gap of the bound the search's roster is kept as it is where most people are in large classes:
# a center's large classes end there, and the headcount's trials keep ending early. Where most people differ,
# the bound is weak and the groups run until the time limit.
MIN_GAP = 0.01
# The share of the time limit kept for the groups when every class of interchangeable people is small: the
# day-level model then decides little that the people's own rules do not change again (measured on the
# Curtois–Qu instances, where each class is one or a few people).
SHARE_WHEN_APART = 0.5
SMALL_CLASS = 3
# Building and measuring a move is Python work the deterministic clock of a seeded solve does not see: each
# move is counted as this many seconds of it, and each variable as this many more, so a seeded solve ends.
MOVE_S = 0.05
BUILD_S_PER_VARIABLE = 2e-5


def apart(p: RosterProblem) -> float:
    """The share of people in classes of at most SMALL_CLASS people: 0 for a center of large classes of
    interchangeable agents, which the day-level model decides well, 1 when everyone differs."""
    sizes = np.bincount(p.class_of, minlength=len(p.classes))
    return float((sizes[p.class_of] <= SMALL_CLASS).mean()) if p.n_people else 0.0


def search_share(p: RosterProblem) -> float:
    """The share of the time limit the search may take, the groups having the rest and what the search leaves:
    1 - SHARE_WHEN_APART × `apart`."""
    return 1 - SHARE_WHEN_APART * apart(p)


def rows_improved(best: Candidate, bound: float, deadline: float, progress: Progress | None = None,
                  started: float = 0.0) -> Candidate:
    """`best` with the moves of groups of people re-solved together that lower its objective, until the
    deadline (of roster_solver.elapsed) passes, the gap to `bound` closes or the solve is stopped."""
    p = best.days.problem
    if p.n_people < 2 or (p.replan_rest >= 0).any():
        return best  # a re-plan keeps as many days as it can: the search's few changes stand
    rng = np.random.default_rng(0)
    least_gap = 0.0 if apart(p) >= 0.5 else MIN_GAP
    size, misses, moves = 0, 0, 0
    broken = _rules_broken(best)
    # a move measures the whole roster, seconds for a large staff: none is started without a step's time left
    while not stopped() and deadline - elapsed() > (REPAIR_S if broken else STEP_S) \
            and (gap(best.objective, bound) > least_gap or broken):
        moves += 1
        window = None if broken or moves % 2 else _window(best, rng)
        if window is not None:
            people = _random_people(p, WINDOW_PEOPLE, rng)
        else:
            # one person at a time while rules are broken: alone, anyone can keep their own rules, fast
            people = _group(best, 1 if broken else min(GROUP_SIZES[size], p.n_people), rng)
        moved = _resolved(best, people, min(STEP_S, deadline - elapsed()), window)
        # fewer person rules broken, else a lower objective
        if moved is not None and (_rules_broken(moved), moved.objective) < (broken, best.objective):
            best, broken = moved, _rules_broken(moved)
            if window is None:
                misses = 0
            if progress:
                progress(best.objective, min(bound, best.objective), time.monotonic() - started)
        elif window is None:
            misses += 1
            if misses >= TRIES_PER_SIZE and size + 1 < len(GROUP_SIZES):
                size, misses = size + 1, 0
    return best


def _window(best: Candidate, rng: np.random.Generator) -> range:
    """WINDOW_DAYS days around a day drawn by what its shortfall costs (shift cover and interval cover), at
    random where nothing is short."""
    p = best.days.problem
    cost = _cover_short(p, best.days.shift).sum(axis=1) + p.shortfall_cost(best.measured.short)[0].sum(axis=1)
    day = int(rng.choice(p.n_days, p=cost / cost.sum())) if cost.sum() else int(rng.integers(p.n_days))
    first = min(max(day - WINDOW_DAYS // 2, 0), max(p.n_days - WINDOW_DAYS, 0))
    return range(first, min(first + WINDOW_DAYS, p.n_days))


def _random_people(p: RosterProblem, k: int, rng: np.random.Generator) -> list[int]:
    return sorted(int(e) for e in rng.permutation(p.n_people)[:k])


def _breaking(c: Candidate) -> list[int]:
    """People breaking a person rule on shifts (a shift-type bound, counted minutes, a succession), once per
    rule broken: the search's split can leave some where a pool's counts allow no other, or where it built
    the roster without the day-level model; a group re-solved keeps them all."""
    p = c.days.problem
    shift = c.days.shift
    paid = paid_minutes(p, shift)
    out = [e for e, _, _ in outside_bounds(p, shift, range(p.n_people))]
    for e in np.flatnonzero(p.minutes_counted):
        least, most = minutes_within(p, e)
        if paid[e] < least or (most is not None and paid[e] > most):
            out.append(int(e))
    last = p.previous_month.last_shift
    for a, b in forbidden_pairs(p.rules):
        out += [int(e) for e in np.flatnonzero(worked_after(last, shift, a, b).any(axis=1))]
    return out


def _rules_broken(c: Candidate) -> int:
    return len(_breaking(c))


def _group(best: Candidate, k: int, rng: np.random.Generator) -> list[int]:
    """k people: those breaking a person rule on shifts first, while any does; else, every other time, people
    who could fill a shift left short of its cover on a day (allowed on it, not on leave, working another
    shift or resting), the day and shift drawn by what the shortfall costs; to make up the number, people at
    random."""
    p = best.days.problem
    shift = best.days.shift
    order = [int(e) for e in rng.permutation(p.n_people)]
    breaking = set(_breaking(best))
    chosen = [e for e in order if e in breaking][:k]
    short = _cover_short(p, shift)
    if not chosen and short.sum() and rng.random() < 0.5:
        d, s = np.unravel_index(rng.choice(short.size, p=(short / short.sum()).ravel()), short.shape)
        chosen = [e for e in order if p.allowed[e, s] and not p.leave[e, d] and shift[e, d] != s][:k]
    chosen += [e for e in order if e not in chosen][: k - len(chosen)]
    return sorted(chosen)


def _cover_short(p: RosterProblem, shift: np.ndarray) -> np.ndarray:
    """(D, S) what each day's shift costs short of its cover (scheduler.rules.shift_cover)."""
    t = p.shift_targets
    counts = np.stack([(shift == s).sum(axis=0) for s in range(len(p.shift_codes))], axis=1)
    return np.where(t.wanted >= 0, np.maximum(t.wanted - counts, 0) * t.under_weight, 0).astype(float)


def _resolved(best: Candidate, people: list[int], limit_s: float, window: range | None = None) -> Candidate | None:
    """The roster with `people`'s months (or only the days of `window`) re-solved together, everything else
    kept; None when CP-SAT found none better in `limit_s` or the placed lunches break a rule the roster kept."""
    r = best.days
    p = r.problem
    model = cp_model.CpModel()
    rest, terms = rm.person_model(model, p, people)
    work = _shift_vars(model, p, r, rest)
    if window is not None:
        for (e, d), x in rest.items():
            if d not in window:
                model.add(x == int(r.shift[e, d] == -1))
        for (e, d, s), x in work.items():
            if d not in window:
                model.add(x == int(r.shift[e, d] == s))
    terms += _shift_terms(model, p, r, people, work)
    model.minimize(sum(t.weight * t.expr for t in terms))
    spend(MOVE_S + BUILD_S_PER_VARIABLE * len(model.proto.variables))
    solved = run(model, limit_s, workers=1, linearization=2)
    if not solved.found or solved.status == "OPTIMAL" and _unchanged(solved.solver, r, work):
        return None
    shift, lunch = r.shift.copy(), r.lunch.copy()
    for (e, d), x in rest.items():
        if solved.solver.value(x):
            shift[e, d], lunch[e, d] = -1, -1
    for (e, d, s), x in work.items():
        if solved.solver.value(x):
            if shift[e, d] != s:
                lunch[e, d] = -1
            shift[e, d] = s
    touched = sorted({(d, int(shift[e, d])) for e in people for d in range(p.n_days)
                      if shift[e, d] >= 0 and shift[e, d] != r.shift[e, d]}
                     | {(d, int(r.shift[e, d])) for e in people for d in range(p.n_days)
                        if r.shift[e, d] >= 0 and shift[e, d] != r.shift[e, d]})
    for d, s in touched:
        _lunches_given(p, shift, lunch, d, s)
        restaggered(p, shift, lunch, d, s)
    if not all(rest_row_holds(p, e, shift[e] == -1) for e in people):
        return None
    if not keeps_rules(best, shift, lunch, tuple(people), tuple(touched)):
        return None
    return measured_candidate(p, shift, lunch)


def _unchanged(solver: cp_model.CpSolver, r: RosterDays, work: dict) -> bool:
    return all(bool(solver.value(x)) == (r.shift[e, d] == s) for (e, d, s), x in work.items())


def _shift_vars(model: cp_model.CpModel, p: RosterProblem, r: RosterDays, rest: dict) -> dict:
    """(person, day, shift) -> BoolVar: exactly one of the person's allowed shifts or the rest day, hinted
    with the roster's."""
    work = {}
    for (e, d), x in rest.items():
        now = int(r.shift[e, d])
        model.add_hint(x, now == -1)
        vs = []
        for s in np.flatnonzero(p.allowed[e]):
            work[e, d, int(s)] = v = model.new_bool_var(f"w{e}_{d}_{s}")
            model.add_hint(v, now == s)
            vs.append(v)
        model.add_exactly_one([*vs, x])
    return work


def _shift_terms(model: cp_model.CpModel, p: RosterProblem, r: RosterDays, people: list[int],
                 work: dict) -> list[Term]:
    """The shift rules of `people` as constraints (successions, per-type bounds, paid minutes) and the
    objective's shift parts as terms: shift wishes, the shift cover and the coverage per interval, everyone
    else's work counted as it is."""
    D, S, T = p.n_days, len(p.shift_codes), p.n_intervals
    minutes = np.rint(p.paid_hours * 60).astype(np.int64)
    for e in people:
        for a, b in forbidden_pairs(p.rules):
            if p.previous_month.last_shift[e] == a and (e, 0, b) in work:
                model.add(work[e, 0, b] == 0)
            for d in range(D - 1):
                if (e, d, a) in work and (e, d + 1, b) in work:
                    model.add_bool_or([work[e, d, a].Not(), work[e, d + 1, b].Not()])
        for s in range(S):
            mine = [work[e, d, s] for d in range(D) if (e, d, s) in work]
            if mine and p.max_shifts[e, s] < len(mine):
                model.add(sum(mine) <= int(p.max_shifts[e, s]))
            if mine and p.min_shifts[e, s]:
                model.add(sum(mine) >= int(p.min_shifts[e, s]))
        paid = sum(int(minutes[s]) * v for (f, _, s), v in work.items() if f == e)
        if p.minutes_counted[e]:
            least, most = minutes_within(p, e)
            model.add(paid >= least)
            if most is not None:
                model.add(paid <= most)

    terms = []
    for (e, d, s), v in work.items():
        if p.shift_request[e, d] == s:
            terms.append(Term(int(p.wish_weight[e, d]), 1 - v))
        if p.shift_refusal[e, d] == s:
            terms.append(Term(int(p.wish_weight[e, d]), v))
    for e in people:
        for d in range(D):
            want = p.shift_request[e, d]
            if want >= 0 and (e, d, want) not in work:
                terms.append(Term(int(p.wish_weight[e, d]), 1))  # leave or a shift not allowed: missed whatever

    mine = np.zeros(p.n_people, bool)
    mine[people] = True
    kept = np.where(mine[:, None], -1, r.shift)
    counts = {(d, s): [] for d in range(D) for s in range(S)}
    for (e, d, s), v in work.items():
        counts[d, s].append(v)
    targets = p.shift_targets
    for (d, s), vs in counts.items():
        if targets.wanted[d, s] < 0 or not vs:
            continue
        n = int((kept[:, d] == s).sum()) + sum(vs)
        under = model.new_int_var(0, int(targets.wanted[d, s]), f"under{d}_{s}")
        over = model.new_int_var(0, p.n_people, f"over{d}_{s}")
        model.add(n + under - over == int(targets.wanted[d, s]))
        terms += [Term(int(targets.under_weight[d, s]), under), Term(int(targets.over_weight[d, s]), over)]

    weights = p.rules.weights
    if not ((p.required > 0).any() or weights.overstaffing):
        return terms
    base = staffed_of(p, kept, np.where(mine[:, None], -1, r.lunch))
    wide: dict[tuple[int, int], list] = {}
    for (e, d, s), v in work.items():
        if not p.on_phone[e]:
            continue
        for t in np.flatnonzero(p.cover[s]):
            day, at = (d, int(t)) if t < T else (d + 1, int(t) - T)
            if day < D:
                wide.setdefault((day, at), []).append(v)
    for (d, t), vs in wide.items():
        staffed = int(base[d, t]) + sum(vs)
        need = int(p.required[d, t])
        short = model.new_int_var(0, need, f"short{d}_{t}")
        deep = model.new_int_var(0, need, f"deep{d}_{t}")
        over = model.new_int_var(0, int(base[d, t]) + len(vs), f"overi{d}_{t}")
        model.add(staffed + short - over == need)
        model.add(deep >= short - int(p.deep_from[d, t]))
        terms += [Term(int(p.shortfall_weight[d, t]), short), Term(int(p.deep_weight[d, t]), deep),
                  Term(int(weights.overstaffing), over)]
    return terms


def _lunches_given(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray, d: int, s: int) -> None:
    """A lunch for each person on shift s on day d without one: the slot with fewest at lunch, the cheapest
    in airings first. `lunch` changes in place."""
    span = int(p.lunch_len[s])
    options = lunch_options(p, d, s)
    if not span or not options:
        return
    on_shift = np.flatnonzero(shift[:, d] == s)
    cost = {l: int(p.lunch_cost[d, s, k]) for k, l in enumerate(p.lunch_slots[s])}
    away = np.zeros(p.cover.shape[1], np.int64)
    for l in lunch[on_shift, d]:
        if l >= 0:
            away[l:l + span] += 1
    for e in on_shift[lunch[on_shift, d] < 0]:
        best = min(options, key=lambda l: (cost[l], int(away[l:l + span].max()), l))
        lunch[e, d] = best
        away[best:best + span] += 1
