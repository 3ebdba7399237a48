"""Wishes: a rest day wished or refused, a shift wished or refused, each with an optional weight; every
wish not granted listed with what made it lose, through the loaders, the roster step, the CLI's summary and
the API's roster document."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from api.roster_document import roster_document, stored_roster
from core import times
from core.errors import DataError
from core.rules import DEFAULT_RULES
from scheduler import roster_search
from scheduler.data import load_leave, load_staff
from scheduler.roster import solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_synthetic import synthetic_month
from scheduler.wish_outcomes import wish_outcomes
from shiftcast.pipeline import requests_lines
from shiftcast.steps import roster_step
from shiftcast.inputs import Inputs, summary_lines

BUSY = "2026-12-03"  # nearly everyone asks this day off: coverage cannot spare them all
WEEK = [f"2026-12-{d:02d}" for d in range(1, 8)]
STAFF = "employee_id,name,role,group,team,shifts\nA1,Li,agent,G1,T1,E;L\nA2,Wang,agent,G1,T1,E\n"


def _leave_file(tmp_path, content: str):
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    path = tmp_path / "wishes.csv"
    path.write_text(content, encoding="utf-8")
    return load_leave(path, load_staff(staff))


def test_wish_kinds_and_weights_load(tmp_path):
    leave = _leave_file(tmp_path, "employee_id,date,kind,shift,weight\nA1,2026-12-01,work_request,,\n"
                                  "A1,2026-12-02,shift_refusal,L,12\nA2,2026-12-02,rest_request,,40\n"
                                  "A2,2026-12-03,leave,,\n")
    assert leave["kind"].tolist() == ["work_request", "shift_refusal", "rest_request", "leave"]
    assert pd.isna(leave["shift"].iloc[0]) and leave["shift"].iloc[1] == "L"
    assert [None if pd.isna(w) else int(w) for w in leave["weight"]] == [None, 12, 40, None]


@pytest.mark.parametrize("content, row, column, words", [
    ("employee_id,date,kind,shift,weight\nA1,2026-12-01,rest_request,,0\n", 2, "weight", "whole number ≥ 1"),
    ("employee_id,date,kind,shift,weight\nA1,2026-12-01,rest_request,,2.5\n", 2, "weight", "whole number ≥ 1"),
    ("employee_id,date,kind,shift,weight\nA1,2026-12-01,rest_request,,\nA2,2026-12-01,leave,,9\n", 3, "weight",
     "empty cell for leave"),
    ("employee_id,date,kind\nA1,2026-12-01,shift_refusal\n", 2, "shift", "shift_refusal needs a 'shift' column"),
    ("employee_id,date,kind,shift\nA1,2026-12-01,shift_refusal,X\n", 2, "shift", "shift code from the rules"),
    ("employee_id,date,kind,shift\nA1,2026-12-01,leave,\nA2,2026-12-01,work_request,L\n", 3, "shift",
     "make the row a shift_request"),
])
def test_a_bad_wish_names_the_row_and_column(tmp_path, content, row, column, words):
    with pytest.raises(DataError) as err:
        _leave_file(tmp_path, content)
    assert (err.value.file, err.value.row, err.value.column) == ("wishes.csv", row, column)
    assert words in str(err.value)


def _month():
    """A week of 20 people: all but three ask BUSY off, the first of them with a weight far above the coverage
    it costs; one asks to work every day of the week (one rest day a week is a rule); one refuses the late
    shift every day."""
    month = synthetic_month(20, days=7, seed=2)
    ids = list(month.staff["employee_id"])
    heavy, worker, no_late = ids[0], ids[-1], ids[-2]
    rows = [(e, BUSY, "rest_request", None, 1000 if e == heavy else pd.NA) for e in ids[:-3]]
    rows += [(worker, day, "work_request", None, pd.NA) for day in WEEK]
    rows += [(no_late, day, "shift_refusal", "L", pd.NA) for day in WEEK]
    leave = pd.DataFrame(rows, columns=["employee_id", "date", "kind", "shift", "weight"])
    leave["date"] = pd.to_datetime(leave["date"]).astype(f"datetime64[{times.UNIT}]")
    leave["weight"] = leave["weight"].astype("Int64")
    staff = month.staff.copy()
    staff.loc[staff["employee_id"] == no_late, "shifts"] = pd.Series([("E", "L")] * len(staff), index=staff.index)
    return dataclasses.replace(month, staff=staff, leave=leave), ids


@pytest.fixture(scope="module")
def solved():
    month, ids = _month()
    inputs = Inputs(rules=DEFAULT_RULES, staff=month.staff, leave=month.leave, plan=month.ads)
    roster = roster_step(inputs, month.requirement, time_limit_s=3.0, seed=0)
    return month, ids, inputs, roster


def _missed(roster, leave) -> set[tuple[str, str, str]]:
    """(employee, day, kind) of each wish the roster's assignments do not keep, read from the table alone."""
    a = roster.assignments
    got = {(e, d.date().isoformat()): s for e, d, s in zip(a["employee_id"], a["date"], a["shift"])}
    out = set()
    for e, d, kind, shift in zip(leave["employee_id"], leave["date"], leave["kind"], leave["shift"]):
        s = got[(e, d.date().isoformat())]
        kept = {"rest_request": s == "OFF", "work_request": s != "OFF", "shift_request": s == shift,
                "shift_refusal": s != shift}[kind]
        if not kept:
            out.add((e, d.date().isoformat(), kind))
    return out


