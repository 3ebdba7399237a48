"""The month's paid hours: the cap (`monthly_paid_hours_cap_enabled`, `monthly_paid_hours_cap`), when
switched on, lets no one work more days than the cap allows; the minimum (`monthly_paid_hours_min`), when
above 0, lets no one rest more days than keep the minimum (`day_bounds`: at which shift's length, and when
the paid minutes are counted exactly besides). Either makes the weekly rest days a least count
(scheduler.rules.weekly_rest), so rest days beyond it go where demand is low, as far as the month's hours
allow.

The minimum is for the horizon's share of the month, less the shortest shift's hours for each day of
approved leave (paid leave counts toward it); where the weekly rest days owed leave fewer work days than
that, the weekly rule wins and no rest day beyond it is given. A contract's `min_minutes` and `max_minutes`
both count the minutes rostered, leave aside, as the nurse-rostering benchmarks count total minutes."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from scheduler.conflicts import Conflict
from scheduler.rules.base import DayCounts, PersonDays, RestTracker, RosterDays, RosterRule, Term
from scheduler.rules.lunch_stagger import lunch_lengths
from scheduler.rules.weekly_rest import table_weeks, week_of_days

if TYPE_CHECKING:
    import pandas as pd

    from core.rules import Contract, Rules
    from scheduler.rules.table import RosterTable
    from scheduler.roster_problem import RosterProblem


def hour_bounds(rules: Rules, contracts: list[Contract | None], days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """(E,) each person's paid hours over the horizon at most (inf without a bound) and at least (0 without
    one): their contract's `max_minutes` and `min_minutes`, else the monthly cap when switched on and the
    horizon's share of the monthly minimum."""
    cap = rules.monthly_paid_hours_cap if rules.monthly_paid_hours_cap_enabled else np.inf
    most = np.array([c.max_minutes / 60 if c is not None and c.max_minutes is not None else cap
                     for c in contracts], float)
    least = np.array([c.min_minutes / 60 if c is not None and c.min_minutes is not None else least_hours(rules, days)
                      for c in contracts], float)
    return most, least


class DayBounds(NamedTuple):
    """Each person's work and rest days over the horizon as the paid-hour bounds allow them."""

    max_work: np.ndarray  # (E,) most work days
    max_rest: np.ndarray  # (E,) most rest days
    # (E,) bool: the day bounds do not keep the paid minutes (shifts of different lengths): the day-level
    # model, the shift split and the groups count those people's minutes besides
    minutes_counted: np.ndarray


def day_bounds(rules: Rules, allowed: np.ndarray, leave: np.ndarray, least_rest: np.ndarray, cap: np.ndarray,
               least: np.ndarray, credited: np.ndarray) -> DayBounds:
    """The most work days from the cap and the most rest days from the minimum.

    Without lunches, at each person's shortest allowed shift for the cap and longest for the minimum: bounds
    every roster within the paid hours keeps, the minutes counted exactly besides where the shifts differ in
    length. With lunches, at the longest shift for the cap and the shortest for the minimum, which keep the
    hours whatever the shifts (moving someone between shifts whose lunches sit at the stagger cap can break
    it, so the minutes are left to the day counts), the minutes counted only where those two contradict."""
    paid = np.array([s.paid_hours for s in rules.shifts])
    longest = np.where(allowed, paid[None, :], 0).max(axis=1, initial=0)
    shortest = np.where(allowed, paid[None, :], np.inf).min(axis=1)
    lunched = (allowed & (np.array(lunch_lengths(rules)) > 0)[None, :]).any(axis=1)
    free = (~leave).sum(axis=1)
    safe_work = most_work_days(cap, longest, leave.shape[1])
    safe_rest = most_rest_days(leave, least_rest, least, credited, shortest)
    work = most_work_days(cap, shortest, leave.shape[1])
    rest = most_rest_days(leave, least_rest, least, credited, longest)
    counted = np.where(lunched, free - safe_rest > safe_work, (work != safe_work) | (rest != safe_rest))
    keep_safe = lunched & ~counted
    work[keep_safe], rest[keep_safe] = safe_work[keep_safe], safe_rest[keep_safe]
    return DayBounds(work, rest, counted)


