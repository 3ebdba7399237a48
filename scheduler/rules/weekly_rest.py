"""Rest days per week (`rest_days_per_week`, `week_starts_on`): exactly so many in a full week, a
partial week at the month's edge its share, a minimum only when the month's paid hours are bounded
instead (the paid-hour cap or the paid-hour minimum is on, scheduler.rules.monthly_hours): then rest days
may cluster where demand is low. Leave days are not rest days and lower the count owed. When the previous
month's roster is given, the week that spans the two months counts the rest days taken there: if weeks
run Monday to Sunday and Dec 28 – Jan 3 is one week, a rest day on Dec 29 is that week's."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from core.words import counted
from scheduler.conflicts import Conflict
from scheduler.roster_solver import run
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term

if TYPE_CHECKING:
    from core.rules import Contract, Rules
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import PreviousMonth, RosterProblem, Week

DAY = pd.Timedelta(days=1)


def rest_bounds(weeks: list[Week], leave: np.ndarray, previous_month: PreviousMonth, rest_days: int,
                weekly_minimum: np.ndarray) -> np.ndarray:
    """(E, W, 2) least and most rest days of each person in each week of the horizon; the first week's
    for people whose previous month's roster knows its earlier days: the rest days it still owes. For the
    people of `weekly_minimum` ((E,) bool) the least is kept and the most is every free day."""
    before, before_off = previous_month.last_days, previous_month.rested
    E, lookback = before.shape
    r = rest_days
    bounds = np.zeros((E, len(weeks), 2), np.int64)
    for w, week in enumerate(weeks):
        k = len(week.days)
        available = (~leave[:, list(week.days)]).sum(axis=1)
        if week.before == 0 and week.after == 0:
            lo = hi = np.full(E, r)
        elif week.after == 0 and week.before <= lookback and (before[:, lookback - week.before:] >= 0).all(axis=1).any():
            # the previous month's roster knows the first days of this week: count the rest days taken there
            known = (before[:, lookback - week.before:] >= 0).all(axis=1)
            taken = before_off[:, lookback - week.before:].sum(axis=1)
            exact = np.maximum(r - taken, 0)
            lo = np.where(known, exact, math.floor(r * k / 7))
            hi = np.where(known, exact, math.ceil(r * k / 7))
        else:
            lo, hi = np.full(E, math.floor(r * k / 7)), np.full(E, math.ceil(r * k / 7))
        hi = np.where(weekly_minimum, available, hi)
        bounds[:, w, 0] = np.minimum(lo, available)
        bounds[:, w, 1] = np.minimum(np.maximum(hi, lo), available)
    return bounds


def weekly_minimum(rules: Rules, contract: Contract | None = None) -> bool:
    """Whether the weekly rest days are a least count only: the month's paid hours are bounded instead (for
    everyone, or for the people of `contract` by its paid minutes)."""
    bounded = contract is not None and contract.bounds_minutes
    return bounded or rules.monthly_paid_hours_cap_enabled or rules.monthly_paid_hours_min > 0


@dataclass(frozen=True)
class TableWeek:
    """One person's calendar week in a roster table: its first day, rest days and the rule's bounds."""

    first: pd.Timestamp
    rests: int
    least: int
    most: int
    carried: list[pd.Timestamp]  # the week's days in the previous month's roster, when it counts them
    taken: int  # rest days taken on those days


def table_weeks(t: RosterTable, emp: str) -> list[TableWeek]:
    """The weeks of person `emp` in a roster table, with the rule's bounds read from the table alone."""
    rules = t.rules
    r = rules.rest_days_per_week
    weeks: dict[pd.Timestamp, list[pd.Timestamp]] = {}
    for day in t.days:
        weeks.setdefault(day - t.one_day * ((day.weekday() - rules.week_starts_on) % 7), []).append(day)
    out = []
    for first, wdays in weeks.items():
        full = [first + t.one_day * i for i in range(7)]
        inside = [t.table.at[emp, d] for d in wdays]
        early = [d for d in full if d < t.days[0]]
        late_missing = [d for d in full if d > t.days[-1]]
        free = sum(code != t.LEAVE for code in inside)
        rests = sum(code == t.OFF for code in inside)
        carried = early if early and not late_missing and all(d in t.previous_month[emp] for d in early) else []
        taken = sum(t.previous_month[emp][d] == t.OFF for d in carried)
        if not early and not late_missing:
            lo = hi = r
        elif carried:
            lo = hi = max(r - taken, 0)
        else:
            k = len(wdays)
            lo, hi = math.floor(r * k / 7), math.ceil(r * k / 7)
        if weekly_minimum(rules, t.contracts.get(emp)):
            hi = free
        out.append(TableWeek(first, rests, min(lo, free), min(max(hi, lo), free), carried, taken))
    return out


def week_of_days(p: RosterProblem) -> np.ndarray:
    """(D,) the week index of each day."""
    week_of = np.zeros(p.n_days, np.int64)
    for w, week in enumerate(p.weeks):
        week_of[list(week.days)] = w
    return week_of


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        self.p = p
        self.week_of = week_of_days(p)
        self.in_week = np.zeros((p.n_people, len(p.weeks)), np.int64)
        free = ~p.leave
        # free days left in the week from day d on (inclusive), per person
        self.left = np.zeros((p.n_people, p.n_days), np.int64)
        for week in p.weeks:
            days = list(week.days)
            self.left[:, days] = np.cumsum(free[:, days][:, ::-1], axis=1)[:, ::-1]

    def _owed(self, d: int, people: np.ndarray) -> np.ndarray:
        w = self.week_of[d]
        return self.p.rest_bounds[people, w, 0] - self.in_week[people, w]

    def must(self, d, people):
        return self._owed(d, people) >= self.left[people, d]

    def room(self, d, people):
        w = self.week_of[d]
        return self.in_week[people, w] < self.p.rest_bounds[people, w, 1]

    def keys(self, d, people):
        return [self._owed(d, people) <= 0]

    def off(self, d, people, resting):
        if resting:
            self.in_week[people, self.week_of[d]] += 1


