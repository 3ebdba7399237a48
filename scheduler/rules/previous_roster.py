"""Few changes from a previous roster of the same month when re-planning it (weight `change_from_previous`):
each person-day whose rest-or-work (or shift) differs from that roster's costs the weight. The previous
month's roster, whose last days continue into this one, is another input (RosterProblem.previous_month)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import PersonDays, RestTracker, RosterDays, RosterRule, Term, day_wish_terms

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        return [self.p.replan_rest[people, d] == 0]


class ChangeFromPrevious(RosterRule):
    name = "changes from the previous roster"
    keys = ("weights.change_from_previous",)
    hard = False
    greedy_order = 4
    objective_key = "changes"

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.change_from_previous, rest=p.replan_rest == 1,
                              work=p.replan_rest == 0)

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        codes = p.shift_codes
        changes = 0
        for e, before in enumerate(p.replan_shift):
            for d, code in before.items():
                s = r.shift[e, d]
                if s == -2:
                    continue
                changes += int((codes[s] if s >= 0 else "OFF") != code)
        return int(p.rules.weights.change_from_previous * changes)


RULE = ChangeFromPrevious()