def cap_notes(p: RosterProblem) -> list[str]:
    """Where the paid-hour cap is counted at the person's longest shift (their shifts have lunches, `day_bounds`)
    and so allows fewer work days than their shortest shift would: said once per cap and shift lengths."""
    shortest = np.where(p.allowed, p.paid_hours[None, :], np.inf).min(axis=1)
    longest = np.where(p.allowed, p.paid_hours[None, :], 0).max(axis=1, initial=0)
    fits = most_work_days(p.paid_cap, shortest, p.n_days)
    cut = np.flatnonzero(~p.minutes_counted & (p.max_work_days < fits))
    groups: dict[tuple, list[str]] = {}
    for e in cut:
        key = (p.paid_cap[e], int(p.max_work_days[e]), longest[e], int(fits[e]), shortest[e])
        groups.setdefault(key, []).append(str(p.ids[e]))
    out = []
    for (cap, most, long_h, fit, short_h), ids in groups.items():
        who = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        out.append(f"paid-hour cap {cap:g} h: {who} may work at most {most} days (the cap at their longest shift, "
                   f"{long_h:g} h), though {fit} days of their shortest ({short_h:g} h) would fit: their shifts have "
                   "lunches, which the roster keeps staggered by not moving people between shifts for their hours")
    return out


def most_work_days(cap: np.ndarray, per_day: np.ndarray, n_days: int) -> np.ndarray:
    """(E,) the most days each person may work in the horizon: every day without a cap (`cap`, (E,) paid hours,
    inf for none), else as many as the cap allows at `per_day` paid hours a day."""
    capped = np.isfinite(cap)
    most = np.full(len(cap), n_days, np.int64)
    most[capped] = np.floor(cap[capped] / np.maximum(per_day[capped], 1e-9) + 1e-9).astype(np.int64)
    return np.minimum(most, n_days)


def least_hours(rules: Rules, days: pd.DatetimeIndex) -> float:
    """The paid-hour minimum for the horizon `days`: its share of the month it starts in."""
    return rules.monthly_paid_hours_min * len(days) / days[0].days_in_month


def leave_credited(contracts: list[Contract | None]) -> np.ndarray:
    """(E,) bool: whether approved leave counts toward the person's paid-hour minimum: the global minimum's
    yes, a contract's `min_minutes` no (it counts the minutes rostered)."""
    return np.array([c is None or c.min_minutes is None for c in contracts], bool)


def most_rest_days(leave: np.ndarray, least_rest: np.ndarray, least: np.ndarray, credited: np.ndarray,
                   per_day: np.ndarray) -> np.ndarray:
    """(E,) the most rest days each person may have in the horizon: every free day without a minimum
    (`least`, (E,) paid hours, 0 for none), else the free days less those the minimum needs at `per_day` paid
    hours a day (leave days counting as such days where `credited`, (E,) bool), and never fewer than
    `least_rest` ((E,) the weekly rule's least)."""
    free = (~leave).sum(axis=1)
    need = np.ceil(least / per_day - 1e-9).astype(np.int64) - np.where(credited, leave.sum(axis=1), 0)
    return np.where(least > 0, np.clip(free - np.maximum(need, 0), least_rest, free), free).astype(np.int64)


class _Tracker(RestTracker):
    def __init__(self, p: RosterProblem):
        free = ~p.leave
        self.left = np.cumsum(free[:, ::-1], axis=1)[:, ::-1]  # free days from d to the month's end
        self.owed = np.maximum(free.sum(axis=1) - p.max_work_days, 0)

    def must(self, d, people):
        return self.owed[people] >= self.left[people, d]

    def off(self, d, people, resting):
        if resting:
            self.owed[people] -= 1


def counted_classes(m: DayCounts, least: bool) -> dict:
    """Class -> the paid minutes it works over the horizon (an expression of the day-level shift counts), for
    the classes whose people all have their minutes counted (RosterProblem.minutes_counted) and a cap, or with
    `least` a contract's minimum (the global minimum gives way to the weekly rest days, docs/rules.md)."""
    p = m.problem
    bounded = np.isfinite(p.paid_cap)
    if least:
        bounded = np.array([k >= 0 and p.rules.contracts[k].min_minutes is not None for k in p.contract_of], bool)
    chosen = {c for c in range(len(p.classes))
              if len(p.members(c)) and (p.minutes_counted & bounded)[p.members(c)].all()}
    minutes = np.rint(p.paid_hours * 60).astype(np.int64)
    out: dict = {}
    for (c, _, s), y in m.y.items():
        if c in chosen:
            out.setdefault(c, []).append(int(minutes[s]) * y)
    return {c: sum(terms) for c, terms in out.items()}


