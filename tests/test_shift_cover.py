"""The shift-cover rule (people wanted per shift and day, with weights for under and over): from rules.toml
through the roster solve, `shiftcast roster` and the API's roster job to the independent checker."""
from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import scheduler.rules
from benchmarks.roster import write_inputs
from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, ShiftCover, rules_from_dict, rules_from_toml, rules_to_toml
from scheduler.data import load_shift_cover
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from scheduler.rules import shift_cover
from shiftcast.exports.workbook import roster_workbook
from shiftcast.inputs import Inputs
from shiftcast.steps import roster_step

# Everyone works six days of seven: about 25 of these 30 people a day, when the cover below wants 24.
COVER = dataclasses.replace(DEFAULT_RULES, shift_cover=(ShiftCover("E", (14,) * 7), ShiftCover("L", (10,) * 7)))


def quiet_month(rules=DEFAULT_RULES):
    """A 14-day month of 30 people whose per-interval requirement is zero: only the shift cover asks for anyone."""
    month = synthetic_month(30, days=14, seed=2, rules=rules)
    month.requirement["scheduled"] = 0
    return month


def counts(roster: pd.DataFrame, code: str) -> pd.Series:
    """People on shift `code` per day."""
    return (roster["shift"] == code).groupby(pd.to_datetime(roster["date"])).sum()


def solved(month, rules):
    inputs = Inputs(rules=rules, staff=month.staff, leave=month.leave, plan=month.ads)
    return roster_step(inputs, month.requirement, time_limit_s=3.0, seed=1)


def test_shift_cover_reads_from_rules_toml_with_its_defaults():
    rules = rules_from_toml(b"[shift_cover.E]\nwanted = [12, 12, 12, 12, 12, 6, 6]\n"
                            b"[shift_cover.L]\nwanted = 5\nunder_weight = 40\nover_weight = 0\n")
    assert rules.shift_cover == (ShiftCover("E", (12, 12, 12, 12, 12, 6, 6), 100, 1), ShiftCover("L", (5,) * 7, 40, 0))
    assert rules_from_toml(rules_to_toml(rules).encode()) == rules
    assert DEFAULT_RULES.shift_cover == ()


@pytest.mark.parametrize("raw, message", [
    ({"shift_cover": {"X": {"wanted": 3}}}, "[shift_cover.X] names 'X', which is not a shift (shifts: E, L)"),
    ({"shift_cover": {"E": {"wanted": -1}}}, "shift_cover.E.wanted must be ≥ 0, got -1"),
    ({"shift_cover": {"E": {"wanted": [1, 2, 3]}}}, "shift_cover.E.wanted must list 7 numbers, Monday to Sunday, got 3"),
    ({"shift_cover": {"E": {"wanted": [1, 2, 3, 4, 5, 6, 7.5]}}}, "shift_cover.E.wanted must be a whole number, got 7.5"),
    ({"shift_cover": {"E": {"wanted": "12"}}}, "shift_cover.E.wanted must be a whole number, got '12'"),
    ({"shift_cover": {"E": {"wanted": 3, "under_weight": -5}}}, "shift_cover.E.under_weight must be ≥ 0, got -5"),
    ({"shift_cover": {"E": {"wanted": 3, "over_weight": True}}}, "shift_cover.E.over_weight must be a whole number"),
    ({"shift_cover": {"E": {"under_weight": 5}}}, "[shift_cover.E] needs 'wanted'"),
    ({"shift_cover": {"E": {"wanted": 3, "min": 2}}}, "unknown key 'min' in [shift_cover.E]"),
    ({"shift_cover": {"E": 3}}, "[shift_cover.E] must be a table"),
])
def test_a_wrong_shift_cover_is_refused_in_words(raw, message):
    with pytest.raises(DataError, match=re.escape(message)) as caught:
        rules_from_dict(raw, "rules.toml")
    assert "rules.toml" in str(caught.value)


