"""The search for the best roster: the stages of scheduler.roster_model in turn, within the time limit.

The day-level aggregate first (its bound is the roster's lower bound), then people's rest days, shifts
and lunches from its counts in a few tie-break orders while time lasts, and, with time to spare, the
aggregate again with the irregular people exact; last, a pass making the single moves that grant a wish
the search left and lower the objective (`wishes_moved`). Time is read from scheduler.roster_solver.elapsed,
so a seeded solve decides by deterministic time and comes out the same on any machine.
"""
from __future__ import annotations

import math
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from scheduler import roster_model as rm
from scheduler.roster_assign import (lunches_of_people, moved_rest_day, repair_rest_counts, rest_days_of_people,
                                     shifts_of_people, spread_rest_counts)
from scheduler.roster_problem import RosterProblem
from scheduler.roster_solver import Progress, Stopped, check_stopped, elapsed, finishing, stopped
from scheduler.rules import RosterDays, objective_parts, rest_row_holds
from scheduler.rules.leader_per_shift import leader_needed
from scheduler.rules.shift_succession import forbidden_pairs, worked_after

# Classes up to this size whose rest days missed the aggregate's counts are matched again by CP-SAT
# (measured at 300 agents: exact in hundredths of a second for a few people; a class of 187 regular
# agents gets no better in 2 s), with this share of the time limit in all.
MATCH_MAX_PEOPLE = 40
MATCH_SHARE = 0.1
# the most of the time limit the exact re-choice of contract classes the greedy broke may take
MEND_SHARE = 0.4
# people of a class re-chosen together there: small models find rows keeping every rule fast
MEND_PEOPLE = 10
SECOND_AGGREGATE_FROM_S = 30.0  # time limits from which the aggregate is solved again, people on leave exact


@dataclass
class Measured:
    """A roster's coverage per (day, interval) and every part of its objective."""

    staffed: np.ndarray
    short: np.ndarray
    over: np.ndarray
    parts: dict[str, int]  # objective key -> cost

    @property
    def objective(self) -> float:
        return float(sum(self.parts.values()))


@dataclass
class Candidate:
    days: RosterDays
    measured: Measured

    @property
    def objective(self) -> float:
        return self.measured.objective


@dataclass
class Found:
    """The best roster found and the proven lower bound of every roster's objective."""

    best: Candidate
    bound: float


def staffed_of(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray) -> np.ndarray:
    """(D, T) people on the phones per interval: on shift and not at lunch."""
    D, S = p.n_days, len(p.shift_codes)
    counts = np.zeros((D, S), np.int64)
    phone = p.on_phone[:, None] & (shift >= 0)
    for s in range(S):
        counts[:, s] = (phone & (shift == s)).sum(axis=0)
    wide = counts @ p.cover.astype(np.int64)  # on cover's two-day axis, folded below
    e_idx, d_idx = np.nonzero(phone & (lunch >= 0))
    length = p.lunch_len[shift[e_idx, d_idx]]
    for k in range(int(p.lunch_len.max(initial=0))):
        at = k < length
        np.add.at(wide, (d_idx[at], lunch[e_idx[at], d_idx[at]] + k), -1)
    return p.staffed(wide)


def measure(r: RosterDays) -> Measured:
    """Every weighted goal of the objective, measured on the roster itself."""
    p = r.problem
    staffed = staffed_of(p, r.shift, r.lunch)
    short = np.maximum(p.required - staffed, 0)
    over = np.maximum(staffed - p.required, 0)
    flat, deep = p.shortfall_cost(short)
    parts = {"shortfall": int(flat.sum()), "deep_shortfall": int(deep.sum()),
             "overstaffing": int(p.rules.weights.overstaffing * over.sum())}
    parts.update(objective_parts(r))
    return Measured(staffed, short, over, parts)


def gap(objective: float, bound: float) -> float:
    bound = min(bound, objective)
    return (objective - bound) / objective if objective > 0 else 0.0


