"""An independent check of every hard roster rule, from the roster table alone.

Written apart from the solver (it shares none of scheduler.roster_problem's arrays, only which roles
are off the phones) so that tests and the benchmark can verify what the solver claims. The checker
reads the tables into a `RosterTable` (scheduler.rules.table) and runs each rule's own check (scheduler.rules); each violation
is one sentence naming rule, day, person.
"""
from __future__ import annotations

import pandas as pd

from core.rules import Rules
from scheduler.rules import violations
from scheduler.rules.table import roster_table


def roster_violations(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules, leave: pd.DataFrame | None = None,
                      ads: pd.DataFrame | None = None, previous_month: pd.DataFrame | None = None,
                      shift_cover: pd.DataFrame | None = None) -> list[str]:
    """Every broken hard rule of a roster (employee_id, date, shift, lunch_start), and every day and shift short
    of its shift cover (the rules' [shift_cover] and the dated `shift_cover`); empty when it holds. The
    previous month's roster, when given, counts for the rules that span the month edge."""
    return violations(roster_table(assignments, staff, rules, leave, ads, previous_month, shift_cover))


def longest_work_runs(assignments: pd.DataFrame, codes: tuple[str, ...]) -> pd.Series:
    """Each person's longest run of days on one of the shifts `codes` (the rosters' rows put end to end)."""
    working = assignments.pivot(index="employee_id", columns="date", values="shift").isin(codes)
    runs = {}
    for emp, row in working.iterrows():
        best = run = 0
        for w in row:
            run = run + 1 if w else 0
            best = max(best, run)
        runs[emp] = best
    return pd.Series(runs, dtype=int)
