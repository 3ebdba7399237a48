"""The shift-succession rule (no early shift right after a late one): from rules.toml through
`shiftcast roster` to the independent checker; its contradictions named in the rules file."""
from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.roster import write_inputs
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, load_rules, rules_from_dict
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from scheduler.rules.shift_succession import forbidden_pairs
from shiftcast.inputs import Inputs
from shiftcast.steps import roster_step

NO_EARLY_AFTER_LATE = dataclasses.replace(DEFAULT_RULES, shifts=(
    DEFAULT_RULES.shifts[0], dataclasses.replace(DEFAULT_RULES.shifts[1], not_followed_by=("E",))))


def late_then_early(roster: pd.DataFrame) -> list[tuple[str, str]]:
    """(employee, day) of every early shift worked the day after a late one."""
    grid = roster.pivot(index="employee_id", columns="date", values="shift")
    days = list(grid.columns)
    return [(e, b) for e in grid.index for a, b in zip(days, days[1:]) if grid.at[e, a] == "L" and grid.at[e, b] == "E"]


def roster_of(rules, tmp_path, name: str) -> tuple[pd.DataFrame, object]:
    month = synthetic_month(30, days=14, seed=2, rules=rules)
    paths = write_inputs(month, rules, tmp_path / name)
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--time-limit", "2", "--seed", "3",
            "--out", tmp_path / name / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / name / "out" / "roster.csv", keep_default_na=False)
    roster["lunch_start"] = roster["lunch_start"].replace("", None)
    return roster, month


def test_no_early_shift_right_after_a_late_one(tmp_path):
    free, _ = roster_of(DEFAULT_RULES, tmp_path, "free")
    assert late_then_early(free), "without the rule the roster has late-then-early pairs to forbid"
    assert not any(v.startswith("shift succession") for v in roster_violations(free, synthetic_month(30, 14, 2).staff,
                                                                             DEFAULT_RULES))
    kept, month = roster_of(NO_EARLY_AFTER_LATE, tmp_path, "kept")
    assert late_then_early(kept) == []
    assert roster_violations(kept, month.staff, NO_EARLY_AFTER_LATE, month.leave, month.ads) == []
    # the checker, independent of the solve, sees the pairs of the roster made without the rule
    broken = roster_violations(free, month.staff, NO_EARLY_AFTER_LATE, month.leave, month.ads)
    pairs = late_then_early(free)
    assert len([v for v in broken if v.startswith("shift succession")]) == len(pairs)
    emp, day = pairs[0]
    assert f"shift succession: {emp} works E on {day} right after L on " in "\n".join(broken)


def test_minimum_rest_hours_forbid_the_same_succession(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("min_rest_hours_between_shifts = 15\n", encoding="utf-8")  # late ends 18:00, early starts 08:00
    assert forbidden_pairs(load_rules(path)) == forbidden_pairs(NO_EARLY_AFTER_LATE) == [(1, 0)]
    path.write_text("min_rest_hours_between_shifts = 14\n", encoding="utf-8")
    assert forbidden_pairs(load_rules(path)) == []


@pytest.mark.parametrize("raw, message", [
    ({"shifts": [{"code": "E", "start": "08:00", "end": "17:00"},
                 {"code": "L", "start": "10:00", "end": "18:00", "not_followed_by": ["X"]}]},
     "shift 'L': not_followed_by names 'X', which is not a shift (shifts: E, L)"),
    ({"shifts": [{"code": "E", "start": "08:00", "end": "17:00", "not_followed_by": "L"}]},
     "shifts[1].not_followed_by must be a list of shift codes"),
    ({"min_rest_hours_between_shifts": 30}, "min_rest_hours_between_shifts must be ≥ 0 and ≤ 24, got 30"),
])
def test_contradictions_are_named(raw, message):
    with pytest.raises(DataError, match=re.escape(message)):
        rules_from_dict(raw, "rules.toml")


def test_through_the_api_a_roster_job_keeps_the_succession_and_bad_rules_are_named(tmp_path):
    from api import roster_document as documents, testing
    from api.worker import job_runner
    from core.periods import month_intervals
    from core.rules import rules_to_toml

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    bad = client.post("/api/v1/datasets/rules", headers={**sup, "Content-Type": "application/toml"},
                      data=rules_to_toml(NO_EARLY_AFTER_LATE).replace('not_followed_by = ["E"]',
                                                                      'not_followed_by = ["X"]').encode())
    assert bad.status_code == 422 and "not_followed_by names 'X', which is not a shift" in bad.get_data(as_text=True)
    rules_id = client.post("/api/v1/datasets/rules", data=rules_to_toml(NO_EARLY_AFTER_LATE).encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    staff = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=16, leaders=4),
                        query_string={"rules_id": rules_id}, headers={**sup, "Content-Type": "text/csv"}).json
    index = month_intervals("2026-12")
    minutes = index.hour * 60 + index.minute
    # the late shift's hours need more people: without the rule, lates would be followed by earlies
    requirement = pd.DataFrame({"scheduled": [8 if m >= 17 * 60 else 5 for m in minutes]}, index=index)
    staffing_id = testing.store_staffing(url, requirement, "2026-12")
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff["id"], "rules_id": rules_id,
                                             "time_limit_s": 3}, headers=sup)
    assert r.status_code == 202
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    doc = client.get(job["result_url"], headers=sup).json
    days = doc["days"]
    pairs = []
    for person in doc["employees"]:
        row = documents.roster_shifts(doc, person)
        pairs += [(person["employee_id"], days[k + 1]) for k in range(len(row) - 1) if row[k:k + 2] == ["L", "E"]]
    assert sum(documents.roster_shifts(doc, person).count("L") for person in doc["employees"]) > 0
    # the rest days come first: four leaders for two shifts a day are split again exactly where the swaps
    # cannot keep the rule
    assert pairs == []
    assert [c for c in doc["conflicts"] if c["rule"] == "shift succession"] == []


def test_the_first_day_replanned_follows_the_day_kept_before_it():
    """Re-planning from a day: the day before is kept, and the first day re-planned may not follow it with a
    shift the rule forbids (nor, alike, a month's first day its previous month's last)."""
    month = synthetic_month(24, days=31, seed=3)
    inputs = Inputs(rules=DEFAULT_RULES, staff=month.staff, leave=month.leave, plan=month.ads)
    free = roster_step(inputs, month.requirement, time_limit_s=3.0, seed=0)
    day = "2026-12-14"
    iso = free.assignments.assign(date=pd.to_datetime(free.assignments["date"]).dt.strftime("%Y-%m-%d"))
    assert [d for _, d in late_then_early(iso) if d == day], "the roster re-planned has late-then-early at the day"
    strict = dataclasses.replace(inputs, rules=NO_EARLY_AFTER_LATE)
    replanned = roster_step(strict, month.requirement, time_limit_s=2.0, seed=0, previous=free.assignments,
                            from_day=day)
    a = replanned.assignments.assign(date=pd.to_datetime(replanned.assignments["date"]).dt.strftime("%Y-%m-%d"))
    named = {(e, c.date) for c in replanned.conflicts if c.rule == "shift succession" for e in c.employees}
    assert {p for p in late_then_early(a) if p[1] >= day} <= named
    assert not [p for p in late_then_early(a) if p[1] == day]
