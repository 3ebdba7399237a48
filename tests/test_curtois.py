"""The Curtois–Qu benchmark's reader, objective and checker on a hand-checked week, and its command line."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import curtois
from benchmarks.curtois_qu.instance import read_instance
from benchmarks.curtois_qu.score import OFF, Roster, penalty, read_roster_csv, violations
from benchmarks.curtois_qu.shiftcast_inputs import HORIZON_START, write_inputs
from core.errors import DataError
from scheduler.roster_build import build_problem
from scheduler.roster_lns import _resolved
from scheduler.roster_search import measured_candidate

WEEK = """\
# a hand-checked week: two people, an early and a late shift; no early right after a late
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,480,E

SECTION_STAFF
A,E=7|L=2,2400,960,3,2,2,1
B,E=7|L=0,2400,960,3,1,1,1

SECTION_DAYS_OFF
B,3

SECTION_SHIFT_ON_REQUESTS
A,0,E,2
B,1,E,3

SECTION_SHIFT_OFF_REQUESTS
A,5,E,4

SECTION_COVER
0,E,1,100,1
1,E,2,100,1
2,L,1,50,2
5,E,1,100,1
"""
# A: L E - E E E -   (late then early on days 0-1; a single day off on day 2)
# B: E E - E - - -   (works day 3, a day that must be off)
HAND = "employee,day,shift\nA,0,L\nA,1,E\nA,3,E\nA,4,E\nA,5,E\nB,0,E\nB,1,E\nB,3,E\n"
INSTANCE1 = curtois.DATASETS / "Instance1.txt"


@pytest.fixture
def week(tmp_path: Path) -> Path:
    path = tmp_path / "week.txt"
    path.write_text(WEEK, encoding="utf-8")
    return path


def test_reader_reads_every_section(week):
    inst = read_instance(week)
    assert inst.days == 7 and [s.id for s in inst.shifts] == ["E", "L"]
    assert inst.forbidden_successions() == [(1, 0)]
    a, b = inst.staff
    assert a.max_shifts == {"E": 7, "L": 2} and (a.max_minutes, a.min_minutes) == (2400, 960)
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts, a.min_consecutive_days_off, a.max_weekends) == (3, 2, 2, 1)
    assert b.days_off == {3} and a.days_off == set()
    assert [(q.employee, q.day, q.shift, q.weight) for q in inst.on_requests] == [("A", 0, "E", 2), ("B", 1, "E", 3)]
    assert len(inst.off_requests) == 1 and len(inst.cover) == 4
    assert inst.weekends() == [(5, 6)]


def test_hand_checked_objective_and_violations(week, tmp_path):
    inst = read_instance(week)
    (tmp_path / "hand.csv").write_text(HAND, encoding="utf-8")
    r = read_roster_csv(inst, tmp_path / "hand.csv")
    p = penalty(r)
    # A's on request for E on day 0 is not granted (2); A works E on day 5 against an off request (4);
    # nobody works L on day 2 (1 short × 50); every other cover is met exactly
    assert (p.on_requests, p.off_requests, p.cover_under, p.cover_over, p.total) == (2, 4, 50, 0, 56)
    assert sorted(violations(r)) == [
        "days off: B works E on day 3, a day that must be off",
        "min consecutive days off: A has 1 day(s) off in a row from day 2, at least 2",
        "shift rotation: A works L on day 0 then E on day 1",
    ]


def test_checker_exempts_runs_touching_the_horizon_ends(week):
    inst = read_instance(week)
    e, l = inst.shift_index["E"], inst.shift_index["L"]
    # single working days at either end of the horizon are free; a single one inside is not
    fine = np.array([[e, OFF, OFF, e, e, OFF, OFF], [OFF, OFF, OFF, OFF, e, e, e]])
    assert violations(Roster(inst, fine)) == []
    alone = np.array([[e, OFF, OFF, l, OFF, OFF, e], [e, e, OFF, OFF, e, e, e]])
    assert violations(Roster(inst, alone)) == ["min consecutive shifts: A works 1 day(s) in a row from day 3, at least 2"]


def test_a_weekend_counts_as_worked_when_either_day_is(tmp_path):
    path = tmp_path / "capped.txt"
    path.write_text(WEEK.replace("B,E=7|L=0,2400,960,3,1,1,1", "B,E=7|L=0,2400,960,3,1,1,0"), encoding="utf-8")
    inst = read_instance(path)
    e = inst.shift_index["E"]
    sunday_only = np.array([[e, OFF, OFF, e, e, OFF, OFF], [e, e, OFF, OFF, OFF, OFF, e]])
    assert violations(Roster(inst, sunday_only)) == ["max weekends: B works 1 weekends, at most 0"]


@pytest.mark.parametrize("change, where", [
    (("L,480,E", "L,480,X"), "line 7 (SECTION_SHIFTS): shift L may not be followed by 'X', which is not a shift"),
    (("A,0,E,2", "Z,0,E,2"), "line 17 (SECTION_SHIFT_ON_REQUESTS): unknown employee 'Z'"),
    (("5,E,1,100,1", "7,E,1,100,1"), "line 27 (SECTION_COVER): day 7 is outside the horizon of 7 days"),
    (("B,3", "B,three"), "line 14 (SECTION_DAYS_OFF): the day must be a whole number, got 'three'"),
    (("A,E=7|L=2,2400,960", "A,E=7|L=2,900,960"), "line 10 (SECTION_STAFF): employee A: MinTotalMinutes 960 exceeds"),
    (("SECTION_COVER", "SECTION_CUVER"), "line 23: unknown section 'SECTION_CUVER'"),
])
def test_reader_errors_name_the_file_and_line(tmp_path, change, where):
    path = tmp_path / "bad.txt"
    path.write_text(WEEK.replace(*change), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_instance(path)
    assert str(err.value).startswith(f"{path}: {where}")


def test_roster_csv_errors_name_the_row(week, tmp_path):
    inst = read_instance(week)
    (tmp_path / "r.csv").write_text("employee,day,shift\nA,0,E\nA,0,L\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"r.csv, row 3: A has a second shift on day 0"):
        read_roster_csv(inst, tmp_path / "r.csv")


def test_command_solves_with_the_engine_checks_and_writes_the_roster(week, tmp_path, capsys):
    out = tmp_path / "roster.csv"
    [result] = curtois.main(["--instance", str(week), "--time-limit", "5", "--out", str(out)])
    line = json.loads(capsys.readouterr().out)
    assert line == result and line["instance"] == "week" and line["best_known"] is None
    engine, base = line["shiftcast"], line["baseline_plain_model"]
    written = read_roster_csv(read_instance(week), out)
    assert violations(written) == [] and engine["hard_violations"] == 0 and engine["engine_conflicts"] == 0
    assert engine["objective"] == penalty(written).total
    assert base["status"] == "OPTIMAL" and base["objective"] == base["lower_bound"] and base["hard_violations"] == 0
    # two people over a week: the engine's groups hold everyone, so it reaches the proven optimum too
    assert engine["objective"] == base["objective"]


def test_an_instance_runs_through_the_roster_command(week, tmp_path):
    """The instance's Shiftcast files (a contract per line, leave, wishes, dated shift cover) through
    `shiftcast roster`: the roster it writes keeps every hard constraint of the benchmark."""
    from click.testing import CliRunner

    from cli import main

    inst = read_instance(week)
    files = write_inputs(inst, tmp_path / "in")
    args = ["roster", "--requirement", files.requirement, "--staff", files.staff, "--leave", files.leave,
            "--rules", files.rules, "--shift-cover", files.shift_cover, "--time-limit", "3", "--seed", "0",
            "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(tmp_path / "out" / "roster.csv")
    shift = np.full((2, 7), OFF)
    for emp, day, code in roster[["employee_id", "date", "shift"]].itertuples(index=False):
        if code in inst.shift_index:
            shift[inst.employee_index[emp], (pd.Timestamp(day) - HORIZON_START).days] = inst.shift_index[code]
    assert violations(Roster(inst, shift)) == []
    assert (shift[1] != inst.shift_index["L"]).all()  # B may not work L (L=0 in their line)


def test_command_names_a_bad_instance(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text(WEEK.replace("SECTION_HORIZON\n7", "SECTION_HORIZON\nseven"), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad.txt: line 3 \(SECTION_HORIZON\): the horizon must be a whole number"):
        curtois.main(["--instance", str(path), "--time-limit", "1"])


@pytest.mark.skipif(not INSTANCE1.exists(), reason="../shared/datasets not present")
def test_instance1_with_nobody_working():
    inst = read_instance(INSTANCE1)
    assert (inst.days, len(inst.staff), len(inst.shifts), len(inst.cover)) == (14, 8, 1, 14)
    r = Roster(inst, np.full((8, 14), OFF))
    # 71 people wanted over the fortnight at 100 each; the on requests weigh 4 + 15 + 5 + 4 + 4 + 5
    assert (penalty(r).cover_under, penalty(r).on_requests, penalty(r).total) == (7100, 37, 7137)
    assert violations(r) == [f"min total minutes: {e} works 0 minutes, at least 3360" for e in "ABCDEFGH"]


MIXED = """\
# shifts of 8 and 12 hours: at the longest shift the cap allows 4 days, at the shortest the minimum needs 5
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,720,D

