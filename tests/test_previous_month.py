"""The previous month's roster: its last days count across the month edge (consecutive days, the week that
spans the two months), its late shifts and weekend rests carry the fairness rules over."""
from __future__ import annotations

import pandas as pd
import pytest

from core.errors import DataError
from core.rules import DEFAULT_RULES
from scheduler.roster import solve
from scheduler.roster_build import build_problem
from scheduler.roster_checks import longest_work_runs, roster_violations
from scheduler.roster_synthetic import synthetic_month

RULES = DEFAULT_RULES
LIMIT = 2.0


@pytest.fixture(scope="module")
def december_and_january():
    """A 31-person center: December solved, January's requirement and airings, the same staff."""
    dec = synthetic_month(31, days=31, seed=7)
    jan = synthetic_month(31, days=31, seed=8, start="2027-01-01")
    december = solve(dec.requirement, dec.staff, RULES, leave=dec.leave, ads=dec.ads, time_limit_s=LIMIT, seed=1)
    return dec, jan, december


@pytest.mark.slow
def test_january_after_december_keeps_the_rules_across_the_month_edge(december_and_january):
    dec, jan, december = december_and_january
    most = RULES.max_consecutive_work_days
    # the issue's bug: January planned with no history puts people on long runs across Dec 31 / Jan 1
    blind = solve(jan.requirement, dec.staff, RULES, ads=jan.ads, time_limit_s=LIMIT, seed=1)
    assert longest_work_runs(pd.concat([december.assignments, blind.assignments]), RULES.shift_codes).max() > most
    found = roster_violations(blind.assignments, dec.staff, RULES, previous_month=december.assignments)
    assert any(v.startswith("max consecutive work days") and "previous month's roster" in v for v in found)
    # with December as the previous month, no run is longer than the rules allow, and the independent
    # check, which reads December's last days too, finds nothing broken
    january = solve(jan.requirement, dec.staff, RULES, ads=jan.ads, previous_month=december.assignments,
                    time_limit_s=LIMIT, seed=1)
    assert longest_work_runs(pd.concat([december.assignments, january.assignments]), RULES.shift_codes).max() <= most
    assert roster_violations(january.assignments, dec.staff, RULES, previous_month=december.assignments) == []
    assert january.conflicts == []


def december_roster(staff: pd.DataFrame, last_days: dict[str, list[str]], late: dict[str, int] | None = None,
                    weekend_rests: dict[str, int] | None = None) -> pd.DataFrame:
    """A December 2026 roster: rest days staggered over the week, E on the other days, except `last_days`
    (codes for Dec 25–31), and `late` / `weekend_rests` counts put on the first three weeks' days (L shifts
    Tuesday to Friday, OFF on Sundays)."""
    days = pd.date_range("2026-12-01", "2026-12-31")
    rows = []
    for k, e in enumerate(staff["employee_id"]):
        codes = ["OFF" if d.weekday() == k % 7 else "E" for d in days]
        if e in last_days:
            codes[-7:] = last_days[e]
        weekdays = [i for i, d in enumerate(days[:21]) if d.weekday() in (1, 2, 3, 4) and codes[i] == "E"]
        for i in weekdays[:(late or {}).get(e, 0)]:
            codes[i] = "L"
        for i in [i for i, d in enumerate(days[:21]) if d.weekday() == 6][:(weekend_rests or {}).get(e, 0)]:
            codes[i] = "OFF"
        rows += [(e, d, c, None) for d, c in zip(days, codes)]
    return pd.DataFrame(rows, columns=["employee_id", "date", "shift", "lunch_start"])


def january(n: int = 24, days: int = 14):
    return synthetic_month(n, days=days, seed=5, start="2027-01-01")


def test_a_run_ending_on_december_31_continues_and_a_rest_day_on_december_29_counts_for_the_week():
    m = january()
    leave = m.leave[(m.leave["kind"] == "leave") & ~m.leave["employee_id"].isin(["A0004", "A0005"])]
    # Weeks run Monday to Sunday: Dec 28 – Jan 3 is one week. A0004 works Dec 26–31, six days in a row, so
    # Jan 1 must be a day off; A0005 rested on Tuesday Dec 29, so no rest day on Jan 1–3.
    prev = december_roster(m.staff, {"A0004": ["OFF"] + ["E"] * 6, "A0005": ["E", "E", "E", "E", "OFF", "E", "E"]})
    r = solve(m.requirement, m.staff, RULES, leave=leave, ads=m.ads, previous_month=prev, time_limit_s=LIMIT)
    g = r.assignments.pivot(index="employee_id", columns="date", values="shift")
    assert g.loc["A0004", pd.Timestamp("2027-01-01")] == "OFF"
    first_week = [c for c in g.columns if c <= pd.Timestamp("2027-01-03")]
    assert (g.loc["A0005", first_week] == "OFF").sum() == 0
    assert roster_violations(r.assignments, m.staff, RULES, leave, m.ads, previous_month=prev) == []


