"""Days off in a row (a contract's `min_days_off_in_a_row`): the person's days off come at least that many
together ("two consecutive days off"). A run of days off is rest days and leave between two work days, so a
single day of leave between work days gets a rest day beside it (as the nurse-rostering benchmarks count
days off); a run touching the horizon's first or last day may be shorter (the days beyond it are another
roster's)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.conflicts import Conflict
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term, short_inner_runs

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem




class _Tracker(RestTracker):
    """Whoever is in a run of days off begun inside the horizon and still short of the least rests on."""

    def __init__(self, p: RosterProblem):
        self.p = p
        self.length = np.zeros(p.n_people, np.int64)  # days off in the run ending on `last`
        self.begun_inside = np.zeros(p.n_people, bool)
        self.last = np.full(p.n_people, -2, np.int64)  # the last day off seen

    def must(self, d, people):
        going = self.last[people] == d - 1
        short = self.length[people] < self.p.min_days_off[people]
        return going & short & self.begun_inside[people]

    def off(self, d, people, resting):
        for e in people:
            if self.last[e] != d - 1:
                self.length[e], self.begun_inside[e] = 0, d > 0
            self.length[e] += 1
            self.last[e] = d


class DaysOffInARow(RosterRule):
    name = "days off in a row"
    keys = ("contracts.min_days_off_in_a_row",)
    greedy_order = 1

    def aggregate(self, m: DayCounts) -> list[Term]:
        """People of a class starting a run of days off on day d (at least pool[d] - pool[d - 1] of them)
        still rest on the run's next days: exact for a class of one. Days near a pooled member's leave are
        left out, where a run may begin or end with leave."""
        p = m.problem
        for c, mine in m.pooled.items():
            least = int(p.min_days_off[mine[0]])
            if least < 2:
                continue
            leave = p.leave[mine].any(axis=0)
            for d in range(1, p.n_days):
                for j in range(1, least):
                    if d + j < p.n_days and not leave[d - 1:d + j + 1].any():
                        m.model.add(m.pool[c, d + j] >= m.pool[c, d] - m.pool[c, d - 1])
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            least = int(p.min_days_off[e])
            if least < 2:
                continue
            leave = p.leave[e]
            # no run of 1 .. least - 1 days off between two work days a and b
            for a in range(p.n_days):
                for b in range(a + 2, min(a + least + 1, p.n_days)):
                    if leave[a] or leave[b]:
                        continue
                    m.model.add_bool_or([m.rest[e, a], m.rest[e, b]]
                                        + [m.rest[e, x].Not() for x in range(a + 1, b) if not leave[x]])
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _Tracker(p) if (p.min_days_off > 1).any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        least = int(p.min_days_off[e])
        return least < 2 or not short_inner_runs(row | p.leave[e], least)

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        out = []
        for e in np.flatnonzero(p.min_days_off > 1):
            least = int(p.min_days_off[e])
            who = p.ids[e]
            for first, last in short_inner_runs(r.rest[e] | p.leave[e], least):
                start = p.days[first].date().isoformat()
                out.append(Conflict(self.name, start, (who,),
                                    f"{who} has {last - first + 1} day(s) off from {start} to "
                                    f"{p.days[last].date().isoformat()}, fewer than the {least} in a row their "
                                    f"contract asks: the weekly rest days and the work days in a row left no "
                                    "longer run there."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp in t.ids:
            least = t.bound(emp, "min_days_off_in_a_row")
            if not least or least < 2:
                continue
            codes = t.table.loc[emp].to_numpy()
            off = np.array([c in (t.OFF, t.LEAVE) for c in codes])
            for first, last in short_inner_runs(off, least):
                out.append(f"{self.name}: {emp} has {last - first + 1} day(s) off from {t.days[first].date()} to "
                           f"{t.days[last].date()}, fewer than {least} in a row")
        return out


RULE = DaysOffInARow()
