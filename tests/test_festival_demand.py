"""Demand at holidays: with the month's paid hours bounded, rest days cluster where demand is low
(the Spring Festival), and the roster says how many it rosters against how many are needed there."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.rules import DEFAULT_RULES, CalendarOverride, rules_from_toml
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month

FESTIVAL = pd.date_range("2027-02-06", "2027-02-12")
AGENTS = 40
LIMIT = 3.0
# The festival week's own days (Monday 8 to Friday 12): with one rest day a week exactly, at most a
# fifth of the floor can rest on each.
FESTIVAL_WEEKDAYS = FESTIVAL[2:]


def festival_rules(**changes):
    calendar = tuple(CalendarOverride(d.date(), "holiday", "Spring Festival") for d in FESTIVAL)
    return dataclasses.replace(DEFAULT_RULES, calendar=calendar, **changes)


@pytest.fixture(scope="module")
def february():
    """February 2027 for a scaled-down center, its demand on the festival days a third of the usual."""
    m = synthetic_month(AGENTS, days=28, seed=1, start="2027-02-01", rules=festival_rules())
    req = m.requirement.copy()
    quiet = req.index.normalize().isin(FESTIVAL)
    req.loc[quiet, "scheduled"] = np.maximum(np.round(req.loc[quiet, "scheduled"] / 3), 1).astype(np.int64)
    return dataclasses.replace(m, requirement=req)


def on_the_phones(roster, staff) -> pd.Series:
    """People working a shift on the phones (the supervisor is not), per day."""
    phones = set(staff.loc[staff["role"] != "supervisor", "employee_id"])
    a = roster.assignments
    working = a[a["employee_id"].isin(phones) & ~a["shift"].isin(["OFF", "LEAVE"])]
    return working.groupby("date").size()


def peak_need(requirement) -> pd.Series:
    return requirement["scheduled"].groupby(requirement.index.normalize()).max()


def test_rest_days_cluster_on_festival_days_within_the_monthly_hours(february):
    m = february
    exact = solve(m.requirement, m.staff, festival_rules(), leave=m.leave, ads=m.ads, time_limit_s=LIMIT, seed=1)
    rules = festival_rules(monthly_paid_hours_min=140.0)
    bounded = solve(m.requirement, m.staff, rules, leave=m.leave, ads=m.ads, time_limit_s=LIMIT, seed=1)
    need = peak_need(m.requirement)[FESTIVAL_WEEKDAYS]
    before = on_the_phones(exact, m.staff)[FESTIVAL_WEEKDAYS]
    after = on_the_phones(bounded, m.staff)[FESTIVAL_WEEKDAYS]
    # one rest day a week exactly: most of the floor works the festival's weekdays, three times the need
    assert before.mean() > 2.5 * need.mean()
    # the minimum leaves room for more rest days: close to the need (a leader on each shift besides)
    assert (after <= need + 8).all(), pd.DataFrame({"rostered": after, "needed": need})
    assert after.sum() < 0.6 * before.sum()
    assert bounded.objective < exact.objective
    assert roster_violations(bounded.assignments, m.staff, rules, m.leave, m.ads) == []
    # everyone still works the minimum: 140 h at their shortest allowed shift, less their leave
    paid = bounded.employees.set_index("employee_id")
    shortest = m.staff.set_index("employee_id")["shifts"].map(lambda s: min(rules.shift(c).paid_hours for c in s))
    credited = paid["paid_hours"] + paid["leave_days"] * shortest[paid.index]
    weekly = exact.employees.set_index("employee_id")["rest_days"]
    extra = paid["rest_days"] > weekly
    assert extra.any()
    assert (credited[extra] >= 140.0 - 1e-9).all()


def test_the_check_names_extra_rest_days_below_the_minimum(february):
    m = february
    rules = festival_rules(monthly_paid_hours_min=140.0)
    r = solve(m.requirement, m.staff, rules, leave=m.leave, ads=m.ads, time_limit_s=LIMIT, seed=1)
    a = r.assignments.copy()
    no_leave = sorted(set(m.staff["employee_id"]) - set(m.leave.loc[m.leave["kind"] == "leave", "employee_id"]))
    who = no_leave[1]
    # ten more days off in the month's last two weeks' working days: below 140 h with rest beyond the weekly one
    mine = (a["employee_id"] == who) & (a["date"] >= pd.Timestamp("2027-02-15")) & ~a["shift"].isin(["OFF", "LEAVE"])
    a.loc[a.index[mine][:8], ["shift", "lunch_start"]] = ["OFF", None]
    said = [v for v in roster_violations(a, m.staff, rules, m.leave, m.ads) if v.startswith("paid-hour minimum")]
    assert len(said) == 1 and who in said[0] and "below the minimum 140" in said[0]


def test_paid_hour_minimum_is_read_and_checked_against_the_cap():
    assert rules_from_toml(b"monthly_paid_hours_min = 150").monthly_paid_hours_min == 150.0
    with pytest.raises(DataError, match="monthly_paid_hours_min 180 is above the cap"):
        rules_from_toml(b"monthly_paid_hours_cap_enabled = true\nmonthly_paid_hours_cap = 176\nmonthly_paid_hours_min = 180")
