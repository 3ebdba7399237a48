"""What a roster rule is: the hooks each stage of the solve calls, and what those hooks are given.

A rule implements only the hooks it has something for; the others give nothing. The solve calls every
registered rule (scheduler.rules.ROSTER_RULES) at each stage:

- `aggregate`: constraints on the day-level counts (scheduler.roster_model.aggregate_model) and the
  rule's penalty terms there; `hint` sets its own variables for a hinted start.
- `person`: constraints on people's rest days (the person-stage CP-SAT models) and penalty terms.
- `rest_tracker`: its part of the greedy that gives people rest days day by day (scheduler.roster_assign).
- `holds`: whether one person's rest days keep the rule (moves of the repair step).
- `cost`: its objective part measured on a finished roster.
- `explain`: where the roster breaks the rule, in a supervisor's words.
- `check`: the independent check from the roster table alone (scheduler.roster_checks, over scheduler.rules.table).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from scheduler.conflicts import Conflict
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


class Term(NamedTuple):
    """One weighted objective term: weight × expression (a variable or a linear expression)."""

    weight: int
    expr: Any


@dataclass
class DayCounts:
    """The day-level model a rule adds to: per class and day who rests and works which shift, per day and
    shift who is on the phones, who leads and who lunches in which slot. Expressions are linear.

    `pooled[c]` are the class's people whose rest days are only counted (`pool[c, d]` of them rest on
    day d); the other people of the class have their own variables (`rest`) or fixed rest days. The flat
    model leaves `pooled`, `pool`, `rest` and `y` empty.
    """

    model: cp_model.CpModel
    problem: RosterProblem
    pooled: dict[int, np.ndarray] = field(default_factory=dict)
    pool: dict = field(default_factory=dict)  # (class, day) -> IntVar: pooled people resting
    rest: dict = field(default_factory=dict)  # (employee, day) -> BoolVar: people decided one by one
    resting: dict = field(default_factory=dict)  # (class, day) -> expression: everyone of the class resting
    y: dict = field(default_factory=dict)  # (class, day, shift) -> IntVar: people working the shift
    working: dict = field(default_factory=dict)  # (day, shift) -> expression: everyone working the shift
    on_phone: dict = field(default_factory=dict)  # (day, shift) -> expression
    leaders: dict = field(default_factory=dict)  # (day, shift) -> expression
    lunches: dict = field(default_factory=dict)  # (day, shift) -> {slot: IntVar}
    owned: dict = field(default_factory=dict)  # rule name -> the rule's own variables (for hints)


@dataclass
class CountValues:
    """Values of a day-level solution, for hints: (class, day) -> resting, (class, day, shift) -> working,
    (day, shift, slot) -> lunching, and the (E, D) rest rows they come from when known."""

    resting: dict
    y: dict
    lunch: dict
    rest: np.ndarray | None = None


@dataclass
class PersonDays:
    """A person-stage model: one rest boolean per person in `people` and day not on leave.

    `goals` adds the soft person goals (requests, fairness, changes); `leaders_first` marks the model
    that chooses the leaders' rest days before everyone else's."""

    model: cp_model.CpModel
    problem: RosterProblem
    people: list[int]
    rest: dict  # (employee, day) -> BoolVar
    goals: bool = True
    leaders_first: bool = False

    def days_of(self, e: int) -> list[int]:
        return [d for d in range(self.problem.n_days) if (e, d) in self.rest]


@dataclass
class RosterDays:
    """A finished roster as arrays: (E, D) shift index (-1 rest, -2 leave) and first lunch interval (-1 none)."""

    problem: RosterProblem
    shift: np.ndarray
    lunch: np.ndarray

    @property
    def rest(self) -> np.ndarray:
        return self.shift == -1


class RestTracker:
    """A rule's part of the day-by-day rest-day greedy, over arrays of people. Lower keys rest first."""

    def must(self, d: int, people: np.ndarray) -> np.ndarray:
        """Which of `people` must rest on day d for this rule."""
        return np.zeros(len(people), bool)

    def room(self, d: int, people: np.ndarray) -> np.ndarray:
        """Which of `people` may still rest on day d for this rule."""
        return np.ones(len(people), bool)

    def keys(self, d: int, people: np.ndarray) -> list[np.ndarray]:
        """Sort keys, most significant first, among those who may rest but need not."""
        return []

    def off(self, d: int, people: np.ndarray, resting: bool) -> None:
        """`people` have day d off: rest days (`resting`) or leave."""


