"""Few changes from a previous roster of the same month when re-planning it (weight `change_from_previous`):
each person-day whose rest-or-work (or shift) differs from that roster's costs the weight. The previous
month's roster, whose last days continue into this one, is another input (RosterProblem.previous_month)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.rules.base import (CountValues, DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term,
                                  day_wish_terms)

if TYPE_CHECKING:
    from scheduler.roster_problem import RosterProblem


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p

    def keys(self, d, people):
        return [self.p.replan_rest[people, d] == 0]


def _before_counts(p: RosterProblem) -> dict[tuple[int, int], list[int]]:
    """(class, day) -> people of the class resting, then working each shift, in the roster re-planned: for the
    days every member not on leave has one."""
    codes = p.shift_codes
    out = {}
    for c in range(len(p.classes)):
        members = p.members(c)
        for d in range(p.n_days):
            present = [e for e in members if not p.leave[e, d]]
            before = [p.replan_shift[e].get(d) for e in present]
            if not present or any(b is None or (b != "OFF" and b not in codes) for b in before):
                continue
            out[(c, d)] = [before.count("OFF")] + [before.count(code) for code in codes]
    return out


def _class_counts(m: DayCounts, c: int, d: int, values: CountValues | None) -> list:
    """Class c's count of people resting on day d, then of each shift's (the model's expressions, or their
    `values`); None for a shift the class cannot work."""
    S = len(m.problem.shift_codes)
    if values is None:
        return [m.resting[(c, d)]] + [m.y.get((c, d, s)) for s in range(S)]
    return [int(values.resting.get((c, d), 0))] + [int(values.y.get((c, d, s), 0)) if (c, d, s) in m.y else None
                                                   for s in range(S)]


def _moved(counts: list, before: list[int]) -> list:
    """(count, count before) pairs of the resting and per-shift counts, whose gaps are the counts moved; shifts
    the class cannot work left out (their count stays 0, as before)."""
    return [(n, b) for n, b in zip(counts, before) if n is not None]


class ChangeFromPrevious(RosterRule):
    name = "changes from the previous roster"
    keys = ("weights.change_from_previous",)
    hard = False
    greedy_order = 4
    objective_key = "changes"

    def aggregate(self, m: DayCounts) -> list[Term]:
        """Per class and day, half the counts moved (resting and each shift's) against the roster re-planned:
        each person-day changed moves two counts at most, so it is a lower bound of the changes. Without it
        the day-level counts drift from the roster re-planned and the people's stage has to follow them."""
        p = m.problem
        w = p.rules.weights.change_from_previous
        if not w or (p.replan_rest < 0).all():
            return []
        owned, terms = {}, []
        for (c, d), before in _before_counts(p).items():
            pairs = _moved(_class_counts(m, c, d, None), before)
            if all(isinstance(n, int) for n, _ in pairs):
                continue
            gaps = []
            for n, b in pairs:
                gap = m.model.new_int_var(0, len(p.members(c)), f"moved_c{c}_d{d}_{len(gaps)}")
                m.model.add(gap >= n - b)
                m.model.add(gap >= b - n)
                gaps.append(gap)
            half = m.model.new_int_var(0, len(p.members(c)), f"moved_c{c}_d{d}")
            m.model.add(2 * half >= sum(gaps))
            owned[(c, d)] = (gaps, half, before)
            terms.append(Term(w, half))
        m.owned[self.name] = owned
        return terms

    def hint(self, m: DayCounts, values: CountValues) -> None:
        for (c, d), (gaps, half, before) in m.owned.get(self.name, {}).items():
            moved = [abs(n - b) for n, b in _moved(_class_counts(m, c, d, values), before)]
            for gap, v in zip(gaps, moved):
                m.model.add_hint(gap, v)
            m.model.add_hint(half, -(-sum(moved) // 2))

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
