"""A fair share of weekend rests (weight `weekend_rest_fairness`): the spread (most minus least) of
rest days on Saturdays and Sundays among people with no leave on a weekend costs the weight per day.

The other rules tie a person's weekend rests together. With exactly one rest day a week and at most six
work days in a row, a rest day can only stay on its weekday or move earlier from one week to the next (a
later one would make seven work days in a row), so whoever rests on a weekend rested on every weekend
before it: a class's rest counts on each weekend say who has the most and the fewest weekend rests. A
roster narrows the spread by leaving the later weekends without rest days (or giving everyone the early
ones); what that costs in coverage is the trade the weight sets.

The day-level model therefore bounds the spread from each pooled class's rest count on each weekend
(anyone resting there has at least the fewest weekend rests a person resting there can have; when not
everyone does, someone has at most the most a person not resting there can have: both from the person
rules, `weekend_reach`) as well as from its totals, and counts the people whose leave sets them apart one
by one (`people_apart`). People after the previous month stay pooled: their classes hold only people whose
rest windows and week bounds are the same. Those bounds' booleans are set by assumption rather than
searched (scheduler.roster_model.solve_aggregate: loose first, then the most held lower in turn while it
pays). The person-stage models bound it per person, and the rest-day greedy gives a weekend's rest days
to whoever has had fewest so far.

Carried over from the previous month's roster, when given: among people with as many weekend rests so
far, the greedy gives the weekend's rest days first to whoever had fewer weekend rests in the previous
month. This month's spread, the objective part, is measured as without; the turn of who gets the extra
weekend rests is what carries over.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from ortools.sat.python import cp_model

from scheduler.roster_solver import check_stopped, run
from scheduler.rules.base import (ClassSpreadRule, CountValues, DayCounts, PersonDays, RestTracker, RosterDays, Spread,
                                  Term, add_spread, spread)
from scheduler.rules.weekly_rest import own_rules_key

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem

WEEKEND = (5, 6)
# Seconds for each of the small person models of weekend_reach (each solves in milliseconds).
REACH_LIMIT_S = 1.0


def weekend_days(p: RosterProblem) -> list[int]:
    return [d for d, day in enumerate(p.days) if day.weekday() in WEEKEND]


def weekends(p: RosterProblem) -> list[list[int]]:
    """The horizon's weekend days, one list per calendar weekend."""
    out: dict[int, list[int]] = {}
    for d in weekend_days(p):
        out.setdefault((p.days[d] - p.days[0]).days - p.days[d].weekday(), []).append(d)
    return list(out.values())


def comparable(p: RosterProblem) -> np.ndarray:
    """(E,) people whose weekend rests are compared: no leave on a weekend day."""
    weekend = weekend_days(p)
    return ~p.leave[:, weekend].any(axis=1) if weekend else np.zeros(p.n_people, bool)


def people_apart(p: RosterProblem) -> np.ndarray:
    """(E,) people the day-level model decides one by one when the weight asks: those with leave. Leave on a
    weekday lets a rest day move later, and their classes mix people compared and not, so class counts
    cannot say how their weekend rests fall; everyone left pooled is compared and bound to the weekends as
    the class is."""
    if not p.rules.weights.weekend_rest_fairness or comparable(p).sum() < 2:
        return np.zeros(p.n_people, bool)
    return p.leave.any(axis=1)


class Reach(NamedTuple):
    """For one person and each weekend: the fewest weekend rest days they can have when resting on it and
    the most when not (None where they cannot, respectively must, rest on it)."""

    least_resting: tuple[int | None, ...]
    most_not: tuple[int | None, ...]


def reach_context(p: RosterProblem) -> tuple:
    """What everyone's reach reads of the problem beside their own rules: the rest windows and weekends."""
    return tuple(p.windows), tuple(map(tuple, weekends(p))), p.n_days


def weekend_reach(p: RosterProblem, e: int, context: tuple | None = None) -> Reach:
    """Reach of person e under every rule's person part (hard rules only), from small CP-SAT models; a
    model that gives no proven answer in time gives the trivial bound, so the values stay bounds. Proven
    answers are kept for people whose rules read the same (most share them: everyone without leave).
    `context` is `reach_context(p)`, computed once for a class rather than once a person."""
    key = (*own_rules_key(p, e), *(context or reach_context(p)))
    if key in _REACH:
        return _REACH[key]
    reach, proven = _solve_reach(p, e)
    if proven:
        if len(_REACH) >= REACH_KEPT:
            _REACH.clear()
        _REACH[key] = reach
    return reach


_REACH: dict[tuple, Reach] = {}
REACH_KEPT = 4096