def search(p: RosterProblem, time_limit_s: float, progress: Progress | None, started: float) -> Found:
    """The best roster in `time_limit_s` (of scheduler.roster_solver.elapsed) and the proven bound."""
    deadline = elapsed() + time_limit_s

    def left() -> float:
        return deadline - elapsed()

    agg = rm.solve_aggregate(p, 0.8 * time_limit_s, progress=progress, started=started)
    bound = agg.bound if not math.isnan(agg.bound) else 0.0
    if not agg.found:
        check_stopped()  # stopped with no roster: none is built just to be thrown away
        return Found(wishes_moved(_without_aggregate(p, deadline, time_limit_s), bound, deadline, progress, started),
                     bound)
    # Keep time for the second aggregate (about as long as the first) when there is plenty of it;
    # otherwise spend it on more tries of the first. (Measured on synthetic months: at a 10 s limit more
    # tries pay off more, at 60 s the second aggregate does.)
    reserve = 1.2 * agg.seconds + 0.1 * time_limit_s
    second = time_limit_s >= SECOND_AGGREGATE_FROM_S and left() > 1.5 * reserve
    best = _from_aggregate(p, agg.counts, bound, deadline - (reserve if second else 1.5), deadline, time_limit_s,
                           progress, started)
    if second and gap(best.objective, bound) > 1e-3 and left() > 0.9 * reserve and not stopped():
        # Time left: the aggregate again with the people on leave one variable each (exact for them),
        # started from the roster found; its bound is at least as good.
        start = rm.Start(best.days.rest, agg.counts.y, agg.counts.lunch)
        try:
            again = rm.solve_aggregate(p, left() - max(0.15 * time_limit_s, 1.5), progress=progress,
                                       started=started, irregular_exact=True, start=start)
            if not math.isnan(again.bound):
                bound = max(bound, again.bound)
            if again.found and not stopped():
                other = _from_aggregate(p, again.counts, bound, deadline - 1.0, deadline, time_limit_s, progress,
                                        started)
                if other.objective < best.objective:
                    best = other
        except Stopped:
            pass  # stopped while building the second try: the roster found stands
    return Found(wishes_moved(best, bound, deadline, progress, started), bound)


def _from_aggregate(p: RosterProblem, counts: rm.Counts, bound: float, until: float, deadline: float,
                    time_limit_s: float, progress: Progress | None, started: float) -> Candidate:
    """People's rest days, shifts and lunches from the aggregate's counts: the best of a few tries
    (tie-break orders) until `until`; the first is always made."""

    def left() -> float:
        return until - elapsed()

    decided, pool, preset = counts.decided.copy(), counts.pool, counts.rest_of.copy()
    wanted = _class_rest_counts(p, preset, decided, pool)
    pooled_leaders = p.leader & ~decided
    with finishing():  # part of the first roster, made stopped or not
        if pooled_leaders.any():
            # a leader on every shift depends on who rests: choose the pooled leaders' days first, in at most
            # half the time left, so the roster made of them still ends by the deadline
            chosen = rm.leader_rest_days(p, wanted, max(min(0.15 * time_limit_s, 0.5 * (deadline - elapsed())), 1.0),
                                         pooled_leaders)
            if chosen is not None:
                preset[pooled_leaders] = chosen[pooled_leaders]
                decided |= pooled_leaders
        costs = rm.rest_change_costs(p, counts.y, counts.lunch)
    best = None
    variant = stale = 0
    # Earliest-deadline-first in several tie-break orders while time lasts and it still pays off;
    # the first is always made, stopped or not (the aggregate's solution was reported: a stop keeps the
    # roster made of it), and a stop during a later one keeps the best so far.
    while best is None or (gap(best.objective, bound) > 1e-9 and left() > 1.0 and stale < 4 and not stopped()):
        try:
            with finishing() if best is None else nullcontext():
                found = _roster_try(p, counts, pool, preset, decided, wanted, costs, variant, time_limit_s,
                                    max(deadline - elapsed() - 0.5, 1.0) if best is None else left(), left())
        except Stopped:
            break
        if best is None or found.objective < best.objective:
            best, stale = found, 0
            if progress:
                progress(best.objective, min(bound, best.objective), time.monotonic() - started)
        else:
            stale += 1
        variant += 1
    return best


def _roster_try(p: RosterProblem, counts: rm.Counts, pool: dict, preset: np.ndarray, decided: np.ndarray,
                wanted: dict, costs: np.ndarray, variant: int, time_limit_s: float, refit_s: float,
                left_s: float) -> Candidate:
    """One roster from the aggregate's counts, the people's rest days in tie-break order `variant`."""
    rest, broken = rest_days_of_people(p, pool, preset, decided, variant)
    if broken:
        # the contract classes' exact re-choice may take part of the time left, and at least the small classes'
        # share: without it their rule breaks stay (measured: a 40-person weekend-capped class, 4 s at 100 agents)
        mend_s = max(min(MEND_SHARE * time_limit_s, left_s), MATCH_SHARE * time_limit_s)
        rest, broken = _mended_contract_classes(p, rest, wanted, decided, costs, mend_s)
    if not broken:
        repair_rest_counts(p, rest, pool, decided)
        rest = _matched_small_classes(p, rest, wanted, decided, costs, min(MATCH_SHARE * time_limit_s, max(left_s, 0.1)))
    if _resting(p, rest) == wanted:
        return _candidate(p, rest, counts.y, counts.lunch)
    return _for_rest_days(p, rest, refit_s, counts)


