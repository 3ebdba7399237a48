"""Shifts of each type a person works over the horizon, at least and at most (a contract's `min_shifts` and
`max_shifts`, e.g. `max_shifts = { L = 9 }`).

The day-level model bounds each class's total of each shift by its people's bounds summed, exact for a class
of one. People's rest days keep the work days the bounds allow: at most the sum of their allowed shifts'
maxima, at least the sum of the minima. The shift split (scheduler.roster_assign) keeps people off a shift
whose maximum they have reached and, where a pool's split still misses a bound, splits the pool's month again
exactly (scheduler.roster_assign.split_exactly)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.conflicts import Conflict, shift_name
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


def work_day_bounds(p: RosterProblem) -> tuple[np.ndarray, np.ndarray]:
    """(E,) the fewest and the most work days each person's shift-type bounds allow."""
    most = np.where(p.allowed, p.max_shifts, 0).sum(axis=1)
    return p.min_shifts.sum(axis=1), np.minimum(most, p.n_days)


def bounded(p: RosterProblem) -> np.ndarray:
    """(E,) bool: people with a bound on some shift type."""
    return (p.min_shifts > 0).any(axis=1) | (p.max_shifts < p.n_days).any(axis=1)


def outside_bounds(p: RosterProblem, shift: np.ndarray, people) -> list[tuple[int, int, int]]:
    """(person, shift, shifts worked) of each of `people` whose count of a shift type misses its bounds."""
    out = []
    for e in people:
        worked = np.bincount(shift[e][shift[e] >= 0], minlength=len(p.shift_codes))
        for s in np.flatnonzero((worked < p.min_shifts[e]) | (worked > p.max_shifts[e])):
            out.append((int(e), int(s), int(worked[s])))
    return out


class _Tracker(RestTracker):
    """Rest while the work days left would pass the most the bounds allow; no rest that leaves too few."""

    def __init__(self, p: RosterProblem):
        least, most = work_day_bounds(p)
        free = ~p.leave
        self.left = np.cumsum(free[:, ::-1], axis=1)[:, ::-1]  # free days from d to the horizon's end
        self.owed = np.maximum(free.sum(axis=1) - most, 0)  # rest days still needed
        self.spare = free.sum(axis=1) - least  # rest days still allowed

    def must(self, d, people):
        return self.owed[people] >= self.left[people, d]

    def room(self, d, people):
        return self.spare[people] > 0

    def off(self, d, people, resting):
        if resting:
            self.owed[people] -= 1
            self.spare[people] -= 1


class ShiftsOfType(RosterRule):
    name = "shifts of each type"
    keys = ("contracts.min_shifts", "contracts.max_shifts")

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        D, S = p.n_days, len(p.shift_codes)
        for c in range(len(p.classes)):
            members = p.members(c)
            if not len(members) or not bounded(p)[members].any():
                continue
            for s in range(S):
                ys = [m.y[c, d, s] for d in range(D) if (c, d, s) in m.y]
                most, least = int(p.max_shifts[members, s].sum()), int(p.min_shifts[members, s].sum())
                if ys and most < len(members) * D:
                    m.model.add(sum(ys) <= most)
                if ys and least:
                    m.model.add(sum(ys) >= least)
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        least, most = work_day_bounds(p)
        for e in m.people:
            if not bounded(p)[e]:
                continue
            days = m.days_of(e)
            worked = sum(1 - m.rest[e, d] for d in days)
            if most[e] < len(days):
                m.model.add(worked <= int(most[e]))
            if least[e]:
                m.model.add(worked >= int(least[e]))
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _Tracker(p) if bounded(p).any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        least, most = work_day_bounds(p)
        worked = int((~row & ~p.leave[e]).sum())
        return least[e] <= worked <= most[e]

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        out = []
        for e, s, n in outside_bounds(p, r.shift, np.flatnonzero(bounded(p))):
            who, contract = p.ids[e], p.rules.contracts[p.contract_of[e]].name
            least, most = int(p.min_shifts[e, s]), int(p.max_shifts[e, s])
            bound = f"at most {most}" if n > most else f"at least {least}"
            out.append(Conflict(self.name, None, (who,),
                                f"{who} works {n} of {shift_name(p, s)}, {bound} by their contract '{contract}' "
                                f"(max_shifts / min_shifts): the days' counts left no other split."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp, contract in t.contracts.items():
            if not contract.min_shifts and not contract.max_shifts:
                continue
            row = t.table.loc[emp]
            for code, most in contract.max_shifts:
                if (n := int((row == code).sum())) > most:
                    out.append(f"{self.name}: {emp} works {n} '{code}' shifts, at most {most} "
                               f"(contract '{contract.name}')")
            for code, least in contract.min_shifts:
                if (n := int((row == code).sum())) < least:
                    out.append(f"{self.name}: {emp} works {n} '{code}' shifts, at least {least} "
                               f"(contract '{contract.name}')")
        return out


RULE = ShiftsOfType()
