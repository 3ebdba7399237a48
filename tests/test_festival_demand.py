"""Demand at holidays: with the month's paid hours bounded, rest days cluster where demand is low
(the Spring Festival), and the roster says how many it rosters against how many are needed there."""
from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from api.roster_document import roster_document, stored_roster
from api.schemas import RosterOut
from benchmarks.roster import write_inputs
from cli import main

from core.errors import DataError
from core.rules import DEFAULT_RULES, CalendarOverride, rules_from_toml
from scheduler.roster import solve
from scheduler.roster_assign import spread_rest_counts
from scheduler.roster_build import build_problem
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from scheduler.rules import RosterDays
from scheduler.rules.monthly_hours import MINIMUM as MINIMUM_RULE
from shiftcast.exports.workbook import roster_workbook
from shiftcast.inputs import InputPaths, load_inputs, summary_lines
from shiftcast.pipeline import roster_summary_lines

FESTIVAL = pd.date_range("2027-02-06", "2027-02-12")
AGENTS = 40
LIMIT = 3.0
# The festival week's own days (Monday 8 to Friday 12): with one rest day a week exactly, at most a
# fifth of the floor can rest on each.
FESTIVAL_WEEKDAYS = FESTIVAL[2:]
# Paid hours a person keeps in February at least: 20 late shifts of 7 hours, so up to 8 rest days.
MINIMUM = 140.0


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


@pytest.fixture(scope="module")
def exact(february):
    """The roster with one rest day a week exactly (the default rules)."""
    m = february
    return solve(m.requirement, m.staff, festival_rules(), leave=m.leave, ads=m.ads, time_limit_s=LIMIT, seed=1)


@pytest.fixture(scope="module")
def bounded(february):
    """The roster with the month's paid hours bounded below, so rest days may cluster."""
    m = february
    return solve(m.requirement, m.staff, festival_rules(monthly_paid_hours_min=MINIMUM), leave=m.leave, ads=m.ads,
                 time_limit_s=LIMIT, seed=1)


def test_rest_days_cluster_on_festival_days_within_the_monthly_hours(february, exact, bounded):
    m = february
    rules = festival_rules(monthly_paid_hours_min=MINIMUM)
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
    # everyone resting beyond the weekly days still works the minimum at their shortest allowed shift
    # (a day of leave counting as one)
    paid = bounded.employees.set_index("employee_id")
    shortest = m.staff.set_index("employee_id")["shifts"].map(lambda s: min(rules.shift(c).paid_hours for c in s))
    credited = paid["paid_hours"] + paid["leave_days"] * shortest[paid.index]
    weekly = exact.employees.set_index("employee_id")["rest_days"]
    extra = paid["rest_days"] > weekly
    assert extra.any()
    assert (credited[extra] >= MINIMUM - 1e-9).all()


def test_quiet_days_say_rostered_against_needed(february, exact, bounded):
    need = peak_need(february.requirement)
    for roster in (exact, bounded):
        phones = on_the_phones(roster, february.staff)
        assert [q.date for q in roster.quiet_days] == [d.date() for d in FESTIVAL]
        assert [q.rostered for q in roster.quiet_days] == [int(phones[d]) for d in FESTIVAL]
        assert [q.needed for q in roster.quiet_days] == [int(need[d]) for d in FESTIVAL]
    q = exact.quiet_days[3]
    exact_lines = roster_summary_lines(exact, festival_rules())
    assert any(f"{q.date.isoformat()}: {q.rostered} rostered, {q.needed} needed at the peak" in line
               for line in exact_lines)
    # with exact weekly rest days the summary says why more could not rest, and what lets them
    assert any("set monthly_paid_hours_min" in line for line in exact_lines)
    bounded_lines = roster_summary_lines(bounded, festival_rules(monthly_paid_hours_min=MINIMUM))
    assert not any("set monthly_paid_hours_min" in line for line in bounded_lines)


def test_workbook_and_api_carry_the_quiet_days(february, exact):
    rules = festival_rules()
    ws = openpyxl.load_workbook(io.BytesIO(roster_workbook(exact, rules, february.staff, lang="en")))["KPIs"]
    cells = list(ws.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(cells) if row[0] == "Days far below the month's demand")
    assert cells[top + 1][:3] == ("Date", "Rostered", "Needed at the peak")
    first = exact.quiet_days[0]
    assert cells[top + 2][:3] == (first.date.isoformat(), first.rostered, first.needed)
    assert any(str(row[0]).startswith("Everyone has exactly 1 rest day") for row in cells[top + 2:] if row[0])
    doc = roster_document(exact, "2027-02", february.staff, rules)
    assert doc["quiet_days"][0] == {"date": first.date.isoformat(), "rostered": first.rostered, "needed": first.needed}
    assert RosterOut.model_validate({**doc, "id": 1, "job_id": None}).quiet_days[0].rostered == first.rostered
    assert stored_roster(doc).quiet_days == exact.quiet_days