def _without_aggregate(p: RosterProblem, deadline: float, time_limit_s: float) -> Candidate:
    """No aggregate in time (a tiny time limit, a loaded machine): rest days spread evenly over each
    week, the leaders' chosen first so every shift keeps one, shifts and lunches fitted to them."""
    counts = spread_rest_counts(p)
    preset, decided = np.zeros((p.n_people, p.n_days), bool), np.zeros(p.n_people, bool)
    if p.leader.any():
        chosen = rm.leader_rest_days(p, counts, max(min(0.1 * time_limit_s, deadline - elapsed() - 1.0), 0.5), p.leader)
        if chosen is not None:
            preset, decided = chosen, p.leader.copy()
    rest, broken = rest_days_of_people(p, counts, preset, decided)
    if broken:
        # no coverage costs without the aggregate's counts: the re-choice only keeps near the even spread
        flat = np.zeros((len(p.classes), p.n_days, 2, 1), np.int64)
        rest, _ = _mended_contract_classes(p, rest, counts, decided, flat, MEND_SHARE * time_limit_s)
    return _for_rest_days(p, rest, max(deadline - elapsed(), 1.0))


def _matched_small_classes(p: RosterProblem, rest: np.ndarray, wanted: dict, decided: np.ndarray,
                           costs: np.ndarray, time_limit_s: float) -> np.ndarray:
    """Rest days re-matched to the wanted counts by CP-SAT in the classes the earliest-deadline rule
    left off them, where the class is small and none of its rows is decided already."""
    got = _resting(p, rest)
    off = [c for c in range(len(p.classes))
           if any(got[c, d] != wanted[c, d] for d in range(p.n_days))
           and len(p.members(c)) <= MATCH_MAX_PEOPLE and not decided[p.members(c)].any()]
    return rm.matched_rest_days(p, rest, wanted, [(c, [int(e) for e in p.members(c)]) for c in off], costs,
                                time_limit_s) if off else rest


def _mended_contract_classes(p: RosterProblem, rest: np.ndarray, wanted: dict, decided: np.ndarray,
                             costs: np.ndarray, time_limit_s: float) -> tuple[np.ndarray, bool]:
    """Where the day-by-day greedy broke a rule for people with a contract (runs of days off against exact
    weekly rest days leave it no choice on a day), their rest days chosen again by CP-SAT within every rule,
    MEND_PEOPLE of a class at a time beside the others' rows as they are. Returns the rest days and
    whether a rule is still broken."""
    def breaking() -> np.ndarray:
        return np.array([not decided[e] and not rest_row_holds(p, e, rest[e]) for e in range(p.n_people)], bool)

    bad = breaking()
    groups = []
    for c in sorted({int(p.class_of[e]) for e in np.flatnonzero(bad)}):
        if p.classes[c].contract >= 0:
            mine = [int(e) for e in p.members(c) if bad[e]]
            groups += [(c, mine[i:i + MEND_PEOPLE]) for i in range(0, len(mine), MEND_PEOPLE)]
    if not groups:
        return rest, bool(bad.any())
    rest = rm.matched_rest_days(p, rest, wanted, groups, costs, time_limit_s)
    return rest, bool(breaking().any())


def _for_rest_days(p: RosterProblem, rest: np.ndarray, time_limit_s: float,
                   reference: rm.Counts | None = None) -> Candidate:
    """The people could not take exactly the aggregate's rest days: re-place shifts and lunches, starting
    from counts fitted by hand to the `reference` aggregate's (which stand when no better come in time)."""
    achieved = _resting(p, rest)
    y, lunch = rm.counts_for_rest_days(p, achieved, reference.y if reference else None,
                                       reference.lunch if reference else None)
    fixed = rm.solve_aggregate(p, time_limit_s, fixed_rest=achieved,
                               start=rm.Start(np.zeros((p.n_people, p.n_days), bool), y, lunch))
    if fixed.found:
        y, lunch = fixed.counts.y, fixed.counts.lunch
    return _candidate(p, rest, y, lunch)


def _resting(p: RosterProblem, rest: np.ndarray) -> dict:
    """(class, day) -> people resting in the (E, D) rest days `rest`."""
    return _class_rest_counts(p, rest, np.ones(p.n_people, bool), {})


