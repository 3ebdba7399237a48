"""Lunch window and stagger (each shift's `unpaid_break_minutes` and `lunch_window`,
`lunch_stagger_share`): everyone on a shift lunches once, inside the shift's window, on the interval
grid, and at most the stagger share of a shift's people on the phones are at lunch at the same time."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from core.rules import MINUTES_A_DAY, hhmm
from scheduler.rules.base import DayCounts, RosterRule, Term

if TYPE_CHECKING:
    from core.rules import Rules
    from scheduler.rules.table import RosterTable


def lunch_lengths(rules: Rules) -> list[int]:
    """Intervals each shift's lunch lasts (0 without a lunch)."""
    step = rules.interval_minutes
    return [math.ceil(s.unpaid_break_minutes / step) for s in rules.shifts]


def lunch_slots(rules: Rules) -> list[list[int]]:
    """Per shift, the first interval of each lunch inside the shift's lunch window, counted from its day's
    first interval (past T: after midnight, on the next day's grid)."""
    step = rules.interval_minutes
    out = []
    for s, length in zip(rules.shifts, lunch_lengths(rules)):
        if length == 0:
            out.append([])
            continue
        earliest, latest_end = s.lunch_window_minutes
        lo = (earliest - rules.open_minute + step - 1) // step
        hi = (latest_end - rules.open_minute) // step - length
        out.append(list(range(lo, hi + 1)))
    return out


class LunchStagger(RosterRule):
    name = "staggered lunches"
    keys = ("lunch_stagger_share", "shifts.unpaid_break_minutes", "shifts.lunch_window")

    def aggregate(self, m: DayCounts) -> list[Term]:
        """At lunch at once in each interval ≤ ceil(a·n / b), in integers, n the shift's lunches; an
        interval whose lunches are a subset of another's adds nothing."""
        p = m.problem
        a, b = p.rules.stagger_fraction
        if a >= b:
            return []
        for (d, s), here in m.lunches.items():
            if not here:
                continue
            length = int(p.lunch_len[s])
            slots = p.lunch_slots[s]
            sets = {frozenset(l for l in here if l <= t < l + length) for t in range(slots[0], slots[-1] + length)}
            for away in sets:
                if away and not any(away < other for other in sets):
                    # written over the shift's lunches alone (their sum is its people), the constraint
                    # stays local to this shift and day: much faster to solve than through the shift counts
                    m.model.add((b - a) * sum(here[l] for l in sorted(away))
                                - a * sum(x for l, x in here.items() if l not in away) <= b - 1)
        return []

    def check(self, t: RosterTable) -> list[str]:
        out = []
        rules = t.rules
        a = t.assignments
        phones = t.on_phone
        lunching = a[a["shift"].isin(list(t.codes)) & a["employee_id"].isin(phones) & a["lunch_start"].notna()]
        share = rules.lunch_stagger_share
        for (day, code), rows in lunching.groupby(["date", "shift"]):
            s = t.codes[code]
            if s.unpaid_break_minutes <= 0:
                continue
            n = int((t.table[day] == code).reindex(list(phones)).fillna(False).sum())
            cap = math.ceil(share * n - 1e-9)
            starts = [s.minute_in_shift(x) for x in rows["lunch_start"] if isinstance(x, str) and x]
            for m in range(s.start_minute, s.end_minute, rules.interval_minutes):
                away = sum(1 for x in starts if x <= m < x + s.unpaid_break_minutes)
                if away > cap:
                    out.append(f"{self.name}: {away} of the {n} people on the phones of shift {code} are at lunch "
                               f"at {hhmm(m % MINUTES_A_DAY)} on {day.date()}, at most {cap} may be")
        for emp, day, code, lunch in t.lunches():
            s = t.codes[code]
            if lunch is None:
                out.append(f"lunch: {emp} has no lunch on {day.date()} ({code})")
                continue
            start = s.minute_in_shift(lunch)
            earliest, latest_end = s.lunch_window_minutes
            if start < earliest or start + s.unpaid_break_minutes > latest_end:
                out.append(f"lunch window: {emp} lunches at {lunch} on {day.date()}, outside {s.lunch_earliest}–{s.lunch_latest_end}")
            if (start - rules.open_minute) % rules.interval_minutes:
                out.append(f"lunch: {emp} lunches at {lunch} on {day.date()}, off the {rules.interval_minutes}-minute grid")
        return out


RULE = LunchStagger()
