"""Mid-month changes: a roster re-planned from a day on keeps the days before exactly, moves few people's days
after, and says who changes on which days from what to what (RosterDiff), through the roster step, the CLI
(with changes.csv and the workbook's sheet) and the API's roster job."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from api import testing
from api.worker import job_runner
from benchmarks.roster import write_inputs
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES
from scheduler.roster_diff import roster_diff
from scheduler.roster_synthetic import synthetic_month
from shiftcast.exports.workbook import write_roster_workbook
from shiftcast.inputs import Inputs
from shiftcast.steps import roster_step

FROM = "2026-12-11"
MONTH = "2026-12"


def _leave_of(month, roster, who: int):
    """The month's leave with two more days of leave for the staff's `who`-th person: their first two working
    days after FROM in `roster`."""
    emp = month.staff["employee_id"].iloc[who]
    a = roster.assignments
    days = a[(a["employee_id"] == emp) & (a["date"] > FROM) & (a["shift"] != "OFF")]["date"].iloc[:2]
    extra = pd.DataFrame({"employee_id": emp, "date": days.to_numpy(), "kind": "leave", "shift": None})
    return emp, list(days), pd.concat([month.leave, extra], ignore_index=True)


@pytest.fixture(scope="module")
def replanned():
    month = synthetic_month(24, days=31, seed=3)
    inputs = Inputs(rules=DEFAULT_RULES, staff=month.staff, leave=month.leave, plan=month.ads)
    first = roster_step(inputs, month.requirement, time_limit_s=3.0, seed=0)
    emp, days, leave = _leave_of(month, first, 5)
    changed = dataclasses.replace(inputs, leave=leave)
    second = roster_step(changed, month.requirement, time_limit_s=3.0, seed=0, previous=first.assignments,
                         from_day=FROM)
    return month, changed, first, second, emp, days


def _codes(assignments: pd.DataFrame) -> pd.Series:
    a = assignments.assign(day=pd.to_datetime(assignments["date"]).dt.strftime("%Y-%m-%d"))
    return a.set_index(["employee_id", "day"])["shift"].sort_index()


def test_a_leave_mid_month_changes_few_peoples_days_and_none_before_the_day(replanned):
    month, _, first, second, emp, days = replanned
    before, after = _codes(first.assignments), _codes(second.assignments)
    assert before.index.equals(after.index)  # the whole month, every person
    kept = before.index.get_level_values("day") < FROM
    assert (before[kept] == after[kept]).all()  # the days before kept exactly
    for day in days:
        assert after[(emp, day.strftime("%Y-%m-%d"))] == "LEAVE"
    moved = before[before != after].index
    people = set(moved.get_level_values("employee_id"))
    assert emp in people and len(people) <= 4, people
    # the diff says exactly that, in order and in words
    diff = second.diff
    assert diff.from_day == FROM and set(diff.people) == people
    assert {(c.employee_id, c.date, c.before, c.after) for c in diff.changes} == \
        {(e, d, before[(e, d)], after[(e, d)]) for e, d in moved}
    assert all(c.date >= FROM for c in diff.changes)
    lines = diff.lines()
    who = f"{len(people)} {'person' if len(people) == 1 else 'people'}'s days change"
    assert lines[0] == f"changes: {who} ({len(moved)} day{'s' * (len(moved) > 1)} in all), from {FROM} on"
    assert any(line.strip().startswith(f"{emp}: ") and "→ LEAVE" in line for line in lines[1:])
    assert diff == roster_diff(first.assignments, second.assignments, FROM)


def test_the_re_planned_roster_measures_its_own_days_and_totals_the_month(replanned):
    _, _, first, second, _, _ = replanned
    assert pd.DatetimeIndex(second.coverage.index).normalize().min() == pd.Timestamp(FROM)
    worked = second.assignments[second.assignments["shift"].isin(DEFAULT_RULES.shift_codes)]
    per_person = worked.groupby("employee_id").size()
    totals = second.employees.set_index("employee_id")["shifts_worked"]
    assert (totals.reindex(per_person.index) == per_person).all()
    assert int(second.employees["leave_days"].sum()) == int((second.assignments["shift"] == "LEAVE").sum())


def test_bad_days_and_a_missing_roster_are_refused_in_words(replanned):
    month, inputs, first, _, _, _ = replanned
    with pytest.raises(DataError, match="needs the roster it changes"):
        roster_step(inputs, month.requirement, time_limit_s=1.0, from_day=FROM)
    with pytest.raises(DataError, match="2027-01-05 is not a day of the month planned"):
        roster_step(inputs, month.requirement, time_limit_s=1.0, previous=first.assignments, from_day="2027-01-05")
    holey = first.assignments[first.assignments["date"] != pd.Timestamp("2026-12-04")]
    with pytest.raises(DataError, match="no row for 2026-12-04, a day before 2026-12-11"):
        roster_step(inputs, month.requirement, time_limit_s=1.0, previous=holey, from_day=FROM)
    strangers = first.assignments.assign(employee_id="X" + first.assignments["employee_id"])
    with pytest.raises(DataError, match="none of its 24 people is on the staff: is it another center's roster"):
        roster_step(inputs, month.requirement, time_limit_s=1.0, previous=strangers, from_day=FROM)


def test_the_workbook_has_the_changes_sheet(replanned, tmp_path):
    _, inputs, _, second, _, _ = replanned
    wb = load_workbook(write_roster_workbook(tmp_path / "r.xlsx", second, inputs.rules, inputs.staff, lang="en"))
    ws = wb["Changes"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1][0] == second.diff.summary
    assert rows[3][:5] == ["ID", "Name", "Date", "Before", "After"]
    assert [(r[0], r[2]) for r in rows[4:]] == [(c.employee_id, c.date) for c in second.diff.changes]


def test_the_roster_command_re_plans_from_a_day(replanned, tmp_path):
    month, inputs, first, _, emp, _ = replanned
    paths = write_inputs(dataclasses.replace(month, leave=inputs.leave), DEFAULT_RULES, tmp_path / "in")
    first_csv = tmp_path / "first.csv"
    first.assignments.assign(date=first.assignments["date"].dt.strftime("%Y-%m-%d")).to_csv(first_csv, index=False)
    base = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "3", "--seed", "0"]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(a) for a in base + ["--previous", first_csv, "--from", FROM, "--out", out]])
    assert result.exit_code == 0, result.output
    assert f"re-planned from {FROM}" in result.output
    summary = next(x for x in result.output.splitlines() if x.startswith("changes: "))
    changes = pd.read_csv(out / "changes.csv", dtype=str)
    assert list(changes.columns) == ["employee_id", "date", "before", "after"]
    assert f"({len(changes)} days in all), from {FROM} on" in summary and len(changes) >= 2 and emp in set(changes["employee_id"])
    assert (changes["date"] >= FROM).all()
    written = pd.read_csv(out / "roster.csv", dtype=str)
    assert written["date"].nunique() == 31  # the whole month, the kept days too
    alone = CliRunner().invoke(main, [str(a) for a in base + ["--from", FROM, "--out", out]])
    assert alone.exit_code == 2 and "needs the roster it changes (--previous" in alone.output


@pytest.mark.slow
def test_a_roster_job_re_plans_from_a_day_and_returns_the_diff(replanned, tmp_path):
    month, inputs, first, _, emp, _ = replanned
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}

    def upload(kind: str, frame: pd.DataFrame, **query) -> int:
        r = client.post(f"/api/v1/datasets/{kind}", data=frame.to_csv(index=False, date_format="%Y-%m-%d %H:%M"),
                        query_string=query, headers={**sup, "Content-Type": "text/csv"})
        assert r.status_code == 201, r.json
        return r.json["id"]

    staff_id = upload("staff", testing.staff_table(month.staff))
    previous_id = testing.store_roster(url, first, MONTH, month.staff)
    leave = inputs.leave.assign(date=pd.to_datetime(inputs.leave["date"]).dt.strftime("%Y-%m-%d"))
    body = {"staffing_id": testing.store_staffing(url, month.requirement, MONTH), "staff_id": staff_id,
            "leave_id": upload("leave", leave, staff_id=staff_id), "time_limit_s": 3, "seed": 0}
    refused = client.post("/api/v1/rosters", json={**body, "from_day": FROM}, headers=sup)
    assert refused.status_code == 422 and "previous_roster_id" in str(refused.json)
    r = client.post("/api/v1/rosters", json={**body, "from_day": FROM, "previous_roster_id": previous_id}, headers=sup)
    assert r.status_code == 202, r.json
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job.get("error")
    doc = client.get(job["result_url"], headers=sup).json
    diff = doc["diff"]
    assert diff["from_day"] == FROM and emp in diff["people"] and len(diff["people"]) <= 4
    assert diff["changes"] and all(c["date"] >= FROM for c in diff["changes"])
    first_doc = {e["employee_id"]: e["shifts"] for e in client.get(f"/api/v1/rosters/{previous_id}", headers=sup)
                 .json["employees"]}
    kept = doc["days"].index(FROM)
    assert all(e["shifts"][:kept] == first_doc[e["employee_id"]][:kept] for e in doc["employees"])