@pytest.mark.parametrize("body, message", [
    ("2026-12-05,X,4\n", "row 2, column 'shift': expected a shift code from the rules (E, L), got 'X'"),
    ("2026-12-05,E,-1\n", "row 2, column 'wanted': expected a whole number ≥ 0, got '-1'"),
    ("2026-12-05,E,2.5\n", "row 2, column 'wanted': expected a whole number ≥ 0, got '2.5'"),
    ("2026-12-05,E,4\n2026-12-06,E,\n", "row 3, column 'wanted': expected a whole number ≥ 0, got an empty cell"),
    ("2026-12-05,E,4\n2026-12-05,E,6\n", "row 3, column 'date': duplicate shift cover for the same shift on date"),
    ("5 Dec,E,4\n", "row 2, column 'date'"),
])
def test_a_wrong_dated_shift_cover_is_refused_naming_its_row(tmp_path, body, message):
    path = tmp_path / "shift_cover.csv"
    path.write_text("date,shift,wanted\n" + body, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_shift_cover(path, DEFAULT_RULES)
    assert "shift_cover.csv" in str(caught.value) and message in str(caught.value), str(caught.value)


def test_the_shift_cover_alone_decides_who_works_which_shift():
    month = quiet_month()
    free = solved(month, DEFAULT_RULES)
    assert free.kpis.objective_parts["shift_cover"] == 0
    roster = solved(month, COVER)
    early, late = counts(roster.assignments, "E"), counts(roster.assignments, "L")
    assert (early >= 14).all() and (late >= 10).all(), (early.tolist(), late.tolist())
    assert roster.conflicts == [] and roster.status != "RELAXED"
    # what the roster's objective counts for the rule is what its counts cost: 1 per person beyond
    beyond = int((early - 14).sum() + (late - 10).sum())
    assert roster.kpis.objective_parts["shift_cover"] == beyond
    assert roster_violations(roster.assignments, month.staff, COVER, month.leave, month.ads) == []
    # the independent check sees a day a hand-made change left short
    day = early.index[3]
    broken = roster.assignments.copy()
    rows = broken.index[(pd.to_datetime(broken["date"]) == day) & (broken["shift"] == "E")][: int(early[day]) - 11]
    broken.loc[rows, ["shift", "lunch_start"]] = ["OFF", None]
    said = roster_violations(broken, month.staff, COVER, month.leave, month.ads)
    assert f"shift cover: 11 on shift E on {day.date()}, 14 wanted (3 short)" in said


def test_a_shortfall_the_staff_cannot_fill_is_said_in_words():
    rules = dataclasses.replace(DEFAULT_RULES, shift_cover=(ShiftCover("E", (40, 0, 0, 0, 0, 0, 0)),))
    month = quiet_month()
    roster = solved(month, rules)
    early = counts(roster.assignments, "E")
    monday = [day for day in early.index if day.weekday() == 0]
    said = [c.message for c in roster.conflicts if c.rule == "shift cover"]
    assert said == [f"{day.date()} early shift E: {early[day]} rostered, 40 wanted ({40 - early[day]} short)"
                    for day in monday]
    # short of a soft goal: listed, but no hard rule gave way
    assert roster.status != "RELAXED"
    short = sum(40 - int(early[day]) for day in monday)
    beyond = int(early.drop(monday).sum())
    assert roster.kpis.objective_parts["shift_cover"] == 100 * short + beyond
    assert roster.objective == sum(roster.kpis.objective_parts.values())
    checked = [v for v in roster_violations(roster.assignments, month.staff, rules, month.leave, month.ads)
               if v.startswith("shift cover")]
    assert checked == [f"shift cover: {early[day]} on shift E on {day.date()}, 40 wanted ({40 - early[day]} short)"
                       for day in monday]
    # the workbook's conflicts sheet: one row per day, the shift counted, the words of each
    sheet = openpyxl.load_workbook(io.BytesIO(roster_workbook(roster, rules, month.staff, lang="en")))["Conflicts"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows() if row[0].value == "Shift cover"]
    assert rows == [["Shift cover", str(day.date()), 1, "shift(s) short of the people wanted", message]
                    for day, message in zip(monday, said)]


def test_shift_cover_through_the_roster_command(tmp_path):
    """The rules' weekly counts, and a dated file whose rows replace the count of their day and shift."""
    rules = dataclasses.replace(DEFAULT_RULES, shift_cover=(ShiftCover("L", (30, 12, 12, 12, 12, 12, 12)),))
    month = quiet_month(rules)
    paths = write_inputs(month, rules, tmp_path)
    # 2026-12-07 is a Monday: its 30 wanted on L become 12; the Wednesday after wants 18 on E
    (tmp_path / "shift_cover.csv").write_text("date,shift,wanted,under_weight\n2026-12-07,L,12,\n"
                                              "2026-12-09,E,18,50\n", encoding="utf-8")
    args = ["roster", "--requirement", paths["requirement"], "--staff", paths["staff"], "--leave", paths["leave"],
            "--rules", paths["rules"], "--ads", paths["ads"], "--shift-cover", tmp_path / "shift_cover.csv",
            "--time-limit", "2", "--seed", "3", "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv")
    late, early = counts(roster, "L"), counts(roster, "E")
    assert all(late[day] >= 12 for day in late.index if day.weekday())
    # 12 on L and 18 on E are more than work that Wednesday: a person short costs 50 on E and 100 on L
    wednesday = pd.Timestamp("2026-12-09")
    assert early[wednesday] < 18 and late[wednesday] == 12
    assert (f"conflict (shift cover): 2026-12-09 early shift E: {early[wednesday]} rostered, 18 wanted "
            f"({18 - early[wednesday]} short)") in result.output
    mondays = [day for day in late.index if day.weekday() == 0]
    assert [str(day.date()) for day in mondays] == ["2026-12-07", "2026-12-14"]
    assert "2026-12-07 late shift L" not in result.output
    day = mondays[1]
    assert (f"conflict (shift cover): {day.date()} late shift L: {late[day]} rostered, 30 wanted "
            f"({30 - late[day]} short)") in result.output
    dated = load_shift_cover(tmp_path / "shift_cover.csv", rules)
    assert roster_violations(roster, month.staff, rules, month.leave, month.ads, shift_cover=dated) == [
        f"shift cover: {early[wednesday]} on shift E on 2026-12-09, 18 wanted ({18 - early[wednesday]} short)",
        f"shift cover: {late[day]} on shift L on {day.date()}, 30 wanted ({30 - late[day]} short)"]
    # a date of another month is refused, naming the file and row
    (tmp_path / "shift_cover.csv").write_text("date,shift,wanted\n2026-12-07,L,12\n2027-01-04,L,3\n",
                                              encoding="utf-8")
    refused = CliRunner().invoke(main, [str(a) for a in args])
    assert refused.exit_code != 0
    assert "shift_cover.csv" in refused.output and "row 3" in refused.output
    assert "2027-01-04 is not in 2026-12, the month planned" in refused.output


def test_a_roster_job_with_shift_cover_in_its_rules(tmp_path):
    from api import testing
    from api.worker import job_runner
    from core.periods import month_intervals

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    rules = dataclasses.replace(DEFAULT_RULES, shift_cover=(ShiftCover("E", (8, 8, 8, 8, 8, 30, 30)),))
    rules_id = client.post("/api/v1/datasets/rules", data=rules_to_toml(rules).encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    staff = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=16, leaders=4),
                        query_string={"rules_id": rules_id}, headers={**sup, "Content-Type": "text/csv"}).json
    index = month_intervals("2026-12")
    staffing_id = testing.store_staffing(url, pd.DataFrame({"scheduled": np.zeros(len(index), int)}, index=index),
                                         "2026-12")
    # the dated shift cover: Saturday 2026-12-05 wants 2 on E, not 30; a bad row is refused naming it
    bad = client.post("/api/v1/datasets/shift_cover", data=b"date,shift,wanted\n2026-12-05,M,2\n",
                      query_string={"rules_id": rules_id, "name": "cover.csv"},
                      headers={**sup, "Content-Type": "text/csv"})
    assert bad.status_code == 422 and "cover.csv" in bad.json["detail"] and "row 2" in bad.json["detail"], bad.json
    dated = client.post("/api/v1/datasets/shift_cover", data=b"date,shift,wanted\n2026-12-05,E,2\n",
                        query_string={"rules_id": rules_id}, headers={**sup, "Content-Type": "text/csv"})
    assert dated.status_code == 201, dated.json
    wrong = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff["id"],
                                                 "shift_cover_id": staff["id"]}, headers=sup)
    assert wrong.status_code == 422 and wrong.json["errors"][0]["pointer"] == "/shift_cover_id"
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff["id"], "rules_id": rules_id,
                                             "shift_cover_id": dated.json["id"], "time_limit_s": 3, "seed": 1},
                    headers=sup)
    assert r.status_code == 202, r.json
    assert job_runner(app).run_pending() == 1
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    doc = client.get(job["result_url"], headers=sup).json
    weekend = [c for c in doc["conflicts"] if c["rule"] == "shift cover"]
    # 20 people cannot put 30 on the early shift: every Saturday and Sunday of December says by how many, but the
    # Saturday the dated cover asks 2 for
    assert [c["date"] for c in weekend] == [d.date().isoformat() for d in pd.date_range("2026-12-01", "2026-12-31")
                                            if d.weekday() >= 5 and d != pd.Timestamp("2026-12-05")]
    assert all(re.fullmatch(r"\S+ early shift E: \d+ rostered, 30 wanted \(\d+ short\)", c["message"]) for c in weekend)
    assert doc["kpis"]["objective_shift_cover"] > 0