def _class_rest_counts(p: RosterProblem, rest: np.ndarray, decided: np.ndarray, pool: dict) -> dict:
    """(class, day) -> people resting: the decided people's rows plus the pooled counts."""
    return {(c, d): int(rest[[e for e in p.members(c) if decided[e]], d].sum()) + int(pool.get((c, d), 0))
            for c in range(len(p.classes)) for d in range(p.n_days)}


def _candidate(p: RosterProblem, rest: np.ndarray, y: dict, lunch_counts: dict) -> Candidate:
    shift = shifts_of_people(p, rest, y)
    days = RosterDays(p, shift, lunches_of_people(p, shift, lunch_counts))
    return Candidate(days, measure(days))


# --- the pass after the search: single moves granting wishes -------------------------------------------

def wishes_moved(best: Candidate, bound: float, deadline: float, progress: Progress | None = None,
                 started: float = 0.0) -> Candidate:
    """`best` with the single moves that lower its objective made, one wish not granted at a time, until none
    pays, the deadline (of roster_solver.elapsed) passes or the solve is stopped.

    For a rest wished on a day worked (a work wish on a rest day), the person's rest day of that week moves
    onto (off) the day: alone, the shift and a lunch going to the other day, or swapped with a colleague of
    the same class resting (working) then, who takes the day's shift and lunch, so the day counts, the
    lunches and the leaders stay as they were. The search decides people's days from day-level counts and
    misses such moves where its tie-breaks chose another person of the class. A move is made only where the
    rows it changes keep every rule (the rules' `holds`, no shift after one it may not follow, a leader on
    every shift, the stagger cap) and the objective, measured on the whole roster as the roster reports it, falls."""
    p = best.days.problem
    if not (p.rest_request.any() or p.work_request.any()):
        return best
    moved = True
    while moved:
        moved = False
        for e, d in _wishes_lost(best.days):
            if stopped() or elapsed() >= deadline:
                return best
            better = min(_wish_moves(best, e, d), key=lambda c: c.objective, default=None)
            if better is not None and better.objective < best.objective:
                best, moved = better, True
                if progress:
                    progress(best.objective, min(bound, best.objective), time.monotonic() - started)
    return best


def _wishes_lost(r: RosterDays) -> list[tuple[int, int]]:
    """(person, day) of each rest wish on a day worked and each work wish on a rest day, by person and day."""
    p = r.problem
    lost = ((p.rest_request & (r.shift >= 0)) | (p.work_request & r.rest)) & (p.wish_weight > 0)
    return list(zip(*(a.tolist() for a in np.nonzero(lost))))


def _wish_moves(c: Candidate, e: int, d: int) -> list[Candidate]:
    """The rosters of the single moves granting person e's wish on day d that keep every rule."""
    r = c.days
    p = r.problem
    week = next(w for w in p.weeks if d in w.days)
    if r.rest[e, d]:  # a work wish: the rest day goes to a day of the week worked
        pairs = [(d, o) for o in week.days if r.shift[e, o] >= 0]
    else:  # a rest wish: a rest day of the week comes to the day
        pairs = [(o, d) for o in week.days if r.rest[e, o]]
    out = []
    mates = np.flatnonzero(p.class_of == p.class_of[e])
    for off, on in pairs:
        if moved_rest_day(p, e, r.rest[e], off, on) is None:
            continue
        out += _moved_alone(c, e, off, on)
        for f in mates[r.rest[mates, on] & (r.shift[mates, off] >= 0)]:
            if moved_rest_day(p, int(f), r.rest[f], on, off) is not None:
                out += _swapped(c, e, int(f), off, on)
    return out


def _moved_alone(c: Candidate, e: int, off: int, on: int) -> list[Candidate]:
    """Person e rests on `on` and works on `off` the shift they had on `on`, each lunch the day allows."""
    r = c.days
    p = r.problem
    if leader_needed(p, r.shift, e, on):
        return []  # their shift would be left without its leader
    s = int(r.shift[e, on])
    shift = r.shift.copy()
    shift[e, on], shift[e, off] = -1, s
    out = []
    for l in lunch_options(p, off, s) or [-1]:
        lunch = r.lunch.copy()
        lunch[e, on], lunch[e, off] = -1, l
        # one person fewer on the shift can lower its stagger cap below the lunches already placed
        restaggered(p, shift, lunch, on, s)
        if keeps_rules(c, shift, lunch, (e,), ((on, s), (off, s))):
            out.append(measured_candidate(p, shift.copy(), lunch))
    return out


