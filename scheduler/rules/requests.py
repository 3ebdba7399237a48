"""Requested rest days and shifts (the leave table's kinds `rest_request` and `shift_request`; weights
`rest_request`, `shift_request`): honoured where they cost little, each one missed costs its weight."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import PersonDays, RestTracker, RosterDays, RosterRule, Term, day_wish_terms

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        return [~self.p.rest_request[people, d], self.p.shift_request[people, d] >= 0]


class RestRequests(RosterRule):
    name = "requested rest days"
    keys = ("weights.rest_request",)
    hard = False
    greedy_order = 0
    objective_key = "rest_requests"

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.rest_request, rest=p.rest_request)

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        return int(p.rules.weights.rest_request * (p.rest_request & ~r.rest & ~p.leave).sum())


class ShiftRequests(RosterRule):
    name = "requested shifts"
    keys = ("weights.shift_request",)
    hard = False
    objective_key = "shift_requests"

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        return day_wish_terms(m, p.rules.weights.shift_request, work=p.shift_request >= 0)

    def cost(self, r: RosterDays) -> int:
        p = r.problem
        wish = p.shift_request >= 0
        return int(p.rules.weights.shift_request * (wish & (r.shift != p.shift_request) & ~p.leave).sum())


REST = RestRequests()
SHIFT = ShiftRequests()
