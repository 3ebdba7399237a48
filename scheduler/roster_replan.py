"""A mid-month change: the month's roster re-planned from a day on, the days before it kept exactly and the
days from it changed as little as the rules and coverage allow, with the diff against the roster re-planned."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd

from core.errors import DataError
from core.rules import Rules
from scheduler.roster import Roster, solve
from scheduler.roster_diff import roster_diff
from scheduler.roster_problem import LEAVE, REST
from scheduler.rules.weekend_rest_fairness import WEEKEND

FROM = "--from"  # what the user gave the day as (the API says from_day)


def _kept_and_ahead(previous: pd.DataFrame, staff: pd.DataFrame, days: pd.DatetimeIndex,
                    day: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of the roster re-planned before `day` (kept) and from it on (re-planned): its rows must all lie
    in the month's `days` and hold every day before `day`, and some of its people must be on the staff."""
    source = previous.attrs.get("source", "previous roster")
    if len(previous) and not previous["employee_id"].isin(staff["employee_id"]).any():
        raise DataError(source, f"none of its {previous['employee_id'].nunique()} people is on the staff: is it "
                                "another center's roster?", column="employee_id")
    dates = pd.to_datetime(previous["date"]).dt.normalize()
    outside = np.flatnonzero(((dates < days[0]) | (dates > days[-1])).to_numpy())
    if len(outside):
        i = int(outside[0])
        raise DataError(source, f"{dates.iloc[i].date()} is outside the month re-planned ({days[0].date()} to "
                                f"{days[-1].date()}): re-planning from a day needs the roster of that month",
                        row=i + 2, column="date")
    before = days[days < day]
    lacking = before.difference(pd.DatetimeIndex(dates.unique()))
    if len(lacking):
        raise DataError(source, f"it has no row for {lacking[0].date()}, a day before {day.date()} to keep as it is",
                        column="date")
    before_day = (dates < day).to_numpy()
    return previous[before_day], previous[~before_day]


def _whole_month_totals(employees: pd.DataFrame, kept: pd.DataFrame, rules: Rules, days: int,
                        days_in_month: int) -> pd.DataFrame:
    """Each person's totals of the days re-planned (Roster.employees) with the kept days' added, and the
    overtime against the legal standard of all `days`."""
    out = employees.copy()
    paid = {s.code: s.paid_hours for s in rules.shifts}
    shift = kept["shift"].astype(str)
    weekend = pd.to_datetime(kept["date"]).dt.day_of_week.isin(WEEKEND)
    counts = pd.DataFrame({
        "employee_id": kept["employee_id"].to_numpy(),
        "shifts_worked": shift.isin(list(paid)).to_numpy(),
        "late_shifts": shift.isin(rules.late_shift_codes).to_numpy(),
        "rest_days": (shift == REST).to_numpy(),
        "weekend_rests": ((shift == REST) & weekend).to_numpy(),
        "leave_days": (shift == LEAVE).to_numpy(),
        "paid_hours": shift.map(paid).fillna(0.0).to_numpy(float),
    }).groupby("employee_id").sum()
    added = counts.reindex(out["employee_id"]).fillna(0)
    for column in counts.columns:
        out[column] = out[column].to_numpy() + added[column].to_numpy().astype(out[column].dtype)
    legal = rules.legal_monthly_hours * days / days_in_month
    out["overtime_hours"] = np.round(np.maximum(out["paid_hours"].to_numpy(float) - legal, 0.0), 2)
    return out


def replan_from(requirement, staff: pd.DataFrame, rules: Rules, previous: pd.DataFrame, from_day: dt.date | str,
                leave=None, ads=None, previous_month=None, **solve_options) -> Roster:
    """The month of `previous` (a roster of the requirement's month) re-planned from `from_day` on: the days
    before it kept exactly (their last days and counts carry over as a previous month's would), the days
    from it solved with few changes (scheduler.roster.solve's `previous`, each day changed costing the rules'
    `change_mid_month` weight). The Roster's assignments and
    per-person totals are the whole month's; its coverage, shortfall and KPIs those of the days re-planned;
    `diff` what changed. A day outside the month, a roster of another month or one lacking a day to keep is
    a DataError; so are the monthly paid-hour cap, which counts the whole month's hours, and a contract's
    `max_weekends_worked`, `min_minutes` or `max_minutes`, which count the whole month."""
    index = pd.DatetimeIndex(requirement.index)
    days = pd.DatetimeIndex(index.normalize().unique()).sort_values()
    try:
        day = pd.Timestamp(from_day).normalize()
    except ValueError:
        raise DataError(FROM, f"expected a day like {days[0].date()}, got {from_day!r}") from None
    if day not in days:
        raise DataError(FROM, f"{day.date()} is not a day of the month planned ({days[0].date()} to {days[-1].date()})")
    if rules.monthly_paid_hours_cap_enabled:
        raise DataError(FROM, "re-planning from a day is not offered with the monthly paid-hour cap on: the cap "
                              "counts the whole month's hours; re-plan the whole month (--previous alone)")
    given = set(staff["contract"]) if "contract" in staff else set()
    whole = sorted(c.name for c in rules.contracts
                   if (c.max_weekends_worked is not None or c.bounds_minutes) and c.name in given)
    if whole:
        raise DataError(FROM, f"re-planning from a day is not offered with contracts that bound the weekends worked "
                              f"or the paid minutes ({', '.join(whole)}): they count the whole month; re-plan the "
                              "whole month (--previous alone)")
    kept, ahead = _kept_and_ahead(previous, staff, days, day)
    # each day changed costs the mid-month weight here (scheduler.rules.previous_roster reads the one key)
    moving = replace(rules, weights=replace(rules.weights, change_from_previous=rules.weights.change_mid_month))
    roster = solve(requirement[(index >= day)], staff, moving, leave=leave, ads=ads, previous=ahead,
                   previous_month=previous_month, kept=kept, **solve_options)
    kept_rows = kept[list(roster.assignments.columns)].astype({"date": roster.assignments["date"].dtype})
    order = {e: i for i, e in enumerate(staff["employee_id"])}
    merged = pd.concat([kept_rows, roster.assignments], ignore_index=True)
    merged = merged.assign(_order=merged["employee_id"].map(order)).sort_values(["_order", "date"], kind="stable")
    roster.assignments = merged.drop(columns="_order").reset_index(drop=True)
    roster.employees = _whole_month_totals(roster.employees, kept, rules, len(days), days[0].days_in_month)
    roster.diff = roster_diff(previous, roster.assignments, day)
    return roster
