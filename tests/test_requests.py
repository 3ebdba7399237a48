"""Requested rest days and shifts: granted where coverage allows, and every one not granted listed with its
reason apart from the conflicts, through the roster, the CLI, the workbook and the API's roster document."""
from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from api.roster_document import roster_document, stored_roster
from benchmarks.roster import write_inputs
from cli import main
from core import times
from core.rules import DEFAULT_RULES
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from shiftcast.exports.workbook import write_roster_workbook
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.pipeline import roster_summary_lines
from shiftcast.steps import roster_step

BUSY = "2026-12-03"  # everyone asks this day off: coverage cannot spare them all
FREE = "2026-12-06"


def _month():
    """A small month whose only requests are a rest day for everyone on BUSY and one more on FREE."""
    month = synthetic_month(20, days=7, seed=2)
    ids = list(month.staff["employee_id"])
    rows = [(e, BUSY, "rest_request", None) for e in ids if e != ids[-1]] + [(ids[-1], FREE, "rest_request", None)]
    leave = pd.DataFrame(rows, columns=["employee_id", "date", "kind", "shift"])
    leave["date"] = pd.to_datetime(leave["date"]).astype(f"datetime64[{times.UNIT}]")
    return dataclasses.replace(month, leave=leave), ids


def _not_rested(roster, leave) -> set[tuple[str, str]]:
    a = roster.assignments
    rested = {(e, d.date().isoformat()) for e, d, s in zip(a["employee_id"], a["date"], a["shift"]) if s == "OFF"}
    asked = {(e, d.date().isoformat()) for e, d in zip(leave["employee_id"], leave["date"])}
    return asked - rested


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    month, ids = _month()
    paths = write_inputs(month, DEFAULT_RULES, tmp_path_factory.mktemp("in"))
    inputs = load_inputs(InputPaths(staff=paths["staff"], leave=paths["leave"], rules=paths["rules"], plan=paths["ads"]))
    roster = roster_step(inputs, month.requirement, time_limit_s=3.0, seed=0)
    return month, ids, paths, inputs, roster


def test_the_roster_lists_exactly_the_requests_not_granted_with_a_reason(solved):
    month, ids, _, _, roster = solved
    refused = _not_rested(roster, month.leave)
    assert refused and len(refused) < len(month.leave)  # some granted, not all
    assert (ids[-1], FREE) not in refused  # the lone request costs nothing: granted
    got = {(c.employees[0], c.date) for c in roster.refused_requests}
    assert got == refused
    for c in roster.refused_requests:
        assert c.kind == "rest_request" and c.asked == "rest" and c.reason and c.reason in c.message
    # soft goals, not rules that could not hold
    assert not any(c.rule == "requested rest days" for c in roster.conflicts)
    assert roster.kpis.conflicts == len(roster.conflicts)
    assert roster.requests_made == {"rest_request": len(month.leave), "work_request": 0, "shift_request": 0, "shift_refusal": 0}


def test_the_summary_has_its_own_requests_line(solved):
    month, _, _, inputs, roster = solved
    lines = roster_summary_lines(roster, inputs.rules)
    made, refused = len(month.leave), len(roster.refused_requests)
    line = next(x for x in lines if x.startswith("rest requests: "))
    assert line.startswith(f"rest requests: {made - refused} of {made} granted; not granted: ")
    for c in roster.refused_requests:
        assert f"{c.employees[0]} {c.date} ({c.reason})" in line
    assert not any("rules that could not all hold" in x and "requested" in x for x in lines)


def test_the_roster_command_prints_the_requests_not_granted(solved, tmp_path):
    month, _, paths, _, roster = solved
    req = tmp_path / "requirement.csv"
    frame = month.requirement.reset_index()
    frame["interval_start"] = frame["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    frame.to_csv(req, index=False)
    args = ["roster", "--requirement", req, "--staff", paths["staff"], "--leave", paths["leave"], "--rules", paths["rules"],
            "--ads", paths["ads"], "--time-limit", "3", "--seed", "0", "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("rest requests: "))
    made = len(month.leave)
    shown = line.split("; not granted: ")[1]
    assert f"of {made} granted" in line and len(re.findall(r"\b\w+ 2026-12-\d\d \(", shown)) == made - int(line.split()[2])
    assert "conflict (requested" not in result.output


def test_the_workbook_lists_the_requests_not_granted(solved, tmp_path):
    _, _, _, inputs, roster = solved
    path = write_roster_workbook(tmp_path / "roster.xlsx", roster, inputs.rules, inputs.staff, lang="en")
    wb = load_workbook(path)
    ws = next(s for s in wb.worksheets if any(c.value == "Requests not granted" for row in s.iter_rows() for c in row))
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[0] == "Requests not granted")
    assert rows[start + 1][:5] == ["Request", "Date", "Employees", "Asked for", "Reason"]
    listed = {(r[2], r[1]) for r in rows[start + 2:] if r[0]}
    assert listed == {(c.employees[0], c.date) for c in roster.refused_requests}
    facts = {r[0].value: r[1].value for r in wb["KPIs"].iter_rows()}  # the counts with the KPIs
    made = roster.requests_made["rest_request"]
    assert facts["Rest requests"] == made and facts["Rest requests granted"] == made - len(listed)


def test_the_roster_document_lists_them_and_reads_back(solved):
    month, _, _, inputs, roster = solved
    doc = roster_document(roster, "2026-12", inputs.staff, inputs.rules)
    assert doc["requests_made"] == {"rest_request": len(month.leave), "work_request": 0, "shift_request": 0, "shift_refusal": 0}
    assert {(c["employees"][0], c["date"]) for c in doc["refused_requests"]} == _not_rested(roster, month.leave)
    assert all(c["kind"] == "rest_request" and c["reason"] for c in doc["refused_requests"])
    assert not any(c["rule"] == "requested rest days" for c in doc["conflicts"])
    back = stored_roster(doc)
    assert [c.to_dict() for c in back.refused_requests] == [c.to_dict() for c in roster.refused_requests]


@pytest.mark.slow
def test_most_rest_requests_are_granted_on_the_sample_month():
    from shiftcast import steps

    inputs = load_inputs(InputPaths.sample())
    requirement = steps.requirement_step(inputs, steps.forecast_step(inputs, "2026-12").table)
    roster = steps.roster_step(inputs, requirement, time_limit_s=20, seed=0)
    made = roster.requests_made["rest_request"]
    refused = sum(1 for c in roster.refused_requests if c.kind == "rest_request")
    # measured (seeded, 20 s): 6 of 22 granted when the day-level model does not count requests, 15 when it does;
    # 18 with the pass after the search (scheduler.roster_search.wishes_moved) making the single moves the search
    # missed, the four left each breaking the consecutive-day rule (benchmarks.wishes tracks the share)
    assert made == 22 and made - refused >= 18, [c.message for c in roster.refused_requests]
    assert all("would break the rule of" in c.reason for c in roster.refused_requests if c.kind == "rest_request")
    # the moves of the pass keep every hard rule: the independent check finds only the lunches the sample's airings
    # leave no hour clear of (conflicts the roster lists)
    broken = roster_violations(roster.assignments, inputs.staff, inputs.rules, inputs.leave, inputs.plan)
    assert not [v for v in broken if not v.startswith("no lunch during an airing")], broken[:5]