def lunch_options(p: RosterProblem, d: int, s: int) -> list[int]:
    """The first intervals of the lunches shift s may take on day d (scheduler.rules.lunch_airings)."""
    return [l for k, l in enumerate(p.lunch_slots[s]) if p.lunch_ok[d, s, k]]


def restaggered(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray, d: int, s: int) -> None:
    """Lunches of shift s on day d moved one at a time off the intervals above the stagger cap onto slots
    the day allows with room under it (the cheapest in airings, then the nearest), while one fits. `lunch`
    changes in place."""
    span = int(p.lunch_len[s])
    options = lunch_options(p, d, s)
    if not span or not options:
        return
    on_phones = np.flatnonzero((shift[:, d] == s) & p.on_phone)
    people = on_phones[lunch[on_phones, d] >= 0]
    cap = p.lunch_cap(len(on_phones))
    cost = {l: int(p.lunch_cost[d, s, k]) for k, l in enumerate(p.lunch_slots[s])}
    away = _at_lunch(p, lunch[people, d], span)
    while away.max() > cap:
        t = int(np.argmax(away))
        e = next(e for e in people if lunch[e, d] <= t < lunch[e, d] + span)
        old = int(lunch[e, d])
        away[old:old + span] -= 1
        room = [l for l in options if (away[l:l + span] < cap).all()]
        if not room:
            away[old:old + span] += 1
            return
        new = min(room, key=lambda l: (cost[l], abs(l - old)))
        lunch[e, d] = new
        away[new:new + span] += 1


def _swapped(c: Candidate, e: int, f: int, off: int, on: int) -> list[Candidate]:
    """Person e rests on `on` and takes f's shift and lunch on `off`; f rests on `off` and takes e's on `on`."""
    r = c.days
    p = r.problem
    shift, lunch = r.shift.copy(), r.lunch.copy()
    shift[[e, f], [on, off]], lunch[[e, f], [on, off]] = -1, -1
    shift[f, on], lunch[f, on] = r.shift[e, on], r.lunch[e, on]
    shift[e, off], lunch[e, off] = r.shift[f, off], r.lunch[f, off]
    if not keeps_rules(c, shift, lunch, (e, f), ()):
        return []
    return [measured_candidate(p, shift, lunch)]


def keeps_rules(c: Candidate, shift: np.ndarray, lunch: np.ndarray, people: tuple[int, ...],
                 lunched: tuple[tuple[int, int], ...]) -> bool:
    """Whether the roster (shift, lunch), moved from `c`'s for `people` (whose rest rows keep the rules'
    `holds`), breaks the rules of the finished roster no more than `c` does: no more shifts after one they
    may not follow for those people, no more lunches above the stagger cap on the (day, shift) pairs
    `lunched`."""
    r = c.days
    p = r.problem
    if any(_successions_broken(p, shift, e) > _successions_broken(p, r.shift, e) for e in people):
        return False
    return all(_over_stagger(p, shift, lunch, d, s) <= _over_stagger(p, r.shift, r.lunch, d, s) for d, s in lunched)


def _successions_broken(p: RosterProblem, shift: np.ndarray, e: int) -> int:
    """Days person e works a shift right after one it may not follow (scheduler.rules.shift_succession)."""
    last, row = p.previous_month.last_shift[e:e + 1], shift[e:e + 1]
    return sum(int(worked_after(last, row, a, b).sum()) for a, b in forbidden_pairs(p.rules))


def _over_stagger(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray, d: int, s: int) -> int:
    """Lunches above the stagger cap (scheduler.rules.lunch_stagger) summed over the intervals of shift s on
    day d."""
    span = int(p.lunch_len[s])
    if not span:
        return 0
    people = np.flatnonzero((shift[:, d] == s) & p.on_phone)
    away = _at_lunch(p, lunch[people, d], span)
    return int(np.maximum(away - p.lunch_cap(len(people)), 0).sum())


def _at_lunch(p: RosterProblem, starts: np.ndarray, span: int) -> np.ndarray:
    """People at lunch per interval of the shift's two-day axis (RosterProblem.cover: a night shift lunches
    after midnight) for lunches starting at `starts` (-1 none), each `span` intervals long."""
    away = np.zeros(p.cover.shape[1], np.int64)
    for l in starts[starts >= 0]:
        away[l:l + span] += 1
    return away


def measured_candidate(p: RosterProblem, shift: np.ndarray, lunch: np.ndarray) -> Candidate:
    days = RosterDays(p, shift, lunch)
    return Candidate(days, measure(days))
