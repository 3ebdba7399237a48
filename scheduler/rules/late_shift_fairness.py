"""A fair share of late shifts (weight `late_shift_fairness`): the spread (most minus least) of late
shifts among comparable people costs the weight per shift.

In the day-level model the spread is bounded per class of interchangeable people
(scheduler.rules.base.ClassSpreadRule). The shift split
(scheduler.roster_assign.shifts_of_people) then gives each class's late shifts to whoever has had
fewest so far (`takes_late_first`).

Carried over from the previous month's roster, when given: among people with as many late shifts so far,
whoever worked fewer late shifts in the previous month takes the next one. This month's spread, the
objective part, stays as small as without; where the shares cannot be even, the extra late shifts go to
those who had fewer last month, so the same people do not take them two months running.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.rules.base import ClassSpreadRule, CountValues, DayCounts, RosterDays, classes_within, spread

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


def comparable(p: RosterProblem) -> np.ndarray:
    """(E,) people whose late shifts are compared: on the phones, not leaders (their shifts follow the
    leader rule), free to work a late shift and another, no leave."""
    return (p.allowed.sum(axis=1) > 1) & p.allowed[:, p.late].any(axis=1) & ~p.leave.any(axis=1) & p.on_phone & ~p.leader


def takes_late_first(p: RosterProblem, late_so_far: np.ndarray, e: int) -> tuple[int, int]:
    """Sort key of person e for the next late shift (lower first): late shifts so far this month, then in
    the previous month; (0, 0) without the weight."""
    if not p.rules.weights.late_shift_fairness:
        return 0, 0
    return int(late_so_far[e]), int(p.previous_month.late_shifts[e])


class LateShiftFairness(ClassSpreadRule):
    name = "fair share of late shifts"
    keys = ("weights.late_shift_fairness",)
    weight_key = "late_shift_fairness"
    objective_key = "late_shift_fairness"

    def shares(self, m: DayCounts, values: CountValues | None) -> list[tuple[int, object]]:
        p = m.problem
        by_class: dict[int, list] = {}
        for k in m.y:
            if p.late[k[2]]:
                by_class.setdefault(k[0], []).append(k)
        value = m.y.get if values is None else (lambda k: int(values.y.get(k, 0)))
        return [(len(p.members(c)), sum(value(k) for k in by_class.get(c, [])))
                for c in classes_within(p, comparable(p))]

    def spread(self, r: RosterDays) -> int:
        p = r.problem
        late = np.isin(r.shift, np.flatnonzero(p.late)).sum(axis=1)
        return spread(late[comparable(p)])

    def cost(self, r: RosterDays) -> int:
        return r.problem.rules.weights.late_shift_fairness * self.spread(r)


RULE = LateShiftFairness()
