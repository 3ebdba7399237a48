"""Monthly paid-hour cap (`monthly_paid_hours_cap_enabled`, `monthly_paid_hours_cap`): when switched on,
no one works more days than the cap allows at their longest allowed shift."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterRule, Term

if TYPE_CHECKING:
    from core.rules import Rules
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


def most_work_days(rules: Rules, allowed: np.ndarray, n_days: int) -> np.ndarray:
    """(E,) the most days each person may work in the horizon (every day when the cap is off)."""
    if not rules.monthly_paid_hours_cap_enabled:
        return np.full(len(allowed), n_days, np.int64)
    paid = np.array([s.paid_hours for s in rules.shifts])
    longest = np.where(allowed, paid[None, :], 0).max(axis=1, initial=0)
    most = np.floor(rules.monthly_paid_hours_cap / np.maximum(longest, 1e-9) + 1e-9).astype(np.int64)
    return np.minimum(most, n_days)


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        free = ~p.leave
        self.left = np.cumsum(free[:, ::-1], axis=1)[:, ::-1]  # free days from d to the month's end
        self.owed = np.maximum(free.sum(axis=1) - p.max_work_days, 0)

    def must(self, d, people):
        return self.owed[people] >= self.left[people, d]

    def off(self, d, people, resting):
        if resting:
            self.owed[people] -= 1


class MonthlyHours(RosterRule):
    name = "paid-hour cap"
    keys = ("monthly_paid_hours_cap_enabled", "monthly_paid_hours_cap")

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            if (p.max_work_days[mine] < p.n_days).any():
                free = (~p.leave[mine]).sum(axis=0)
                m.model.add(sum(int(free[d]) - m.pool[c, d] for d in range(p.n_days)) <= int(p.max_work_days[mine].sum()))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            if p.max_work_days[e] < p.n_days:
                m.model.add(sum(1 - m.rest[e, d] for d in m.days_of(e)) <= int(p.max_work_days[e]))
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return int((~row & ~p.leave[e]).sum()) <= p.max_work_days[e]

    def check(self, t: RosterTable) -> list[str]:
        rules = t.rules
        if not rules.monthly_paid_hours_cap_enabled:
            return []
        out = []
        for emp in t.ids:
            paid = sum(t.codes[c].paid_hours for c in t.table.loc[emp] if c in t.codes)
            if paid > rules.monthly_paid_hours_cap + 1e-9:
                out.append(f"{self.name}: {emp} has {paid:g} paid hours, cap {rules.monthly_paid_hours_cap:g}")
        return out


RULE = MonthlyHours()