def class_reach(p: RosterProblem, people) -> list[tuple[int | None, int | None]]:
    """For a class's pooled `people` and each weekend: the fewest weekend rests anyone resting on it can
    have and the most anyone not resting on it can have (None where no one can, respectively must)."""
    context = reach_context(p)
    reach = []
    for e in people:
        check_stopped()  # tens of thousands of people at a few microseconds each, or a small solve each
        reach.append(weekend_reach(p, int(e), context))
    out = []
    for k in range(len(context[1])):
        resting = [r.least_resting[k] for r in reach if r.least_resting[k] is not None]
        not_resting = [r.most_not[k] for r in reach if r.most_not[k] is not None]
        out.append((min(resting) if resting else None, max(not_resting) if not_resting else None))
    return out


def _solve_reach(p: RosterProblem, e: int) -> tuple[Reach, bool]:
    """The reach and whether every value is proven."""
    from scheduler.rules import person_terms  # the registry imports this module

    groups = weekends(p)
    top = sum(len(g) for g in groups)
    proven = [True]

    def extreme(g: list[int], resting: bool) -> int | None:
        model = cp_model.CpModel()
        days = PersonDays(model, p, [e], {(e, d): model.new_bool_var(f"rest_d{d}") for d in range(p.n_days)
                                          if not p.leave[e, d]}, goals=False)
        person_terms(days)
        here = [days.rest[e, d] for d in g if (e, d) in days.rest]
        count = sum(days.rest[e, d] for gg in groups for d in gg if (e, d) in days.rest)
        if resting:
            if not here:
                return None
            model.add(sum(here) >= 1)
            model.minimize(count)
        else:
            for x in here:
                model.add(x == 0)
            model.maximize(count)
        done = run(model, REACH_LIMIT_S, 1)
        if done.status == "INFEASIBLE":
            return None
        if done.status != "OPTIMAL":
            proven[0] = False
            return 1 if resting else top - len(g)
        return int(round(done.solver.objective_value))

    reach = Reach(tuple(extreme(g, True) for g in groups), tuple(extreme(g, False) for g in groups))
    return reach, proven[0]


class _Tracker(RestTracker):
    """On a weekend day, whoever has had fewest weekend rests so far rests first, then whoever had fewest in
    the previous month (when the weight asks)."""

    def __init__(self, p: RosterProblem):
        self.weekend = np.zeros(p.n_days, bool)
        if p.rules.weights.weekend_rest_fairness:
            self.weekend[weekend_days(p)] = True
        self.rests = np.zeros(p.n_people, np.int64)
        self.last_month = p.previous_month.weekend_rests

    def keys(self, d, people):
        if not self.weekend[d]:
            return [np.zeros(len(people), np.int64)] * 2
        return [self.rests[people], self.last_month[people]]

    def off(self, d, people, resting):
        if resting and self.weekend[d]:
            self.rests[people] += 1


class _Owned(NamedTuple):
    spread: Spread
    at_least_most: list  # [t - 1]: BoolVar, the most weekend rests of anyone is t or more
    at_least_least: list  # [t - 1]: BoolVar, the fewest of anyone is t or more


