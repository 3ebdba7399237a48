"""The roster's model pieces: the aggregate keeps the stagger rule, and rest days are matched to its counts."""
from __future__ import annotations

import numpy as np
import pytest

from scheduler import roster_model as rm
from scheduler.roster_assign import rest_days_of_people
from scheduler.roster_build import build_problem
from scheduler.roster_synthetic import synthetic_month
from core.rules import DEFAULT_RULES


@pytest.fixture(scope="module")
def problem():
    m = synthetic_month(40, days=21, seed=4)
    p = build_problem(m.requirement, m.staff, DEFAULT_RULES, m.leave, m.ads, None)
    rm.relax_impossible_rest_weeks(p)
    return p


@pytest.fixture(scope="module")
def aggregate(problem):
    solved = rm.solve_aggregate(problem, 10.0)
    assert solved.found
    return solved


def resting(p, rest, c) -> np.ndarray:
    return rest[p.members(c)].sum(axis=0)


def rules_hold(p, rest) -> bool:
    """Every person's weekly rest count and a rest in every (max consecutive + 1)-day window."""
    for e in range(p.n_people):
        for w, week in enumerate(p.weeks):
            if not p.rest_bounds[e, w, 0] <= rest[e, list(week.days)].sum() <= p.rest_bounds[e, w, 1]:
                return False
        for k in np.flatnonzero(p.window_need[e]):
            if not (rest[e, list(p.windows[k])] | p.leave[e, list(p.windows[k])]).any():
                return False
    return not (rest & p.leave).any()


def test_the_aggregate_keeps_the_stagger_cap_on_every_day(problem, aggregate):
    p, v = problem, aggregate.counts
    for d in range(p.n_days):
        for s, slots in enumerate(p.lunch_slots):
            phones = sum(n * p.classes[c].on_phone for (c, dd, ss), n in v.y.items() if dd == d and ss == s)
            away = np.zeros(p.n_intervals, np.int64)
            for l in slots:
                away[l:l + p.lunch_len[s]] += v.lunch.get((d, s, l), 0)
            assert away.max() <= p.lunch_cap(phones), (d, s)


def spread_rest_days(p, c) -> np.ndarray:
    """A valid assignment with class c's rest days spread over the week (earliest deadline first)."""
    n = len(p.members(c))
    rest, broken = rest_days_of_people(p, {(c, d): -(-n // 7) for d in range(p.n_days)})
    assert not broken
    return rest


def test_reachable_counts_are_matched_exactly_from_a_poor_start(problem):
    p = problem
    c = max(range(len(p.classes)), key=lambda c: len(p.members(c)))
    target = spread_rest_days(p, c)
    start, _ = rest_days_of_people(p, {})  # everyone rests on the same days
    counts = {(c, d): int(n) for d, n in enumerate(resting(p, target, c))}
    assert (resting(p, start, c) != resting(p, target, c)).any()
    got = rm.matched_rest_days(p, start, counts, [(c, [int(e) for e in p.members(c)])],
                               np.zeros((len(p.classes), p.n_days, 2, 3), np.int64), 5.0)
    assert (resting(p, got, c) == resting(p, target, c)).all()
    assert rules_hold(p, got)
    others = np.setdiff1d(np.arange(p.n_people), p.members(c))
    assert (got[others] == start[others]).all()


def test_rest_days_the_counts_cannot_take_go_where_they_cost_least(problem):
    p = problem
    c = max(range(len(p.classes)), key=lambda c: len(p.members(c)))
    week = list(p.weeks[2].days)
    assert len(week) == 7
    # counts asking for no rest at all in a full week: the rules put each member's rest there anyway
    rest = spread_rest_days(p, c)
    counts = {(c, d): int(n) for d, n in enumerate(resting(p, rest, c))}
    counts.update({(c, d): 0 for d in week})
    costs = np.full((len(p.classes), p.n_days, 2, 3), 100, np.int64)
    cheap = week[3]
    costs[c, cheap, 0, :] = 0  # resting costs nothing more on one day of that week
    got = rm.matched_rest_days(p, rest, counts, [(c, [int(e) for e in p.members(c)])], costs, 5.0)
    in_week = resting(p, got, c)[week]
    assert in_week.sum() == sum(int(p.rest_bounds[e, 2, 0]) for e in p.members(c))
    assert in_week[3] > max(np.delete(in_week, 3)) and in_week[3] > resting(p, rest, c)[cheap]
    assert rules_hold(p, got)
