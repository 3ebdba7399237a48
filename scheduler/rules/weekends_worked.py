"""Weekends worked (a contract's `max_weekends_worked`): a weekend is a Saturday and the Sunday after it, worked
when either day is; the person works at most that many of the horizon's weekends (one cut by the horizon's
edge counts by its days inside)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scheduler.conflicts import Conflict
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem

SATURDAY, SUNDAY = 5, 6


def weekends(days: pd.DatetimeIndex) -> list[tuple[int, ...]]:
    """The horizon's weekends: the indices of their days inside it."""
    out: dict[pd.Timestamp, list[int]] = {}
    for d, day in enumerate(days):
        if day.weekday() in (SATURDAY, SUNDAY):
            out.setdefault(day - pd.Timedelta(days=day.weekday() - SATURDAY), []).append(d)
    return [tuple(v) for v in out.values()]


def weekends_worked(worked: np.ndarray, ends: list[tuple[int, ...]]) -> int:
    """How many of the weekends `ends` a (D,) row of work days works."""
    return sum(bool(worked[list(w)].any()) for w in ends)


class _Tracker(RestTracker):
    """On a weekend day, whoever has worked their weekends and not this one rests; among the others, those
    with the fewest weekends to spare rest first."""

    def __init__(self, p: RosterProblem):
        self.p = p
        self.ends = weekends(p.days)
        self.weekend_of = np.full(p.n_days, -1, np.int64)
        for w, days in enumerate(self.ends):
            self.weekend_of[list(days)] = w
        self.off_days = np.zeros((p.n_people, p.n_days), bool)

    def _state(self, d: int, people: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weekends worked before this one, whether this one is worked already, weekends left from it on."""
        w = self.weekend_of[d]
        worked = np.zeros(len(people), np.int64)
        for days in self.ends[:w]:
            worked += (~self.off_days[np.ix_(people, list(days))]).any(axis=1)
        earlier = [x for x in self.ends[w] if x < d]
        this = (~self.off_days[np.ix_(people, earlier)]).any(axis=1) if earlier else np.zeros(len(people), bool)
        return worked, this, np.full(len(people), len(self.ends) - w)

    def must(self, d, people):
        capped = self.p.max_weekends[people]
        if self.weekend_of[d] < 0:
            return np.zeros(len(people), bool)
        worked, this, _ = self._state(d, people)
        return (capped >= 0) & ~this & (worked >= capped)

    def keys(self, d, people):
        if self.weekend_of[d] < 0 or not (self.p.max_weekends >= 0).any():
            return []
        worked, this, left = self._state(d, people)
        capped = self.p.max_weekends[people]
        # only those who must rest on some weekend left come first; the others' order is the other rules'
        return [np.where((capped >= 0) & ~this, np.minimum(capped - worked - left, 0), 0)]

    def off(self, d, people, resting):
        self.off_days[people, d] = True


class WeekendsWorked(RosterRule):
    name = "weekends worked"
    keys = ("contracts.max_weekends_worked",)
    greedy_order = 1

    def aggregate(self, m: DayCounts) -> list[Term]:
        """A class's people working a weekend are at least those working either of its days; each works at
        most the cap: exact for a class of one."""
        p = m.problem
        ends = weekends(p.days)
        for c, mine in m.pooled.items():
            cap = int(p.max_weekends[mine[0]])
            if cap < 0:
                continue
            free = (~p.leave[mine]).sum(axis=0)
            total = []
            for w, days in enumerate(ends):
                z = m.model.new_int_var(0, len(mine), f"weekend_c{c}_w{w}")
                for d in days:
                    m.model.add(z >= int(free[d]) - m.pool[c, d])
                total.append(z)
            m.model.add(sum(total) <= cap * len(mine))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        ends = weekends(p.days)
        for e in m.people:
            cap = int(p.max_weekends[e])
            if cap < 0:
                continue
            worked = []
            for w, days in enumerate(ends):
                mine = [d for d in days if (e, d) in m.rest]
                if not mine:
                    continue
                z = m.model.new_bool_var(f"weekend_e{e}_w{w}")
                for d in mine:
                    m.model.add_implication(m.rest[e, d].Not(), z)
                worked.append(z)
            m.model.add(sum(worked) <= cap)
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _Tracker(p) if (p.max_weekends >= 0).any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        cap = int(p.max_weekends[e])
        return cap < 0 or weekends_worked(~(row | p.leave[e]), weekends(p.days)) <= cap

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        ends = weekends(p.days)
        out = []
        for e in np.flatnonzero(p.max_weekends >= 0):
            n = weekends_worked(r.shift[e] >= 0, ends)
            if n > p.max_weekends[e]:
                who = p.ids[e]
                out.append(Conflict(self.name, None, (who,),
                                    f"{who} works {n} weekends, more than the {int(p.max_weekends[e])} their contract "
                                    "allows: the weekly rest days and the work days in a row left no rest on "
                                    "another weekend."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        ends = weekends(t.days)
        out = []
        for emp in t.ids:
            cap = t.bound(emp, "max_weekends_worked")
            if cap is None:
                continue
            worked = np.array([c in t.codes for c in t.table.loc[emp].to_numpy()])
            n = weekends_worked(worked, ends)
            if n > cap:
                out.append(f"{self.name}: {emp} works {n} weekends, more than {cap}")
        return out


RULE = WeekendsWorked()