SECTION_STAFF
A,D=7|N=7,2880,2400,5,1,1,2
B,D=7|N=7,2880,2400,5,1,1,2
C,D=7|N=2,2880,2400,5,1,1,2

SECTION_COVER
0,N,2,100,1
1,N,2,100,1
2,D,2,100,1
3,N,1,100,1
4,D,3,100,1
5,N,1,100,1
6,D,1,100,1
"""


def test_paid_minutes_with_shifts_of_different_lengths_are_kept_exactly(tmp_path, capsys):
    """The day bounds at the longest and the shortest shift contradict (4 days at most, 5 at least), so the
    engine counts the minutes: every person's between 2,400 and 2,880, no hard constraint broken."""
    path = tmp_path / "mixed.txt"
    path.write_text(MIXED, encoding="utf-8")
    out = tmp_path / "roster.csv"
    [line] = curtois.main(["--instance", str(path), "--time-limit", "5", "--out", str(out)])
    roster = read_roster_csv(read_instance(path), out)
    assert violations(roster) == [] and line["shiftcast"]["engine_conflicts"] == 0
    minutes = np.array([[480, 720][s] if s != OFF else 0 for s in roster.shift.ravel()]).reshape(3, 7).sum(axis=1)
    assert ((minutes >= 2400) & (minutes <= 2880)).all()
    assert line["shiftcast"]["objective"] == line["baseline_plain_model"]["objective"]