def test_without_shift_cover_the_rule_leaves_the_roster_as_it_is(monkeypatch):
    """A seeded default solve with the rule registered and with it taken out: the same roster, objective and bound."""
    month = synthetic_month(30, days=10, seed=9)

    def seeded():
        return solve(month.requirement, month.staff, DEFAULT_RULES, leave=month.leave, ads=month.ads,
                     time_limit_s=2.0, seed=0)

    with_rule = seeded()
    monkeypatch.setattr(scheduler.rules, "ROSTER_RULES",
                        tuple(r for r in scheduler.rules.ROSTER_RULES if r is not shift_cover.RULE))
    without = seeded()
    assert with_rule.kpis.objective_parts.pop("shift_cover") == 0
    assert with_rule.kpis.objective_parts == without.kpis.objective_parts
    assert (with_rule.objective, with_rule.lower_bound) == (without.objective, without.lower_bound)
    pd.testing.assert_frame_equal(with_rule.assignments, without.assignments)


def test_a_mid_month_replan_reads_the_dated_rows_of_the_days_it_plans():
    """Re-planned from 2026-12-08, the dated rows of the days kept are not read again, and a later row still is."""
    month = quiet_month()
    dated = pd.DataFrame({"date": pd.to_datetime(["2026-12-02", "2026-12-10"]), "shift": ["E", "L"],
                          "wanted": [40, 40], "under_weight": pd.array([pd.NA, pd.NA], dtype="Int64"),
                          "over_weight": pd.array([pd.NA, pd.NA], dtype="Int64")})
    inputs = Inputs(rules=DEFAULT_RULES, staff=month.staff, leave=month.leave, plan=month.ads, shift_cover=dated)
    first = roster_step(inputs, month.requirement, time_limit_s=2.0, seed=1)
    assert [c.date for c in first.conflicts] == ["2026-12-02", "2026-12-10"]
    again = roster_step(inputs, month.requirement, time_limit_s=2.0, seed=1, previous=first.assignments,
                        from_day="2026-12-08")
    assert [c.date for c in again.conflicts if c.rule == "shift cover"] == ["2026-12-10"]
