"""A fair share of weekend rests (weight `weekend_rest_fairness`): the spread (most minus least) of
rest days on Saturdays and Sundays among people with no leave on a weekend costs the weight per day.

In the day-level model the spread is bounded per class, as for late shifts
(scheduler.rules.late_shift_fairness); the person-stage models bound it per person, and the rest-day
greedy gives a weekend's rest days to whoever has had fewest so far.

The other rules leave this goal little room: with exactly one rest day a week and at most six work
days in a row, a person's rest day can only move earlier in the week from one week to the next (a
later one would make seven work days in a row), so whoever rests on weekdays early in the month has no
weekend rest after, and the spread within a class follows from the day counts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.rules.base import (ClassSpreadRule, CountValues, DayCounts, PersonDays, RestTracker, RosterDays, Term,
                                  add_spread, classes_within, spread)

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem

WEEKEND = (5, 6)


def weekend_days(p: RosterProblem) -> list[int]:
    return [d for d, day in enumerate(p.days) if day.weekday() in WEEKEND]


def comparable(p: RosterProblem) -> np.ndarray:
    """(E,) people whose weekend rests are compared: no leave on a weekend day."""
    weekend = weekend_days(p)
    return ~p.leave[:, weekend].any(axis=1) if weekend else np.zeros(p.n_people, bool)


class _Tracker(RestTracker):
    """On a weekend day, whoever has had fewest weekend rests so far rests first (when the weight asks)."""

    def __init__(self, p: RosterProblem):
        self.weekend = np.zeros(p.n_days, bool)
        if p.rules.weights.weekend_rest_fairness:
            self.weekend[weekend_days(p)] = True
        self.rests = np.zeros(p.n_people, np.int64)

    def keys(self, d, people):
        return [self.rests[people] if self.weekend[d] else np.zeros(len(people), np.int64)]

    def off(self, d, people, resting):
        if resting and self.weekend[d]:
            self.rests[people] += 1


class WeekendRestFairness(ClassSpreadRule):
    name = "fair share of weekend rests"
    keys = ("weights.weekend_rest_fairness",)
    weight_key = "weekend_rest_fairness"
    greedy_order = 5
    objective_key = "weekend_rest_fairness"

    def shares(self, m: DayCounts, values: CountValues | None) -> list[tuple[int, object]]:
        p = m.problem
        if not m.pool:
            return []  # rest days fixed: nothing to share
        value = m.resting.get if values is None else (lambda k: int(values.resting.get(k, 0)))
        return [(len(p.members(c)), sum(value((c, d)) for d in weekend_days(p)))
                for c in classes_within(p, comparable(p))]

    def top(self, p: RosterProblem) -> int:
        return len(weekend_days(p))

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        w = p.rules.weights.weekend_rest_fairness
        weekend = weekend_days(p)
        fair = comparable(p)
        people = [e for e in m.people if fair[e]] if m.goals and w else []
        if len(people) < 2:
            return []
        rests = [(1, sum(m.rest[e, d] for d in weekend)) for e in people]
        return [Term(w, add_spread(m.model, "weekend_rests", rests, len(weekend)).spread)]

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def spread(self, r: RosterDays) -> int:
        p = r.problem
        return spread(r.rest[:, weekend_days(p)].sum(axis=1)[comparable(p)])

    def cost(self, r: RosterDays) -> int:
        return r.problem.rules.weights.weekend_rest_fairness * self.spread(r)


RULE = WeekendRestFairness()
