"""Where rest days fall (weight `rest_next_to_weekend`, the staff's `preferred_rest_weekday`): a rest
day on the person's preferred weekday, or else next to the weekend (Monday, Friday, the weekend itself),
costs nothing; one in midweek costs the weight."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from scheduler.rules.base import DayCounts, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from core.rules import Rules

# Rest days on Monday or Friday sit next to the weekend; Tuesday–Thursday do not.
MIDWEEK = (1, 2, 3)


def rest_costs(days: pd.DatetimeIndex, preferred: np.ndarray, rules: Rules) -> np.ndarray:
    """(E, D) objective cost of resting on each day."""
    weekday = np.array([day.weekday() for day in days])
    w = rules.weights.rest_next_to_weekend
    cost = np.where(np.isin(weekday, MIDWEEK), w, 0)[None, :].repeat(len(preferred), axis=0)
    has = preferred >= 0
    cost[has] = np.where(weekday[None, :] == preferred[has, None], 0, w)
    return cost.astype(np.int64)


def rest_terms(p, rest: dict) -> list[Term]:
    """The cost of each rest boolean (employee, day) -> BoolVar, for the flat model. The person-stage
    models leave it out: within a class it follows from the day counts the aggregate already priced."""
    return [Term(int(p.rest_cost[e, d]), x) for (e, d), x in rest.items() if p.rest_cost[e, d]]


class RestPlacement(RosterRule):
    name = "rest days next to the weekend"
    keys = ("weights.rest_next_to_weekend",)
    hard = False
    objective_key = "rest_days_placement"

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        terms = []
        for (c, d), resting in m.resting.items():
            cost = int(p.rest_cost[p.members(c)[0], d])
            if cost:
                terms.append(Term(cost, resting))
        return terms

    def cost(self, r: RosterDays) -> int:
        return int((r.problem.rest_cost * r.rest).sum())


RULE = RestPlacement()
