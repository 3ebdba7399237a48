"""Work days in a row at least (a contract's `min_consecutive_work_days`): the person's work days come at least
that many together. A run of work days is the days between two days off (rest or leave); a run touching the
horizon's first or last day may be shorter (the days beyond it are another roster's)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.conflicts import Conflict
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term, short_inner_runs

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


def short_work_runs(off: np.ndarray, least: int) -> list[tuple[int, int]]:
    """(first, last) day of each run of work days shorter than `least` between two days off (`off`, (D,) bool)."""
    return short_inner_runs(~off, least)


class _Tracker(RestTracker):
    """Whoever is in a run of work days begun after a day off inside the horizon and still short of the
    least may not rest."""

    def __init__(self, p: RosterProblem):
        self.p = p
        self.last_off = np.full(p.n_people, -1, np.int64)

    def room(self, d, people):
        worked = d - self.last_off[people] - 1
        begun = self.last_off[people] >= 0
        return ~(begun & (worked > 0) & (worked < self.p.min_work_days[people]))

    def off(self, d, people, resting):
        self.last_off[people] = d


class WorkDaysInARow(RosterRule):
    name = "work days in a row"
    keys = ("contracts.min_consecutive_work_days",)

    def aggregate(self, m: DayCounts) -> list[Term]:
        """People of a class starting a run of work days on day d (at least pool[d - 1] - pool[d] of them) still
        work on the run's next days: exact for a class of one. Days near a pooled member's leave are left out."""
        p = m.problem
        for c, mine in m.pooled.items():
            least = int(p.min_work_days[mine[0]])
            if least < 2:
                continue
            leave = p.leave[mine].any(axis=0)
            n = len(mine)
            for d in range(1, p.n_days):
                for j in range(1, least):
                    if d + j < p.n_days and not leave[d - 1:d + j + 1].any():
                        m.model.add(n - m.pool[c, d + j] >= m.pool[c, d - 1] - m.pool[c, d])
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            least = int(p.min_work_days[e])
            if least < 2:
                continue
            leave = p.leave[e]
            # no run of 1 .. least - 1 work days between two days off a and b
            for a in range(p.n_days):
                for b in range(a + 2, min(a + least + 1, p.n_days)):
                    if leave[a + 1:b].any():
                        continue
                    m.model.add_bool_or(([] if leave[a] else [m.rest[e, a].Not()])
                                        + [m.rest[e, x] for x in range(a + 1, b)]
                                        + ([] if leave[b] else [m.rest[e, b].Not()]))
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _Tracker(p) if (p.min_work_days > 1).any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        least = int(p.min_work_days[e])
        return least < 2 or not short_work_runs(row | p.leave[e], least)

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        out = []
        for e in np.flatnonzero(p.min_work_days > 1):
            least, who = int(p.min_work_days[e]), p.ids[e]
            for first, last in short_work_runs(r.shift[e] < 0, least):
                start = p.days[first].date().isoformat()
                out.append(Conflict(self.name, start, (who,),
                                    f"{who} works {last - first + 1} day(s) in a row from {start} to "
                                    f"{p.days[last].date().isoformat()}, fewer than the {least} their contract "
                                    "asks: their leave and the weekly rest days left no longer run there."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp in t.ids:
            least = t.bound(emp, "min_consecutive_work_days")
            if not least or least < 2:
                continue
            off = np.array([c not in t.codes for c in t.table.loc[emp].to_numpy()])
            for first, last in short_work_runs(off, least):
                out.append(f"{self.name}: {emp} works {last - first + 1} day(s) in a row from {t.days[first].date()} "
                           f"to {t.days[last].date()}, fewer than {least}")
        return out


RULE = WorkDaysInARow()