def test_the_independent_check_names_the_days_the_previous_month_brings():
    m = january(days=7)
    prev = december_roster(m.staff, {"A0004": ["OFF"] + ["E"] * 6, "A0005": ["E", "E", "E", "E", "OFF", "E", "E"]})
    days = pd.date_range("2027-01-01", "2027-01-07")
    roster = pd.DataFrame([(e, d, "OFF" if (e, d.day) in {("A0005", 2), ("A0004", 4)} else "E", "11:00")
                           for e in m.staff["employee_id"] for d in days],
                          columns=["employee_id", "date", "shift", "lunch_start"])
    found = roster_violations(roster, m.staff, RULES, previous_month=prev)
    runs = [v for v in found if "A0004" in v and v.startswith("max consecutive work days")]
    assert runs == ["max consecutive work days: A0004 works more than 6 days in a row up to 2027-01-01 "
                    "(from 2026-12-26, 6 of them in the previous month's roster)"]
    weeks = [v for v in found if "A0005" in v and "2026-12-28" in v]
    assert weeks == ["rest days per week: A0005 has 1 rest days in the week from 2026-12-28, needs exactly 0 "
                     "(1 rest day taken from 2026-12-28 to 2026-12-31 in the previous month's roster)"]
    # without the previous month the same roster keeps both rules: the first days assume no history
    assert not [v for v in roster_violations(roster, m.staff, RULES) if "A0004" in v or "A0005" in v]


def test_people_gone_are_ignored_and_new_staff_have_no_history():
    m = january()
    staff = m.staff[m.staff["employee_id"] != "A0003"].reset_index(drop=True)
    prev = december_roster(m.staff, {"A0004": ["OFF"] + ["E"] * 6})
    prev = prev[prev["employee_id"] != "A0006"]  # A0006 joins in January
    p = build_problem(m.requirement, staff, RULES, previous_month=prev)
    known = dict(zip(p.ids, p.previous_month.known))
    assert "A0003" not in known and not known["A0006"] and known["A0004"]
    streak = dict(zip(p.ids, p.start_streak))
    assert streak["A0004"] == 6 and streak["A0006"] == 0


def test_the_previous_month_must_be_the_month_before_and_this_centers():
    m = january()
    prev = december_roster(m.staff, {})
    stray = prev.copy()
    stray.loc[40, "date"] = pd.Timestamp("2027-01-02")
    with pytest.raises(DataError) as err:
        build_problem(m.requirement, m.staff, RULES, previous_month=stray)
    assert err.value.row == 42 and err.value.column == "date"
    assert "2027-01-02 is not in 2026-12" in str(err.value)
    november = prev.assign(date=prev["date"] - pd.Timedelta(days=31))
    with pytest.raises(DataError, match="not in 2026-12"):
        build_problem(m.requirement, m.staff, RULES, previous_month=november)
    with pytest.raises(DataError, match="it ends on 2026-12-30: the previous month's roster runs to 2026-12-31"):
        build_problem(m.requirement, m.staff, RULES, previous_month=prev[prev["date"] < "2026-12-31"])
    elsewhere = prev.assign(employee_id="B" + prev["employee_id"])
    with pytest.raises(DataError, match="none of its 24 people is on the staff of 2027-01") as err:
        build_problem(m.requirement, m.staff, RULES, previous_month=elsewhere)
    assert err.value.column == "employee_id"


@pytest.mark.slow
def test_late_shifts_and_weekend_rests_carry_over_from_the_previous_month():
    m = january(n=30, days=31)
    staff = m.staff
    agents = staff.loc[(staff["role"] == "agent") & staff["shifts"].map(lambda s: set(s) == {"E", "L"}),
                       "employee_id"].tolist()
    many, few = agents[::2], agents[1::2]
    prev = december_roster(staff, {}, late={e: 12 for e in many}, weekend_rests={e: 3 for e in few})
    r = solve(m.requirement, staff, RULES, ads=m.ads, previous_month=prev, time_limit_s=LIMIT, seed=1)
    totals = r.employees.set_index("employee_id")
    # this month's shares stay as even as without; the extra ones go to those who had fewer last month
    assert totals.loc[many, "late_shifts"].mean() < totals.loc[few, "late_shifts"].mean()
    assert totals.loc[few, "weekend_rests"].mean() < totals.loc[many, "weekend_rests"].mean()
    p = build_problem(m.requirement, staff, RULES, previous_month=prev)
    mine = prev.groupby("employee_id")
    late = dict(zip(p.ids, p.previous_month.late_shifts))
    assert late[many[0]] == (mine.get_group(many[0])["shift"] == "L").sum() > 0 and late[few[0]] == 0
    weekend = dict(zip(p.ids, p.previous_month.weekend_rests))
    assert weekend[few[0]] >= 3 and weekend[many[0]] <= 1


def test_the_summary_says_whom_the_previous_month_holds():
    from shiftcast.inputs import Inputs, previous_month_line

    m = january()
    prev = december_roster(m.staff, {})
    prev = prev[prev["employee_id"] != "A0006"]
    staff = m.staff[m.staff["employee_id"] != "A0003"]
    line = previous_month_line(Inputs(staff=staff, previous_month=prev))
    assert line == ("previous month's roster 2026-12-01 → 2026-12-31, 22 of the staff's 23 people; 1 new person "
                    "without history (A0006); 1 person no longer on the staff ignored")
    assert previous_month_line(Inputs(staff=staff)) is None
