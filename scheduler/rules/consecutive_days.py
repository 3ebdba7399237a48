"""Maximum consecutive work days (`max_consecutive_work_days`, a contract's own where the person has one):
every window of that many days plus one holds a day off, counting the previous month's last days when its roster is given (a run of work days
that ends on its last day continues into this month's first)."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import PreviousMonth, RosterProblem


class RestWindows(NamedTuple):
    days: list[tuple[int, ...]]  # horizon days of each (max consecutive + 1)-day window
    need: np.ndarray  # (E, windows) bool: the person needs a rest day in the window
    start_streak: np.ndarray  # (E,) work days in a row just before the horizon (0 when unknown)


def rest_windows(n_days: int, most: np.ndarray, leave: np.ndarray, previous_month: PreviousMonth) -> RestWindows:
    """The windows of a person's `most` ((E,) their limit: the contract's or the global one) + 1 days that
    must hold a day off; windows reaching before the horizon only for people whose previous month's roster
    knows those days."""
    before = previous_month.last_days
    E, lookback = before.shape
    windows, needs = [], []
    for limit in np.unique(most):
        limit = int(limit)
        mine = most == limit
        for a in range(-lookback, n_days - limit):
            span = range(a, a + limit + 1)
            inside = tuple(d for d in span if d >= 0)
            if not inside or a + limit < 0:
                continue
            past = [d + lookback for d in span if d < 0]
            known = (before[:, past] >= 0).all(axis=1) if past else np.ones(E, bool)
            rested = (before[:, past] == 1).any(axis=1) if past else np.zeros(E, bool)
            need = mine & known & ~rested & ~leave[:, list(inside)].any(axis=1)
            if need.any():
                windows.append(inside)
                needs.append(need)
    streak = np.zeros(E, np.int64)
    for e in range(E):
        j = lookback - 1
        while j >= 0 and before[e, j] == 0:
            streak[e] += 1
            j -= 1
    return RestWindows(windows, np.array(needs, bool).T.reshape(E, len(windows)), np.minimum(streak, most))


class _Tracker(RestTracker):
    """Each person's next window still without a day off; its last day is the deadline."""

    def __init__(self, p: RosterProblem):
        self.p = p
        self.start = np.array([w[0] for w in p.windows], np.int64)
        self.end = np.array([w[-1] for w in p.windows], np.int64)
        self.needed = [np.flatnonzero(p.window_need[e]) for e in range(p.n_people)]
        self.pointer = np.zeros(p.n_people, np.int64)

    def deadline(self, people: np.ndarray) -> np.ndarray:
        out = np.full(len(people), self.p.n_days + 7, np.int64)
        for i, e in enumerate(people):
            k = self.pointer[e]
            if k < len(self.needed[e]):
                out[i] = self.end[self.needed[e][k]]
        return out

    def must(self, d, people):
        return self.deadline(people) <= d

    def keys(self, d, people):
        return [self.deadline(people)]

    def off(self, d, people, resting):
        for e in people:
            ks = self.needed[e]
            while self.pointer[e] < len(ks) and self.start[ks[self.pointer[e]]] <= d:
                self.pointer[e] += 1


class ConsecutiveDays(RosterRule):
    name = "maximum consecutive work days"
    keys = ("max_consecutive_work_days", "contracts.max_consecutive_work_days")
    greedy_order = 3

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            for k, days in enumerate(p.windows):
                need = int(p.window_need[mine, k].sum())
                if need:
                    m.model.add(sum(m.pool[c, d] for d in days) >= need)
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            for k in np.flatnonzero(p.window_need[e]):
                m.model.add_bool_or([m.rest[e, d] for d in p.windows[k] if (e, d) in m.rest])
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return all(row[list(p.windows[k])].any() for k in np.flatnonzero(p.window_need[e]))

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp in t.ids:
            m = t.bound(emp, "max_consecutive_work_days")
            # the previous month's unbroken run of work days just before the horizon
            carried, day = 0, t.days[0] - t.one_day
            while t.previous_month[emp].get(day) in t.codes:
                carried += 1
                day -= t.one_day
            streak = carried
            for day in t.days:
                if t.table.at[emp, day] in t.codes:
                    streak += 1
                    if streak == m + 1:
                        since = f" (from {(day - t.one_day * m).date()}, {carried} of them in the previous month's " \
                                "roster)" if carried else ""
                        out.append(f"max consecutive work days: {emp} works more than {m} days in a row up to "
                                   f"{day.date()}{since}")
                else:
                    streak = carried = 0
        return out


RULE = ConsecutiveDays()
