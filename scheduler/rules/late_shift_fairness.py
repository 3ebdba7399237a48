"""A fair share of late shifts (weight `late_shift_fairness`): the spread (most minus least) of late
shifts among comparable people costs the weight per shift.

In the day-level model the spread is bounded per class of interchangeable people: a class with x late
shifts over n people has someone at ceil(x / n) or more and someone at floor(x / n) or less, so the
classes' spread is at most the people's and the model's bound stays a lower bound. The shift split
(scheduler.roster_assign.shifts_of_people) then gives each class's late shifts to whoever has had
fewest so far.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from scheduler.rules.base import (CountValues, DayCounts, RosterDays, RosterRule, Term, add_spread, classes_within,
                                  hint_spread, spread)

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


def comparable(p: RosterProblem) -> np.ndarray:
    """(E,) people whose late shifts are compared: on the phones, not leaders (their shifts follow the
    leader rule), free to work a late shift and another, no leave."""
    return (p.allowed.sum(axis=1) > 1) & p.allowed[:, p.late].any(axis=1) & ~p.leave.any(axis=1) & p.on_phone & ~p.leader


def _shares(p: RosterProblem, keys, value: Callable) -> list[tuple[int, object]]:
    """(people, late shifts) of each comparable class, the late shifts summed from value((class, day, shift))."""
    by_class: dict[int, list] = {}
    for k in keys:
        if p.late[k[2]]:
            by_class.setdefault(k[0], []).append(k)
    return [(len(p.members(c)), sum(value(k) for k in by_class.get(c, []))) for c in classes_within(p, comparable(p))]


class LateShiftFairness(RosterRule):
    name = "fair share of late shifts"
    keys = ("weights.late_shift_fairness",)
    hard = False
    objective_key = "late_shift_fairness"

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        w = p.rules.weights.late_shift_fairness
        if not w or not m.y:
            return []
        owned = add_spread(m.model, "late_shifts", _shares(p, m.y, m.y.get), p.n_days)
        if owned is None:
            return []
        m.owned[self.name] = owned
        return [Term(w, owned[2])]

    def hint(self, m: DayCounts, values: CountValues) -> None:
        if self.name in m.owned:
            hint_spread(m.model, m.owned[self.name], _shares(m.problem, m.y, lambda k: int(values.y.get(k, 0))))

    def spread(self, r: RosterDays) -> int:
        p = r.problem
        late = np.isin(r.shift, np.flatnonzero(p.late)).sum(axis=1)
        return spread(late[comparable(p)])

    def cost(self, r: RosterDays) -> int:
        return r.problem.rules.weights.late_shift_fairness * self.spread(r)


RULE = LateShiftFairness()