CAPPED = """\
# shifts of 8 and 10 hours under a 57-hour cap: 7 days of D, but only 5 of L
SECTION_HORIZON
14

SECTION_SHIFTS
D,480,
L,600,

SECTION_STAFF
A,D=14|L=14,3420,0,7,1,1,2
B,D=14|L=14,3420,0,7,1,1,2

SECTION_COVER
""" + "".join(f"{d},D,1,100,1\n" for d in range(14))


def capped_problem(tmp_path):
    path = tmp_path / "capped.txt"
    path.write_text(CAPPED, encoding="utf-8")
    i = curtois.engine_inputs(read_instance(path), tmp_path / "in")
    return build_problem(i.requirement, i.staff, i.rules, i.leave, shift_cover=i.shift_cover)


def test_a_minutes_cap_with_shifts_of_different_lengths_allows_the_days_of_the_shortest(tmp_path):
    """57 hours allow 7 days of 8 hours: the two people cover the fortnight's one D a day, within their cap
    (bounding the days at the 10-hour shift would allow 5 each and leave 4 days short)."""
    p = capped_problem(tmp_path)
    assert list(p.max_work_days) == [7, 7] and p.minutes_counted.all()
    path = tmp_path / "capped.txt"
    out = tmp_path / "roster.csv"
    [line] = curtois.main(["--instance", str(path), "--time-limit", "5", "--out", str(out)])
    assert line["shiftcast"]["objective"] == 0 and line["shiftcast"]["hard_violations"] == 0
    assert violations(read_roster_csv(read_instance(path), out)) == []


def test_a_window_of_days_is_re_solved_with_the_other_days_kept(tmp_path):
    p = capped_problem(tmp_path)
    nobody = np.full((p.n_people, p.n_days), -1)
    start = measured_candidate(p, nobody, nobody.copy())
    moved = _resolved(start, [0, 1], 2.0, range(3, 10))
    assert moved is not None and moved.objective < start.objective
    shift = moved.days.shift
    assert (shift[:, :3] == -1).all() and (shift[:, 10:] == -1).all()
    assert ((shift[:, 3:10] == 0).sum(axis=0) == 1).all()  # one D on each day of the window