class WeeklyRest(RosterRule):
    name = "rest days per week"
    keys = ("rest_days_per_week", "week_starts_on")
    greedy_order = 2

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            for w, week in enumerate(p.weeks):
                lo, hi = p.rest_bounds[mine, w].sum(axis=0)
                m.model.add_linear_constraint(sum(m.pool[c, d] for d in week.days), int(lo), int(hi))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            for k, week in enumerate(p.weeks):
                lo, hi = (int(v) for v in p.rest_bounds[e, k])
                m.model.add_linear_constraint(sum(m.rest[e, d] for d in week.days if (e, d) in m.rest), lo, hi)
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return all(p.rest_bounds[e, w, 0] <= row[list(week.days)].sum() <= p.rest_bounds[e, w, 1]
                   for w, week in enumerate(p.weeks))

    def check(self, t: RosterTable) -> list[str]:
        out = []
        for emp in t.ids:
            for week in table_weeks(t, emp):
                if not week.least <= week.rests <= week.most:
                    want = f"exactly {week.least}" if week.least == week.most else f"{week.least} to {week.most}"
                    before = (f" ({counted(week.taken, 'rest day')} taken from {week.carried[0].date()} to "
                              f"{week.carried[-1].date()} in the previous month's roster)") if week.carried else ""
                    out.append(f"{self.name}: {emp} has {week.rests} rest days in the week from {week.first.date()}, "
                               f"needs {want}{before}")
        return out

    def explain(self, r: RosterDays) -> list[Conflict]:
        """People whose weekly rest count had to give way to the consecutive-day rule."""
        p = r.problem
        out = []
        for e in range(p.n_people):
            for k, week in enumerate(p.weeks):
                lo, hi = (int(v) for v in p.rest_bounds[e, k])
                if lo <= int(r.rest[e, list(week.days)].sum()) <= hi:
                    continue
                who = p.ids[e]
                leave_days = [p.days[d].date().isoformat() for d in np.flatnonzero(p.leave[e])]
                on_leave = f" (on leave {', '.join(leave_days)})" if leave_days else ""
                first = p.days[week.days[0]].date().isoformat()
                want = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
                out.append(Conflict(self.name, first, (who,),
                                    f"{who} cannot have {want} rest day(s) in the week from {first}{on_leave} "
                                    f"while working at most {p.max_in_a_row[e]} days in a row{_contract_of(p, e)}"
                                    f"{_carried_over(p, e, week)}; the roster gives a different number of rest "
                                    "days that week."))
        return out


def _contract_of(p: RosterProblem, e: int) -> str:
    """' and keeping their contract 'part_time'' for a person with one ('' without)."""
    k = int(p.contract_of[e])
    return f" and keeping their contract '{p.rules.contracts[k].name}'" if k >= 0 else ""


def _carried_over(p: RosterProblem, e: int, week: Week) -> str:
    """What the previous month's roster brings into the horizon's first week: the work days in a row up to
    its last day and the rest days taken in the week's days of that month ('' when it brings nothing)."""
    pm = p.previous_month
    if not pm.known[e] or week.days[0] != 0:
        return ""
    said = []
    last = p.days[0] - DAY
    if p.start_streak[e]:
        said.append(f"{counted(int(p.start_streak[e]), 'work day')} in a row up to {last.date()}")
    if week.before and (pm.last_days[e, pm.lookback - week.before:] >= 0).all():
        first = p.days[0] - DAY * week.before
        span = f"on {last.date()}" if week.before == 1 else f"from {first.date()} to {last.date()}"
        said.append(f"{counted(int(pm.rested[e, pm.lookback - week.before:].sum()), 'rest day')} {span}")
    return f", after {' and '.join(said)} in the previous month's roster" if said else ""


def own_rules_key(p: RosterProblem, e: int) -> tuple[bytes, ...]:
    """What person e's own rules read of the problem: people with equal keys have the same person model."""
    return (p.rest_bounds[e].tobytes(), p.window_need[e].tobytes(), p.leave[e].tobytes(),
            p.max_work_days[e].tobytes(), p.max_rest_days[e].tobytes(), p.contract_of[e].tobytes())


def relax_impossible_weeks(p: RosterProblem, person_rules) -> dict[int, np.ndarray]:
    """People whose own rules cannot all hold (weekly rest days against consecutive days, say after the
    previous roster): their weekly rest bounds are widened in place so the roster can be built.
    `person_rules(model, people)` adds the hard person rules. Returns employee -> original (W, 2) bounds,
    to put back (RosterProblem.rest_bounds) before the roster is explained."""
    relaxed: dict[int, np.ndarray] = {}
    verdict: dict[tuple[bytes, ...], bool] = {}
    for e in range(p.n_people):
        key = own_rules_key(p, e)
        if key not in verdict:
            model = cp_model.CpModel()
            person_rules(model, [e])
            verdict[key] = run(model, 5.0, 1).status in ("OPTIMAL", "FEASIBLE")
        if not verdict[key]:
            relaxed[e] = p.rest_bounds[e].copy()
            free = (~p.leave[e]).astype(np.int64)
            p.rest_bounds[e, :, 0] = 0
            p.rest_bounds[e, :, 1] = [int(free[list(w.days)].sum()) for w in p.weeks]
    return relaxed


RULE = WeeklyRest()
