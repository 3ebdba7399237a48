"""The roster's rules, one module each, and the registry the solve runs them from.

Adding a rule means adding its module (a `RosterRule` with the hooks it needs, scheduler.rules.base)
and listing it in ROSTER_RULES; docs/rules.md has the table of rules, modules and rules.toml keys.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scheduler.roster_solver import check_stopped
from scheduler.rules import (allowed_shifts, consecutive_days, contract_days_off, days_off_in_a_row,
                             late_shift_fairness, leader_per_shift, leave, lunch_airings, lunch_stagger, monthly_hours,
                             one_shift_a_day, previous_roster, requests, rest_placement, shift_cover, shift_succession,
                             shifts_of_type, weekend_rest_fairness, weekends_worked, weekly_rest, work_days_in_a_row)
from scheduler.rules.base import (CountValues, DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term)

if TYPE_CHECKING:
    from scheduler.conflicts import Conflict
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem

ROSTER_RULES: tuple[RosterRule, ...] = (
    one_shift_a_day.RULE,
    allowed_shifts.RULE,
    leave.RULE,
    weekly_rest.RULE,
    consecutive_days.RULE,
    work_days_in_a_row.RULE,
    days_off_in_a_row.RULE,
    weekends_worked.RULE,
    contract_days_off.RULE,
    shift_succession.RULE,
    shifts_of_type.RULE,
    monthly_hours.RULE,
    monthly_hours.MINIMUM,
    leader_per_shift.RULE,
    shift_cover.RULE,
    lunch_stagger.RULE,
    lunch_airings.RULE,
    requests.REST,
    requests.WORK,
    requests.SHIFT,
    requests.REFUSAL,
    rest_placement.RULE,
    late_shift_fairness.RULE,
    weekend_rest_fairness.RULE,
    previous_roster.RULE,
)


def aggregate_terms(m: DayCounts) -> list[Term]:
    """Every rule's constraints on the day-level counts; their penalty terms."""
    return [t for rule in ROSTER_RULES for t in rule.aggregate(m)]


def hint_rules(m: DayCounts, values: CountValues) -> None:
    for rule in ROSTER_RULES:
        rule.hint(m, values)


def person_terms(m: PersonDays) -> list[Term]:
    """Every rule's constraints on the people's rest days of `m`; their penalty terms."""
    terms = []
    for rule in ROSTER_RULES:
        check_stopped()  # each rule's part of a large staff takes seconds
        terms += rule.person(m)
    return terms


def rest_trackers(p: RosterProblem) -> list[RestTracker]:
    """The rules' parts of the rest-day greedy, in the order their keys sort."""
    ordered = sorted(ROSTER_RULES, key=lambda rule: rule.greedy_order)
    return [t for t in (rule.rest_tracker(p) for rule in ordered) if t is not None]


def rest_row_holds(p: RosterProblem, e: int, row: np.ndarray) -> bool:
    """Whether person e's rest days `row` keep every rule."""
    return all(rule.holds(p, e, row) for rule in ROSTER_RULES)


def objective_parts(r: RosterDays) -> dict[str, int]:
    """The rules' objective parts measured on a roster, by objective key."""
    return {rule.objective_key: rule.cost(r) for rule in ROSTER_RULES if rule.objective_key}


def explanations(r: RosterDays) -> list[Conflict]:
    """Where the roster breaks a rule, in a supervisor's words."""
    return [c for rule in ROSTER_RULES for c in rule.explain(r)]


def violations(t: RosterTable) -> list[str]:
    """Every rule's independent check of a roster table."""
    return [v for rule in ROSTER_RULES for v in rule.check(t)]


__all__ = ["ROSTER_RULES", "CountValues", "DayCounts", "PersonDays", "RosterDays", "RosterRule", "Term",
           "aggregate_terms", "explanations", "hint_rules", "objective_parts", "person_terms", "rest_row_holds",
           "rest_trackers", "violations"]
