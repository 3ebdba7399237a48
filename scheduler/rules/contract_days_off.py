"""Weekdays off (a contract's `days_off`, e.g. ["Sat", "Sun"]): the person rests on those weekdays, unless
on leave. They are rest days, so they count toward the weekly rest days."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.conflicts import Conflict
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def must(self, d, people):
        return self.p.fixed_off[people, d]


class ContractDaysOff(RosterRule):
    name = "weekdays off"
    keys = ("contracts.days_off",)

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            for d in np.flatnonzero(p.fixed_off[mine].any(axis=0)):
                m.model.add(m.pool[c, d] >= int(p.fixed_off[mine, d].sum()))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            for d in np.flatnonzero(p.fixed_off[e]):
                m.model.add(m.rest[e, d] == 1)
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _Tracker(p) if p.fixed_off.any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return bool(row[p.fixed_off[e]].all())

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        out = []
        for e, d in zip(*np.nonzero(p.fixed_off & (r.shift >= 0))):
            who, day = p.ids[e], p.days[d]
            out.append(Conflict(self.name, day.date().isoformat(), (who,),
                                f"{who} works on {day.date()}, a {day.day_name()} their contract keeps off: the "
                                "weekly rest days and the work days in a row left no other way."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp, contract in t.contracts.items():
            if not contract.days_off:
                continue
            for day, code in zip(t.days, t.table.loc[emp].to_numpy()):
                if day.weekday() in contract.days_off and code in t.codes:
                    out.append(f"{self.name}: {emp} works {code} on {day.date()}, a {day.day_name()} their "
                               f"contract '{contract.name}' keeps off")
        return out


RULE = ContractDaysOff()