def test_the_inputs_summary_counts_the_wishes_refused(solved):
    _, _, inputs, _ = solved
    line = next(x for x in summary_lines(inputs) if x.startswith("leave "))
    assert "17 rest requests, 0 shift requests, 7 work requests, 7 shift refusals" in line


def test_every_wish_not_granted_is_listed_with_what_made_it_lose(solved):
    month, ids, _, roster = solved
    missed = _missed(roster, month.leave)
    assert {(c.employees[0], c.date, c.kind) for c in roster.refused_requests} == missed
    assert roster.requests_made == {"rest_request": 17, "work_request": 7, "shift_request": 0, "shift_refusal": 7}
    for c in roster.refused_requests:
        assert c.reason and c.reason in c.message
        assert "would break the rule of" in c.reason or "in the objective" in c.reason, c.reason
    # rest days are rules: asking to work the whole week loses on one day at least, to a rule
    worker = [c for c in roster.refused_requests if c.kind == "work_request"]
    assert worker and all(c.employees == (ids[-1],) and c.asked == "work" for c in worker)
    assert any("would break the rule of" in c.reason for c in worker)
    # soft goals, not conflicts
    assert not {c.rule for c in roster.conflicts} & {"refused rest days", "refused shifts", "requested rest days"}


def test_a_wish_weighted_above_its_cost_is_granted_and_refusals_mostly_hold(solved):
    month, ids, _, roster = solved
    missed = _missed(roster, month.leave)
    assert (ids[0], BUSY, "rest_request") not in missed
    rest_missed = [m for m in missed if m[2] == "rest_request"]
    assert rest_missed, "the test month must be one where coverage refuses some rest wishes"
    refusals = [m for m in missed if m[2] == "shift_refusal"]
    assert len(refusals) <= 2
    assert roster.kpis.objective_parts["shift_refusals"] == DEFAULT_RULES.weights.shift_refusal * len(refusals)
    assert roster.kpis.objective_parts["rest_requests"] == DEFAULT_RULES.weights.rest_request * len(rest_missed)


def test_the_summary_and_the_roster_document_carry_every_kind(solved):
    month, _, inputs, roster = solved
    lines = requests_lines(roster)
    work = next(x for x in lines if x.startswith("work requests (rest refused): "))
    made = 7
    refused = [c for c in roster.refused_requests if c.kind == "work_request"]
    assert work.startswith(f"work requests (rest refused): {made - len(refused)} of {made} granted")
    assert any(x.startswith("shift refusals: ") for x in lines)
    doc = roster_document(roster, "2026-12", inputs.staff, inputs.rules)
    assert doc["requests_made"]["work_request"] == 7
    assert {c["kind"] for c in doc["refused_requests"]} == {c.kind for c in roster.refused_requests}
    back = stored_roster(doc)
    assert [c.to_dict() for c in back.refused_requests] == [c.to_dict() for c in roster.refused_requests]


def test_each_wish_has_its_outcome_for_a_request_service(solved):
    month, _, _, roster = solved
    outcomes = wish_outcomes(month.leave, roster)
    assert len(outcomes) == sum(roster.requests_made.values())
    missed = _missed(roster, month.leave)
    assert {(o.employee_id, o.date, o.kind) for o in outcomes if not o.granted} == missed
    reasons = {(c.employees[0], c.date, c.kind): c.reason for c in roster.refused_requests}
    for o in outcomes:
        assert o.reason == reasons.get((o.employee_id, o.date, o.kind), "")
        assert o.asked == {"rest_request": "rest", "work_request": "work", "shift_refusal": "not L"}[o.kind]


# --- the pass after the search: single moves that grant wishes (scheduler.roster_search.wishes_moved) -----------

# A week of 16 people, seven of whom wish one rest day each. The search gives A0009 the rest day of Dec 1 and
# A0005 that of Dec 6, A0009's wish: the day-level counts hold either way, and its tie-breaks chose so.
PASS_WISHES = [("A0004", "2026-12-01"), ("A0006", "2026-12-03"), ("A0009", "2026-12-06"), ("A0010", "2026-12-03"),
               ("A0011", "2026-12-07"), ("A0012", "2026-12-04"), ("A0013", "2026-12-04")]