def paid_minutes(p: RosterProblem, shift: np.ndarray) -> np.ndarray:
    """(E,) paid minutes each person works in the (E, D) `shift` rows."""
    minutes = np.rint(p.paid_hours * 60).astype(np.int64)
    return np.where(shift >= 0, minutes[np.maximum(shift, 0)], 0).sum(axis=1)


def minutes_within(p: RosterProblem, e: int) -> tuple[int, int | None]:
    """Person e's paid minutes at least (leave credited where the minimum does) and at most (None: no cap),
    for those whose minutes are counted (RosterProblem.minutes_counted)."""
    most = int(np.floor(p.paid_cap[e] * 60 + 1e-6)) if np.isfinite(p.paid_cap[e]) else None
    least = int(np.ceil(p.paid_least[e] * 60 - 1e-6))
    contract = p.rules.contracts[p.contract_of[e]] if p.contract_of[e] >= 0 else None
    if contract is None or contract.min_minutes is None:
        shortest = int(np.rint(p.paid_hours[p.allowed[e]].min() * 60))
        least -= shortest * int(p.leave[e].sum())
    return max(least, 0), most


class MonthlyHours(RosterRule):
    name = "paid-hour cap"
    keys = ("monthly_paid_hours_cap_enabled", "monthly_paid_hours_cap", "contracts.max_minutes")

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            if (p.max_work_days[mine] < p.n_days).any():
                free = (~p.leave[mine]).sum(axis=0)
                m.model.add(sum(int(free[d]) - m.pool[c, d] for d in range(p.n_days)) <= int(p.max_work_days[mine].sum()))
        for c, paid in counted_classes(m, least=False).items():
            m.model.add(paid <= sum(minutes_within(p, e)[1] for e in p.members(c)))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            if p.max_work_days[e] < p.n_days:
                m.model.add(sum(1 - m.rest[e, d] for d in m.days_of(e)) <= int(p.max_work_days[e]))
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker:
        return _Tracker(p)

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return int((~row & ~p.leave[e]).sum()) <= p.max_work_days[e]

    def explain(self, r: RosterDays) -> list[Conflict]:
        """People paid more than their cap: only those whose minutes the day bounds do not keep can be."""
        p = r.problem
        paid = paid_minutes(p, r.shift)
        out = []
        for e in np.flatnonzero(p.minutes_counted & np.isfinite(p.paid_cap)):
            most = minutes_within(p, e)[1]
            if paid[e] > most:
                out.append(Conflict(self.name, None, (p.ids[e],),
                                    f"{p.ids[e]} has {paid[e] / 60:g} paid hours, above their cap of {most / 60:g}: "
                                    "the days' shift counts left no other split."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        caps, _ = hour_bounds(t.rules, [t.contracts.get(emp) for emp in t.ids], t.days)
        out = []
        for emp, cap in zip(t.ids, caps):
            if not np.isfinite(cap):
                continue
            paid = sum(t.codes[c].paid_hours for c in t.table.loc[emp] if c in t.codes)
            if paid > cap + 1e-9:
                out.append(f"{self.name}: {emp} has {paid:g} paid hours, cap {cap:g}")
        return out


class _RestLeft(RestTracker):
    """Rest days beyond the weekly least only while the month keeps room for every weekly rest day still owed."""

    def __init__(self, p: RosterProblem):
        self.p = p
        self.week_of = week_of_days(p)
        least = p.rest_bounds[:, :, 0]
        # weekly rest days owed in the weeks after each week
        self.later = np.cumsum(least[:, ::-1], axis=1)[:, ::-1] - least
        self.in_week = np.zeros_like(least)
        self.taken = np.zeros(p.n_people, np.int64)

    def room(self, d, people):
        w = self.week_of[d]
        still_owed = np.maximum(self.p.rest_bounds[people, w, 0] - self.in_week[people, w] - 1, 0)
        return self.taken[people] + 1 + still_owed + self.later[people, w] <= self.p.max_rest_days[people]

    def off(self, d, people, resting):
        if resting:
            self.taken[people] += 1
            self.in_week[people, self.week_of[d]] += 1


class MonthlyHoursMinimum(RosterRule):
    name = "paid-hour minimum"
    keys = ("monthly_paid_hours_min", "contracts.min_minutes")

    def aggregate(self, m: DayCounts) -> list[Term]:
        p = m.problem
        for c, mine in m.pooled.items():
            if (p.max_rest_days[mine] < (~p.leave[mine]).sum(axis=1)).any():
                m.model.add(sum(m.pool[c, d] for d in range(p.n_days)) <= int(p.max_rest_days[mine].sum()))
        for c, paid in counted_classes(m, least=True).items():
            m.model.add(paid >= sum(minutes_within(p, e)[0] for e in p.members(c)))
        return []

    def person(self, m: PersonDays) -> list[Term]:
        p = m.problem
        for e in m.people:
            days = m.days_of(e)
            if p.max_rest_days[e] < len(days):
                m.model.add(sum(m.rest[e, d] for d in days) <= int(p.max_rest_days[e]))
        return []

    def rest_tracker(self, p: RosterProblem) -> RestTracker | None:
        return _RestLeft(p) if (p.paid_least > 0).any() else None

    def holds(self, p: RosterProblem, e: int, row: np.ndarray) -> bool:
        return int(row.sum()) <= p.max_rest_days[e]

    def explain(self, r: RosterDays) -> list[Conflict]:
        """People resting more days than keep the minimum: the consecutive-day limit forced them."""
        p = r.problem
        out = []
        for e in np.flatnonzero(r.rest.sum(axis=1) > p.max_rest_days):
            who = p.ids[e]
            out.append(Conflict(self.name, None, (who,),
                                f"{who} rests {int(r.rest[e].sum())} days, more than the {int(p.max_rest_days[e])} "
                                f"that keep the paid-hour minimum ({p.paid_least[e]:g} h at their "
                                f"shortest allowed shift), to work at most {p.max_in_a_row[e]} "
                                f"days in a row."))
        return out + self._contract_short(r)

    def _contract_short(self, r: RosterDays) -> list[Conflict]:
        """People whose contract's `min_minutes` the roster misses (minutes rostered, leave aside): the weekly
        rest days and their leave left them too few work days. (The global minimum gives way to the weekly
        rule by design, docs/rules.md; a contract's is said.)"""
        p = r.problem
        out = []
        paid = np.where(r.shift >= 0, p.paid_hours[np.maximum(r.shift, 0)], 0.0).sum(axis=1)
        for e in np.flatnonzero(p.contract_of >= 0):
            contract = p.rules.contracts[p.contract_of[e]]
            if contract.min_minutes is None or paid[e] >= p.paid_least[e] - 1e-9:
                continue
            who = p.ids[e]
            out.append(Conflict(self.name, None, (who,),
                                f"{who} has {paid[e]:g} paid hours, below the {p.paid_least[e]:g} their contract "
                                f"'{contract.name}' asks (min_minutes {contract.min_minutes}): the weekly rest days "
                                f"and their leave left {int((r.shift[e] >= 0).sum())} work days."))
        return out

    def check(self, t: RosterTable) -> list[str]:
        """Who has fewer paid hours (leave days counted at their shortest shift) than the minimum while
        resting more days than the weekly rule asks; with a contract's `min_minutes`, fewer minutes rostered
        (leave aside), whatever the rest days."""
        _, leasts = hour_bounds(t.rules, [t.contracts.get(emp) for emp in t.ids], t.days)
        out = []
        allowed = dict(zip(t.staff["employee_id"], t.staff["shifts"]))
        for emp, least in zip(t.ids, leasts):
            if least <= 0:
                continue
            row = t.table.loc[emp]
            shortest = min(t.codes[c].paid_hours for c in allowed[emp])
            paid = sum(t.codes[c].paid_hours for c in row if c in t.codes)
            own = t.contracts.get(emp)
            if own is not None and own.min_minutes is not None:
                if paid < least - 1e-9:
                    out.append(f"{self.name}: {emp} has {paid:g} paid hours, below the {least:g} of their contract "
                               f"'{own.name}'")
                continue
            credited = paid + shortest * int((row == t.LEAVE).sum())
            beyond = sum(w.rests - w.least for w in table_weeks(t, emp))
            if credited < least - 1e-9 and beyond > 0:
                out.append(f"{self.name}: {emp} has {paid:g} paid hours, below the minimum {least:g}, "
                           f"yet {beyond} rest day(s) beyond the weekly ones")
        return out


RULE = MonthlyHours()
MINIMUM = MonthlyHoursMinimum()
