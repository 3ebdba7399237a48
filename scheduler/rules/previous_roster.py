"""Few changes from a previous roster when re-planning (weight `change_from_previous`): each person-day
whose rest-or-work (or shift) differs from the previous roster's costs the weight."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import PersonDays, RestTracker, RosterDays, RosterRule, Term, day_wish_terms

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        return [self.p.previous_rest[people, d] == 0]


class ChangeFromPrevious(RosterRule):
    name = "changes from the previous roster"
    keys = ("weights.change_from_previous",)
    hard = False
    greedy_order = 4
    objective_key = "changes"

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.change_from_previous, rest=p.previous_rest == 1,
                              work=p.previous_rest == 0)

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        codes = p.shift_codes
        changes = 0
        for e, before in enumerate(p.previous_shift):
            for d, code in before.items():
                s = r.shift[e, d]
                if s == -2:
                    continue
                changes += int((codes[s] if s >= 0 else "OFF") != code)
        return int(p.rules.weights.change_from_previous * changes)


RULE = ChangeFromPrevious()