class WeekendRestFairness(ClassSpreadRule):
    name = "fair share of weekend rests"
    keys = ("weights.weekend_rest_fairness",)
    weight_key = "weekend_rest_fairness"
    greedy_order = 5
    objective_key = "weekend_rest_fairness"

    def _compared(self, m: DayCounts) -> tuple[list[int], list[int]]:
        """The pooled classes whose pooled people are all compared, and the compared people with their own
        variables."""
        p = m.problem
        fair = comparable(p)
        classes = [c for c, mine in m.pooled.items() if len(mine) and fair[mine].all()]
        singles = sorted({e for e, _ in m.rest if fair[e]})
        return classes, singles

    def shares(self, m: DayCounts, values: CountValues | None) -> list[tuple[int, object]]:
        """(people, weekend rest days) of each pooled class of compared people and each compared person with
        variables of their own: expressions of `m`, or their values in `values`."""
        p = m.problem
        weekend = weekend_days(p)
        classes, singles = self._compared(m)
        if values is None:
            pooled = [(len(m.pooled[c]), sum(m.pool[c, d] for d in weekend)) for c in classes]
            own = [(1, sum(m.rest[e, d] for d in weekend if (e, d) in m.rest)) for e in singles]
        else:
            rows = values.rest
            pooled = [(len(m.pooled[c]), sum(self._pool_value(m, values, c, d) for d in weekend)) for c in classes]
            own = [(1, int(rows[e, weekend].sum())) for e in singles]
        return pooled + own

    @staticmethod
    def _pool_value(m: DayCounts, values: CountValues, c: int, d: int) -> int:
        """The pooled people of class c resting on day d in `values`: the class's count less its people
        with variables of their own."""
        p = m.problem
        own = [e for e in p.members(c) if (e, d) in m.rest]
        return int(values.resting.get((c, d), 0)) - (int(values.rest[own, d].sum()) if own else 0)

    def top(self, p: RosterProblem) -> int:
        return len(weekend_days(p))

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        w = self.weight(p)
        shares = self.shares(m, None) if w and (m.pool or m.rest) else []
        if sum(n for n, _ in shares) < 2:
            return []
        top = self.top(p)
        model = m.model
        most = model.new_int_var(0, top, "weekend_rests_most")
        least = model.new_int_var(0, top, "weekend_rests_least")
        for n, total in shares:
            model.add(n * most >= total)
            model.add(n * least <= total)
        gap = model.new_int_var(0, top, "weekend_rests_spread")
        model.add(gap == most - least)
        # most and least in unary, shared by every class: deciding "no one has t or more" empties, in
        # one step, every weekend whose resters would have t or more
        above = [model.new_bool_var(f"weekend_rests_most_ge{t}") for t in range(1, top + 1)]
        below = [model.new_bool_var(f"weekend_rests_least_ge{t}") for t in range(1, top + 1)]
        for unary, total in ((above, most), (below, least)):
            model.add(total == sum(unary))
            for t in range(1, top):
                model.add_implication(unary[t], unary[t - 1])
        classes, _ = self._compared(m)
        for c in classes:
            n = len(m.pooled[c])
            for g, (lo, hi) in zip(weekends(p), class_reach(p, m.pooled[c])):
                on_g = sum(m.pool[c, d] for d in g)
                if lo is not None and lo >= 1:
                    # someone rests on weekend g: they have lo weekend rests or more
                    model.add(on_g <= n * len(g) * above[lo - 1])
                if hi is not None and hi < top:
                    # fewer rest days there than people: someone has none, so at most hi weekend rests
                    model.add(on_g >= n * below[hi])
        m.owned[self.name] = _Owned(Spread(most, least, gap), above, below)
        return [Term(w, gap)]

    def bounds_of(self, m: DayCounts, values: CountValues) -> tuple[int, int]:
        """The least `most` and the largest `least` the model allows for the counts in `values`."""
        p = m.problem
        top = self.top(p)
        shares = self.shares(m, values)
        floor_most = [-(-x // n) for n, x in shares]
        ceil_least = [x // n for n, x in shares]
        classes, _ = self._compared(m)
        for c in classes:
            n = len(m.pooled[c])
            for g, (lo, hi) in zip(weekends(p), class_reach(p, m.pooled[c])):
                on_g = sum(self._pool_value(m, values, c, d) for d in g)
                if on_g > 0 and lo is not None:
                    floor_most.append(lo)
                if on_g < n and hi is not None:
                    ceil_least.append(hi)
        most = min(max(floor_most), top)
        return most, min(max(min(ceil_least), 0), most)

    def hint(self, m: DayCounts, values: CountValues) -> None:
        owned = m.owned.get(self.name)
        if owned is None or (m.rest and values.rest is None):
            return
        most, least = self.bounds_of(m, values)
        m.model.add_hint(owned.spread.most, most)
        m.model.add_hint(owned.spread.least, least)
        m.model.add_hint(owned.spread.spread, most - least)
        for t in range(1, self.top(m.problem) + 1):
            m.model.add_hint(owned.at_least_most[t - 1], t <= most)
            m.model.add_hint(owned.at_least_least[t - 1], t <= least)

    def loose(self, m: DayCounts, most: int | None = None) -> list:
        """Literals that set the model's spread bounds: the most at its top (not binding) or held at
        `most`, the least at 0. Assumed, the model is the one without the bounds' booleans, no one above
        `most` weekend rests, plus a constant weight × (top or `most`): its LP stays as tight as without."""
        owned = m.owned.get(self.name)
        if owned is None:
            return []
        top = self.top(m.problem)
        held = top if most is None else most
        return (list(owned.at_least_most[:held]) + [x.Not() for x in owned.at_least_most[held:]]
                + [x.Not() for x in owned.at_least_least])

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        w = p.rules.weights.weekend_rest_fairness
        weekend = weekend_days(p)
        fair = comparable(p)
        people = [e for e in m.people if fair[e]] if m.goals and w else []
        if len(people) < 2:
            return []
        rests = [(1, sum(m.rest[e, d] for d in weekend if (e, d) in m.rest)) for e in people]
        return [Term(w, add_spread(m.model, "weekend_rests", rests, len(weekend)).spread)]

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def spread(self, r: RosterDays) -> int:
        p = r.problem
        return spread(r.rest[:, weekend_days(p)].sum(axis=1)[comparable(p)])

    def cost(self, r: RosterDays) -> int:
        return r.problem.rules.weights.weekend_rest_fairness * self.spread(r)


RULE = WeekendRestFairness()
