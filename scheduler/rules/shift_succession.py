"""No shift right after one it may not follow (the shifts' `not_followed_by`, and every pair of shifts
leaving less than `min_rest_hours_between_shifts` from the first's end to the next day's start).

The day-level model bounds each class's counts: those working the first shift one day and the second the
next are different people, and on the first day none of those who worked the first shift the day before. The shift split of each day (scheduler.roster_assign.shifts_of_people) keeps
people off the shifts their yesterday forbids (the first day's yesterday from the previous month's roster, or
the days kept when re-planning from a day), and gives the shifts that restrict tomorrow first to whoever
rests tomorrow. Where the first day's counts leave someone no other shift, the conflict says so."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.rules import MINUTES_A_DAY, Rules
from scheduler.conflicts import Conflict, shift_name
from scheduler.rules.base import DayCounts, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem

def forbidden_pairs(rules: Rules) -> list[tuple[int, int]]:
    """(shift, next day's shift) index pairs nobody may work in a row. A shift's end counts from the midnight
    it starts after (a night shift 22:00–06:00 ends at 30:00), so a pair that would overlap always is one."""
    codes = rules.shift_codes
    least = rules.min_rest_hours_between_shifts * 60
    pairs = {(a, codes.index(c)) for a, s in enumerate(rules.shifts) for c in s.not_followed_by}
    pairs |= {(a, b) for a, s in enumerate(rules.shifts) for b, t in enumerate(rules.shifts)
              if MINUTES_A_DAY - s.end_minute + t.start_minute < least}
    return sorted(pairs)


def restricting(p: RosterProblem) -> np.ndarray:
    """(S,) bool: shifts that forbid a shift the next day."""
    out = np.zeros(len(p.shift_codes), bool)
    out[[a for a, _ in forbidden_pairs(p.rules)]] = True
    return out


def banned_after(p: RosterProblem, yesterday: np.ndarray) -> np.ndarray:
    """(E, S) bool: the shifts each person may not work today after yesterday's shifts ((E,) index, < 0 off)."""
    banned = np.zeros((len(yesterday), len(p.shift_codes)), bool)
    for a, b in forbidden_pairs(p.rules):
        banned[yesterday == a, b] = True
    return banned



def worked_after(last_shift: np.ndarray, shift: np.ndarray, a: int, b: int) -> np.ndarray:
    """(E, D) bool: shift b worked the day after shift a in the (E, D) `shift` rows; the first day's day before
    is `last_shift` ((E,), PreviousMonth.last_shift: the previous month's roster or the days kept)."""
    before = np.column_stack([last_shift, shift[:, :-1]])
    return (before == a) & (shift == b)

class ShiftSuccession(RosterRule):
    name = "shift succession"
    keys = ("shifts.not_followed_by", "min_rest_hours_between_shifts")

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        last = p.previous_month.last_shift
        for a, b in forbidden_pairs(p.rules):
            for c in range(len(p.classes)):
                size = len(p.members(c))
                after_a = int((last[p.members(c)] == a).sum())
                if after_a and (c, 0, b) in m.y:
                    m.model.add(m.y[c, 0, b] <= size - after_a)
                for d in range(p.n_days - 1):
                    if (c, d, a) in m.y and (c, d + 1, b) in m.y:
                        m.model.add(m.y[c, d, a] + m.y[c, d + 1, b] <= size)
        return []

    def explain(self, r: RosterDays) -> list[Conflict]:
        p = r.problem
        out = []
        for a, b in forbidden_pairs(p.rules):
            following = worked_after(p.previous_month.last_shift, r.shift, a, b)
            for d in range(p.n_days):
                who = np.flatnonzero(following[:, d])
                if len(who):
                    ids = tuple(p.ids[e] for e in who)
                    out.append(Conflict(self.name, p.days[d].date().isoformat(), ids,
                                        f"{', '.join(ids)} work {shift_name(p, b)} on {p.days[d].date()} right "
                                        f"after {shift_name(p, a)}, which it may not follow: that day's shift counts "
                                        "left no other shift for them"))
        return out

    def check(self, t: RosterTable) -> list[str]:
        pairs = {(t.rules.shift_codes[a], t.rules.shift_codes[b]) for a, b in forbidden_pairs(t.rules)}
        if not pairs:
            return []
        out = []
        for emp in t.ids:
            before = t.previous_month[emp].get(t.days[0] - t.one_day)
            for day in t.days:
                code = t.table.at[emp, day]
                if (before, code) in pairs:
                    out.append(f"{self.name}: {emp} works {code} on {day.date()} right after {before} on "
                               f"{(day - t.one_day).date()}, which it may not follow")
                before = code
        return out


RULE = ShiftSuccession()
