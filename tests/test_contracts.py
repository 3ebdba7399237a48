"""Contracts: named sets of person rules in rules.toml, assigned to staff by the staff file's `contract`
column; read and refused in words, kept by the roster (Python, `shiftcast roster`, the API's roster jobs) and
seen by the independent checker."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, Contract, rules_from_dict, rules_from_toml, rules_to_toml
from scheduler.data import load_staff
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month

TWO_OFF = Contract("full_time", min_days_off_in_a_row=2)
WEEKENDS = Contract("part_time", max_weekends_worked=2, max_consecutive_work_days=5)
WEDNESDAYS = Contract("wednesdays", days_off=(2,))
BLOCKS = Contract("blocks", min_consecutive_work_days=3)
# two rest days a week, exactly: a run of two days off fits every week, and so do a weekend's two rest days
RULES = dataclasses.replace(DEFAULT_RULES, rest_days_per_week=2, contracts=(TWO_OFF, WEEKENDS, WEDNESDAYS,
                                                                                 BLOCKS))


def grid(roster: pd.DataFrame) -> pd.DataFrame:
    return roster.pivot(index="employee_id", columns="date", values="shift")


def short_runs_off(row: pd.Series) -> list[str]:
    """Days starting a run of days off shorter than two between two work days (the horizon's edges aside)."""
    off = [code in ("OFF", "LEAVE") for code in row]
    out, d = [], 0
    while d < len(off):
        if off[d]:
            first = d
            while d < len(off) and off[d]:
                d += 1
            if first > 0 and d < len(off) and d - first < 2:
                out.append(str(pd.Timestamp(row.index[first]).date()))
        else:
            d += 1
    return out


def weekends_worked(row: pd.Series) -> int:
    days = pd.to_datetime(row.index)
    saturdays = {day - pd.Timedelta(days=day.weekday() - 5) for day in days if day.weekday() >= 5}
    return sum(any(code not in ("OFF", "LEAVE") for day, code in zip(days, row)
                   if day.weekday() >= 5 and day - pd.Timedelta(days=day.weekday() - 5) == sat) for sat in saturdays)


def with_contracts(staff: pd.DataFrame, first: int, second: int, third: int = 0, fourth: int = 0) -> pd.DataFrame:
    """`first` people on the full-time contract, the next `second` part-time, the next `third` with Wednesdays
    off, the next `fourth` working three days in a row at least, the rest on the global rules."""
    names = ["full_time"] * first + ["part_time"] * second + ["wednesdays"] * third + ["blocks"] * fourth
    return staff.assign(contract=names + [""] * (len(staff) - len(names)))


def test_contracts_read_from_rules_toml_and_written_back():
    rules = rules_from_toml(b"""
rest_days_per_week = 2

[contracts.full_time]
min_days_off_in_a_row = 2

[contracts.part_time]
max_weekends_worked = 2
max_consecutive_work_days = 5

[contracts.wednesdays]
days_off = ["wednesday"]

[contracts.blocks]
min_consecutive_work_days = 3
""")
    assert rules.contracts == (TWO_OFF, WEEKENDS, WEDNESDAYS, BLOCKS)
    assert rules.contracts[2].days_off == (2,)
    assert rules_from_toml(rules_to_toml(rules).encode()) == rules


@pytest.mark.parametrize("contract, words, key", [
    ({"min_days_off": 2}, "unknown key 'min_days_off' in [contracts.full_time]", "min_days_off"),
    ({"max_shift": {"L": 8}}, "unknown key 'max_shift' in [contracts.full_time]", "max_shift"),
    ({"max_shifts": {"N": 8}}, "contracts.full_time.max_shifts names 'N', which is not a shift (shifts: E, L)",
     "max_shifts"),
    ({"max_shifts": 8}, "contracts.full_time.max_shifts must be a table of shift codes and counts like { L = 9 }",
     "max_shifts"),
    ({"min_shifts": {"L": 2.5}}, "contracts.full_time.min_shifts.L must be a whole number", "L"),
    ({"min_shifts": {"L": 9}, "max_shifts": {"L": 8}}, "contracts.full_time.min_shifts.L 9 is above "
     "max_shifts.L 8", "min_shifts"),
    ({"days_off": ["Funday"]}, "contracts.full_time.days_off: 'Funday' is not a weekday", "days_off"),
    ({"days_off": ["Satt"]}, "contracts.full_time.days_off: 'Satt' is not a weekday", "days_off"),
    ({"days_off": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}, "names every weekday", "days_off"),
    ({"days_off": ["Sat", "Sun", "Mon"]}, "gives 3 days off a week, but rest_days_per_week is 2 exactly",
     "days_off"),
    ({"min_days_off_in_a_row": 3}, "min_days_off_in_a_row 3 cannot hold with rest_days_per_week 2", 
     "min_days_off_in_a_row"),
    ({"min_consecutive_work_days": 7}, "contracts.full_time.min_consecutive_work_days 7 is above the most work "
     "days in a row, 6", "min_consecutive_work_days"),
    ({"min_consecutive_work_days": 5, "max_consecutive_work_days": 4}, "min_consecutive_work_days 5 is above the "
     "most work days in a row, 4", "min_consecutive_work_days"),
    ({"min_minutes": 6000, "max_minutes": 5400}, "contracts.full_time.min_minutes 6000 is above max_minutes 5400",
     "min_minutes"),
    ({"max_weekends_worked": -1}, "contracts.full_time.max_weekends_worked must be ≥ 0", "max_weekends_worked"),
    ({"max_consecutive_work_days": 2.5}, "contracts.full_time.max_consecutive_work_days must be a whole number",
     "max_consecutive_work_days"),
])
def test_a_contract_that_cannot_be_read_or_cannot_hold_is_refused_in_words(contract, words, key):
    with pytest.raises(DataError) as err:
        rules_from_dict({"rest_days_per_week": 2, "contracts": {"full_time": contract}}, source="rules.toml")
    assert words in str(err.value) and "rules.toml" in str(err.value) and err.value.column == key


def test_a_staff_file_naming_an_unknown_contract_is_refused_at_its_row(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text("employee_id,name,role,group,team,contract\nA1,Ann,agent,G1,T1,full_time\n"
                    "A2,Bo,agent,G1,T1,\nA3,Cy,agent,G1,T1,night\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_staff(path, RULES)
    assert err.value.row == 4 and err.value.column == "contract"
    assert "a contract of the rules (full_time, part_time, wednesdays, blocks) or an empty cell, got 'night'" in str(err.value)
    with pytest.raises(DataError, match="the rules define no"):
        load_staff(path, DEFAULT_RULES)


@pytest.fixture(scope="module")
def month():
    return synthetic_month(30, days=28, seed=2, rules=RULES)


def test_a_two_days_off_contract_keeps_its_days_off_together(month):
    staff = with_contracts(month.staff, 30, 0)
    free = solve(month.requirement, month.staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    kept = solve(month.requirement, staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    assert {c.rule for c in kept.conflicts} <= {"leader on every shift"}
    assert all(short_runs_off(row) == [] for _, row in grid(kept.assignments).iterrows())
    assert not [v for v in roster_violations(kept.assignments, staff, RULES, month.leave, month.ads)
                if not v.startswith("leader on every shift")]
    # the checker, independent of the solve, sees the single days off of the roster made without contracts
    singles = {e: short_runs_off(row) for e, row in grid(free.assignments).iterrows()}
    broken = [v for v in roster_violations(free.assignments, staff, RULES, month.leave, month.ads)
              if v.startswith("days off in a row")]
    assert len(broken) == sum(len(v) for v in singles.values()) > 0
    emp, days = next((e, v) for e, v in singles.items() if v)
    assert f"days off in a row: {emp} has 1 day(s) off from {days[0]} to {days[0]}, fewer than 2 in a row" in broken


def test_a_weekend_cap_work_days_in_a_row_and_a_weekday_off(month):
    staff = with_contracts(month.staff, 0, 12, 6, 6)
    free = solve(month.requirement, month.staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    kept = solve(month.requirement, staff, RULES, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    assert {c.rule for c in kept.conflicts} <= {"leader on every shift"}
    g = grid(kept.assignments)
    capped = list(staff["employee_id"][:12])
    assert all(weekends_worked(g.loc[e]) <= 2 for e in capped)
    assert all(longest_work_run(g.loc[e]) <= 5 for e in capped)
    wednesdays = [d for d in g.columns if pd.Timestamp(d).weekday() == 2]
    assert (g.loc[staff["employee_id"][12:18], wednesdays].isin(["OFF", "LEAVE"])).all().all()
    assert all(shortest_inner_work_run(g.loc[e]) >= 3 for e in staff["employee_id"][18:24])
    assert not [v for v in roster_violations(kept.assignments, staff, RULES, month.leave, month.ads)
                if not v.startswith("leader on every shift")]
    # the checker sees what the roster made without contracts breaks of them
    broken = roster_violations(free.assignments, staff, RULES, month.leave, month.ads)
    over = [e for e in capped if weekends_worked(grid(free.assignments).loc[e]) > 2]
    assert len([v for v in broken if v.startswith("weekends worked")]) == len(over) > 0
    assert any(v.startswith(f"weekends worked: {over[0]} works ") and v.endswith(", more than 2") for v in broken)
    assert any(v.startswith("max consecutive work days: ") and "more than 5 days in a row" in v for v in broken)
    assert any(v.startswith("weekdays off: ") and "a Wednesday their contract 'wednesdays' keeps off" in v
               for v in broken)
    short = [e for e in staff["employee_id"][18:24] if shortest_inner_work_run(grid(free.assignments).loc[e]) < 3]
    assert {v.split()[5] for v in broken if v.startswith("work days in a row: ")} == set(short)


def shortest_inner_work_run(row: pd.Series) -> int:
    """The shortest run of work days between two days off (the horizon's edges aside); 99 without one."""
    off = [code in ("OFF", "LEAVE") for code in row]
    runs, d = [99], 0
    while d < len(off):
        if not off[d]:
            first = d
            while d < len(off) and not off[d]:
                d += 1
            if first > 0 and d < len(off):
                runs.append(d - first)
        else:
            d += 1
    return min(runs)


def longest_work_run(row: pd.Series) -> int:
    best = run = 0
    for code in row:
        run = run + 1 if code not in ("OFF", "LEAVE") else 0
        best = max(best, run)
    return best


def test_roster_command_with_contracts_in_the_rules_and_the_staff_file(tmp_path, month):
    staff = with_contracts(month.staff, 10, 10)
    paths = write_inputs(dataclasses.replace(month, staff=staff), RULES, tmp_path / "in")
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--seed", "1",
            "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv", keep_default_na=False)
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    g = grid(roster)
    assert all(short_runs_off(g.loc[e]) == [] for e in staff["employee_id"][:10])
    assert all(weekends_worked(g.loc[e]) <= 2 for e in staff["employee_id"][10:20])
    assert not [v for v in roster_violations(roster, staff, RULES, month.leave, month.ads)
                if not v.startswith("leader on every shift")]


def test_a_roster_job_with_contracts(tmp_path):
    from api import testing
    from api.roster_document import roster_shifts
    from api.worker import job_runner
    from core.periods import month_intervals

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    rules_id = client.post("/api/v1/datasets/rules", data=rules_to_toml(RULES).encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    lines = testing.staff_csv(agents=16, leaders=4).decode().splitlines()
    contracts = [""] * 4 + ["full_time"] * 6 + ["part_time"] * 6 + ["wednesdays"] * 4
    csv = "\n".join([lines[0] + ",contract"] + [f"{line},{c}" for line, c in zip(lines[1:], contracts)]) + "\n"
    staff = client.post("/api/v1/datasets/staff", data=csv.encode(), query_string={"rules_id": rules_id},
                        headers={**sup, "Content-Type": "text/csv"})
    assert staff.status_code == 201, staff.json
    index = month_intervals("2026-12")
    minutes = index.hour * 60 + index.minute
    requirement = pd.DataFrame({"scheduled": np.where((minutes >= 600) & (minutes < 960), 8, 4)}, index=index)
    staffing_id = testing.store_staffing(url, requirement, "2026-12")
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff.json["id"],
                                             "rules_id": rules_id, "time_limit_s": 3}, headers=sup)
    assert r.status_code == 202
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    doc = client.get(job["result_url"], headers=sup).json
    days = pd.DatetimeIndex(pd.to_datetime(pd.Series(doc["days"])))
    people = {p["employee_id"]: pd.Series(roster_shifts(doc, p), index=days) for p in doc["employees"]}
    assert all(short_runs_off(people[f"A{i:03d}"]) == [] for i in range(6))
    assert all(weekends_worked(people[f"A{i:03d}"]) <= 2 for i in range(6, 12))
    assert all(people[f"A{i:03d}"][days.day_of_week == 2].isin(["OFF", "LEAVE"]).all() for i in range(12, 16))



def test_re_planning_from_a_day_is_refused_with_a_weekend_cap(month):
    from scheduler.roster_replan import replan_from

    staff = with_contracts(month.staff, 0, 2)
    with pytest.raises(DataError, match=r"contracts that bound the weekends worked or the paid minutes \(part_time\)"):
        replan_from(month.requirement, staff, RULES, previous=pd.DataFrame(), from_day="2026-12-10")


def test_paid_minutes_of_a_contract_bound_its_people_and_free_their_weekly_rest_days(month):
    """A part-time contract of 60 to 100 paid hours over the four weeks, beside the global two rest days a week:
    its people rest more days than the week asks, and the checker sees who the roster without it pays more."""
    part = Contract("hours", min_minutes=60 * 60, max_minutes=100 * 60)
    rules = dataclasses.replace(RULES, contracts=(*RULES.contracts, part))
    staff = month.staff.assign(contract=[""] * 3 + ["hours"] * 10 + [""] * 17)
    free = solve(month.requirement, month.staff, rules, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    kept = solve(month.requirement, staff, rules, leave=month.leave, ads=month.ads, time_limit_s=3, seed=0)
    assert {c.rule for c in kept.conflicts} <= {"leader on every shift"}
    # the shifts (8 and 7 paid hours) have lunches: the cap holds at the longest shift, and the roster says so
    [note] = [n for n in kept.notes if n.startswith("paid-hour cap")]
    assert "may work at most 12 days" in note and "14 days of their shortest (7 h)" in note
    paid = kept.employees.set_index("employee_id")["paid_hours"]
    hours = list(staff["employee_id"][3:13])
    assert paid[hours].between(60, 100).all()
    assert (kept.employees.set_index("employee_id")["rest_days"][hours] > 8).all()
    assert not [v for v in roster_violations(kept.assignments, staff, rules, month.leave, month.ads)
                if not v.startswith("leader on every shift")]
    before = free.employees.set_index("employee_id")["paid_hours"]
    over = [e for e in hours if before[e] > 100]
    broken = [v for v in roster_violations(free.assignments, staff, rules, month.leave, month.ads)
              if v.startswith("paid-hour cap")]
    assert len(broken) == len(over) > 0 and f"paid-hour cap: {over[0]} has {before[over[0]]:g} paid hours, cap 100" \
        in broken