def _pass_month(wishes, weight=None):
    month = synthetic_month(16, days=7, seed=7)
    leave = pd.DataFrame([(e, day, "rest_request", None, weight) for e, day in wishes],
                         columns=["employee_id", "date", "kind", "shift", "weight"])
    leave["date"] = pd.to_datetime(leave["date"]).astype(f"datetime64[{times.UNIT}]")
    leave["weight"] = leave["weight"].astype("Int64")
    return month, leave


def _solve_week(month, leave, **kw):
    return solve(month.requirement, month.staff, DEFAULT_RULES, leave=leave, ads=month.ads, time_limit_s=2.0, seed=0,
                 **kw)


def _codes(roster) -> dict[tuple[str, str], str]:
    a = roster.assignments
    return {(e, d.date().isoformat()): s for e, d, s in zip(a["employee_id"], a["date"], a["shift"])}


def test_a_rest_wish_the_search_missed_is_granted_by_a_swap_with_a_colleague(monkeypatch):
    month, leave = _pass_month(PASS_WISHES)
    with monkeypatch.context() as m:
        m.setattr(roster_search, "wishes_moved", lambda best, *args, **kwargs: best)
        without = _solve_week(month, leave)
    roster = _solve_week(month, leave)
    assert [(c.employees[0], c.date) for c in without.refused_requests] == [("A0009", "2026-12-06")]
    assert "resting then instead of on 2026-12-01" in without.refused_requests[0].reason
    assert roster.refused_requests == []
    assert all(o.granted for o in wish_outcomes(leave, roster))
    # A0009 and A0005 (same shifts, same class) trade their rest days of the week and each other's shift and
    # lunch: every day's counts stay, so the coverage does, and the objective falls by the wish's weight
    before, after = _codes(without), _codes(roster)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {("A0009", "2026-12-01"), ("A0009", "2026-12-06"), ("A0005", "2026-12-01"),
                       ("A0005", "2026-12-06")}
    assert after["A0009", "2026-12-06"] == "OFF" and after["A0005", "2026-12-01"] == "OFF"
    assert after["A0009", "2026-12-01"] == before["A0005", "2026-12-01"]
    assert after["A0005", "2026-12-06"] == before["A0009", "2026-12-06"]
    assert roster.objective == without.objective - DEFAULT_RULES.weights.rest_request
    assert (roster.coverage["staffed"] == without.coverage["staffed"]).all()
    # the week is short of leaders (two shifts without one): the swap breaks nothing more
    assert roster_violations(roster.assignments, month.staff, DEFAULT_RULES, leave, month.ads) == \
        roster_violations(without.assignments, month.staff, DEFAULT_RULES, leave, month.ads)


def test_a_move_that_would_break_a_hard_rule_is_not_taken():
    """A0003 worked the last six days of November, so rests on Dec 1 (at most six days in a row); their wish to
    rest on Dec 3 instead, weighted far above any coverage the move costs, is not granted."""
    month, leave = _pass_month([("A0003", "2026-12-03")], weight=100_000)
    november = pd.DataFrame({"employee_id": "A0003", "date": pd.date_range("2026-11-24", "2026-11-30"),
                             "shift": ["OFF"] + ["E"] * 6})
    roster = _solve_week(month, leave, previous_month=november)
    codes = _codes(roster)
    assert codes["A0003", "2026-12-01"] == "OFF" and codes["A0003", "2026-12-03"] != "OFF"
    [lost] = roster.refused_requests
    assert "would break the rule of maximum consecutive work days" in lost.reason
    assert roster.kpis.objective_parts["rest_requests"] == 100_000
    kept = roster_violations(roster.assignments, month.staff, DEFAULT_RULES, leave, month.ads, previous_month=november)
    assert not any("A0003" in v for v in kept), kept
    # the move itself: the independent check finds the rule broken
    moved = roster.assignments.copy()
    mine = moved["employee_id"] == "A0003"
    day = moved["date"].dt.strftime("%Y-%m-%d")
    moved.loc[mine & (day == "2026-12-01"), ["shift", "lunch_start"]] = \
        moved.loc[mine & (day == "2026-12-03"), ["shift", "lunch_start"]].to_numpy()
    moved.loc[mine & (day == "2026-12-03"), ["shift", "lunch_start"]] = ["OFF", None]
    broken = roster_violations(moved, month.staff, DEFAULT_RULES, leave, month.ads, previous_month=november)
    assert any(v.startswith("max consecutive work days: A0003 works more than 6 days in a row up to 2026-12-01")
               for v in broken), broken