class RosterRule:
    """One roster rule. `name` is the words conflicts and checks use; `keys` the rules.toml keys it reads."""

    name: str = ""
    keys: tuple[str, ...] = ()
    hard: bool = True
    # where the rule's keys sort among the greedy's (lower first)
    greedy_order: int = 0
    # the objective part it measures (kpis objective_<key>), None when it adds none
    objective_key: str | None = None

    def aggregate(self, m: DayCounts) -> list[Term]:
        return []

    def hint(self, m: DayCounts, values: CountValues) -> None:
        """Hint the rule's own variables of `m` for the hinted counts."""

    def person(self, m: PersonDays) -> list[Term]:
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return True

    def cost(self, r: RosterDays) -> int:
        return 0

    def explain(self, r: RosterDays) -> list[Conflict]:
        return []

    def check(self, t: RosterTable) -> list[str]:
        return []


def day_wish_terms(m: PersonDays, weight: int, rest: np.ndarray | None = None,
                   work: np.ndarray | None = None) -> list[Term]:
    """Person-stage goals of single days: `weight` for each day of `m` that rests where (E, D) `work` wants
    work, or works where `rest` wants rest. None without the person goals or a weight."""
    if not m.goals or not weight:
        return []
    terms = []
    for (e, d), x in m.rest.items():
        if rest is not None and rest[e, d]:
            terms.append(Term(weight, x.Not()))
        if work is not None and work[e, d]:
            terms.append(Term(weight, x))
    return terms


class ClassSpreadRule(RosterRule):
    """A fair-share rule whose spread (most minus least per person) the day-level model bounds per class:
    a class with total x over n people has someone at ceil(x / n) or more and someone at floor(x / n) or
    less, so the classes' spread is at most the people's and the model's bound stays a lower bound."""

    hard = False
    weight_key = ""  # its field of core.rules.Weights

    def weight(self, p: RosterProblem) -> int:
        return getattr(p.rules.weights, self.weight_key)

    def shares(self, m: DayCounts, values: CountValues | None) -> list[tuple[int, Any]]:
        """(people, total) per comparable class: expressions of `m`, or their values in `values`."""
        return []

    def top(self, p: RosterProblem) -> int:
        """The most a person's count can be."""
        return p.n_days

    def aggregate(self, m: DayCounts) -> list[Term]:
        w = self.weight(m.problem)
        owned = add_spread(m.model, self.weight_key, self.shares(m, None), self.top(m.problem)) if w else None
        if owned is None:
            return []
        m.owned[self.name] = owned
        return [Term(w, owned.spread)]

    def hint(self, m: DayCounts, values: CountValues) -> None:
        if self.name in m.owned:
            hint_spread(m.model, m.owned[self.name], self.shares(m, values))


def spread(values: np.ndarray) -> int:
    """Most minus least of `values` (0 for fewer than two)."""
    return int(values.max() - values.min()) if len(values) > 1 else 0


class Spread(NamedTuple):
    """Variables bounding groups' per-person shares from above and below, and their difference."""

    most: cp_model.IntVar
    least: cp_model.IntVar
    spread: cp_model.IntVar


def add_spread(model: cp_model.CpModel, name: str, shares: list[tuple[int, Any]], top: int) -> Spread | None:
    """Variables bounding groups' per-person shares: for each (people n, total x),
    most ≥ x / n ≥ least in integers. Their spread is at most any split of the totals into people
    gives, so it is a valid penalty for a lower-bounding model. None for fewer than two groups."""
    if len(shares) < 2:
        return None
    most = model.new_int_var(0, top, f"{name}_most")
    least = model.new_int_var(0, top, f"{name}_least")
    for n, total in shares:
        model.add(n * most >= total)
        model.add(n * least <= total)
    gap = model.new_int_var(0, top, f"{name}_spread")
    model.add(gap == most - least)
    return Spread(most, least, gap)


def hint_spread(model: cp_model.CpModel, owned: Spread, shares: list[tuple[int, int]]) -> None:
    """Hint the variables of add_spread for the totals given."""
    hi = max(-(-x // n) for n, x in shares)
    lo = min(x // n for n, x in shares)
    model.add_hint(owned.most, hi)
    model.add_hint(owned.least, lo)
    model.add_hint(owned.spread, hi - lo)


def classes_within(p: RosterProblem, people: np.ndarray) -> list[int]:
    """Classes all of whose people are among `people` ((E,) bool)."""
    return [c for c in range(len(p.classes)) if len(p.members(c)) and people[p.members(c)].all()]


def short_inner_runs(flags: np.ndarray, least: int) -> list[tuple[int, int]]:
    """(first, last) day of each run of True in `flags` ((D,) bool) shorter than `least`, leaving out runs
    that touch the horizon's first or last day (they may go on beyond it)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])
            if a > 0 and b < len(flags) and b - a < least]