def test_the_check_names_extra_rest_days_below_the_minimum(february, bounded):
    m = february
    rules = festival_rules(monthly_paid_hours_min=MINIMUM)
    a = bounded.assignments.copy()
    no_leave = sorted(set(m.staff["employee_id"]) - set(m.leave.loc[m.leave["kind"] == "leave", "employee_id"]))
    who = no_leave[1]
    # eight more days off in the month's last two weeks: below the minimum, with rest beyond the weekly days
    mine = (a["employee_id"] == who) & (a["date"] >= pd.Timestamp("2027-02-15")) & ~a["shift"].isin(["OFF", "LEAVE"])
    a.loc[a.index[mine][:8], ["shift", "lunch_start"]] = ["OFF", None]
    said = [v for v in roster_violations(a, m.staff, rules, m.leave, m.ads) if v.startswith("paid-hour minimum")]
    assert len(said) == 1 and who in said[0] and "below the minimum 140" in said[0]


def test_paid_hour_minimum_is_read_and_checked_against_the_cap():
    assert rules_from_toml(b"monthly_paid_hours_min = 150").monthly_paid_hours_min == 150.0
    with pytest.raises(DataError, match="monthly_paid_hours_min 180 is above the cap"):
        rules_from_toml(b"monthly_paid_hours_cap_enabled = true\nmonthly_paid_hours_cap = 176\nmonthly_paid_hours_min = 180")


def test_the_roster_command_lets_rest_days_cluster_and_says_so(february, tmp_path):
    rules = festival_rules(monthly_paid_hours_min=MINIMUM)
    paths = write_inputs(february, rules, tmp_path / "in")
    assert any("≥1 rest day/week, ≥140 paid h/month" in line
               for line in summary_lines(load_inputs(InputPaths(rules=paths["rules"]))))
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", str(LIMIT), "--seed", "1",
            "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("days far below the month's demand: "))
    said = dict(re.findall(r"(2027-02-\d\d): (\d+) rostered, \d+ needed at the peak", line))
    assert sorted(said) == [d.date().isoformat() for d in FESTIVAL]
    written = pd.read_csv(tmp_path / "out" / "roster.csv")
    phones = set(february.staff.loc[february.staff["role"] != "supervisor", "employee_id"])
    working = written[written["employee_id"].isin(phones) & ~written["shift"].isin(["OFF", "LEAVE"])]
    assert {day: str(n) for day, n in working.groupby("date").size().items() if day in said} == said
    assert "set monthly_paid_hours_min" not in result.output


def test_a_roster_resting_beyond_the_minimum_is_explained(february):
    rules = festival_rules(monthly_paid_hours_min=MINIMUM)
    p = build_problem(february.requirement, february.staff, rules, february.leave, february.ads)
    shift = np.where(p.leave, -2, 0)
    e = int(np.flatnonzero(~p.leave.any(axis=1))[1])
    shift[e, :p.max_rest_days[e] + 1] = -1
    said = MINIMUM_RULE.explain(RosterDays(p, shift, np.full(shift.shape, -1)))
    assert [c.employees for c in said] == [(p.ids[e],)]
    assert f"rests {p.max_rest_days[e] + 1} days, more than the {p.max_rest_days[e]}" in said[0].message


def test_the_fallback_rest_plan_spreads_the_weekly_rest_days_not_every_free_day(february):
    p = build_problem(february.requirement, february.staff, festival_rules(monthly_paid_hours_min=MINIMUM),
                      february.leave, february.ads)
    counts = spread_rest_counts(p)
    for c in range(len(p.classes)):
        free = (~p.leave[p.members(c)]).sum(axis=0)
        for w, week in enumerate(p.weeks):
            # February's full weeks: the weekly rest days owed (one each), however many more the minimum allows
            assert sum(counts[c, d] for d in week.days) == p.rest_bounds[p.members(c), w, 0].sum()
            assert all(counts[c, d] <= free[d] for d in week.days)
