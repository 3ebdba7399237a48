"""Attendance: clock records read with precise errors, every day status on a small hand-made roster, the
monthly summary for payroll, and `shiftcast attendance`."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.rules import DEFAULT_RULES, load_rules
from scheduler.clock import load_clock
from scheduler.data import load_leave, load_staff
from scheduler.roster import load_assignments
from shiftcast.inputs import Inputs
from shiftcast.steps import attendance_step

STAFF = """employee_id,name,role,group,team
A1,Wang Fang,agent,1组,1队
A2,Li Na,agent,1组,1队
L1,Zhao Lei,group_leader,1组,1队
"""
ROSTER = """employee_id,date,shift,lunch_start
A1,2026-12-01,E,12:00
A1,2026-12-02,E,12:00
A1,2026-12-03,OFF,
A1,2026-12-04,L,13:00
A2,2026-12-01,L,13:00
A2,2026-12-02,LEAVE,
A2,2026-12-03,E,12:00
A2,2026-12-04,E,12:00
L1,2026-12-01,E,11:00
L1,2026-12-02,L,14:00
L1,2026-12-03,E,11:00
L1,2026-12-04,OFF,
"""
# Leave approved after the roster was made: A2 rostered early on Dec 4 but on leave.
LEAVE = """employee_id,date,kind
A2,2026-12-04,leave
"""
CLOCK = """employee_id,time,kind
A1,2026-12-01 07:58,in
A1,2026-12-01 17:02,out
A1,2026-12-02 08:05,in
A1,2026-12-02 17:20,out
A1,2026-12-03 09:00,in
A1,2026-12-03 15:00,out
A1,2026-12-04 10:12,in
A1,2026-12-04 17:40,out
A2,2026-11-30 08:00,in
A2,2026-12-03 08:06,in
L1,2026-12-01 07:55,out
L1,2026-12-01 08:01,in
L1,2026-12-01 17:00,out
L1,2026-12-01 17:00,out
L1,2026-12-02 18:00,out
L1,2026-12-03 08:00,in
L1,2026-12-03 16:50,out
L1,2026-12-05 08:00,in
L1,2026-12-05 17:00,out
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("staff", STAFF), ("roster", ROSTER), ("leave", LEAVE), ("clock", CLOCK)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def _attendance(files: dict[str, Path], rules=DEFAULT_RULES):
    staff = load_staff(files["staff"], rules)
    leave = load_leave(files["leave"], staff, rules)
    roster = load_assignments(files["roster"], rules)
    clock = load_clock(files["clock"], staff)
    return attendance_step(Inputs(rules=rules, staff=staff, leave=leave), roster, clock, "2026-12")


def _minutes(later: str, earlier: str) -> int:
    return int((pd.Timestamp(later) - pd.Timestamp(earlier)) / pd.Timedelta(minutes=1))


# --- reading clock records --------------------------------------------------------------------------------


@pytest.mark.parametrize("row, column, cells, expected", [
    (3, "employee_id", "Z9,2026-12-01 08:00,in", "an employee id from staff.csv, got 'Z9'"),
    (3, "time", "A1,2026-12-32 08:00,in", "a local date and time"),
    (3, "time", "A1,2026-12-01 08:00+08:00,in", "without a time-zone offset"),
    (3, "kind", "A1,2026-12-01 08:00,lunch", "in or out"),
    (3, "employee_id", ",2026-12-01 08:00,in", "an employee id, got an empty cell"),
])
def test_a_bad_clock_record_names_the_file_row_and_column(files, row, column, cells, expected):
    bad = files["clock"].parent / "punches.csv"
    bad.write_text(f"employee_id,time,kind\nA1,2026-12-01 08:00,in\n{cells}\n", encoding="utf-8")
    staff = load_staff(files["staff"])
    with pytest.raises(DataError) as err:
        load_clock(bad, staff)
    assert (err.value.file, err.value.row, err.value.column) == ("punches.csv", row, column)
    assert expected in err.value.message


def test_without_staff_the_roster_says_who_may_clock(files):
    roster = load_assignments(files["roster"], DEFAULT_RULES)
    bad = files["clock"].parent / "punches.csv"
    bad.write_text("employee_id,time,kind\nZ9,2026-12-01 08:00,in\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"punches.csv, row 2, column 'employee_id': expected an employee id from roster.csv"):
        load_clock(bad, roster)


def test_clock_records_from_excel_are_read_and_errors_name_the_sheet(files, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "打卡"
    sheet.append(["employee_id", "time", "kind"])
    sheet.append(["A1", pd.Timestamp("2026-12-01 07:58").to_pydatetime(), "上班"])
    sheet.append(["A1", pd.Timestamp("2026-12-01 17:02").to_pydatetime(), "下班"])
    book.save(tmp_path / "clock.xlsx")
    staff = load_staff(files["staff"])
    clock = load_clock(tmp_path / "clock.xlsx", staff)
    assert list(clock["kind"]) == ["in", "out"]
    assert list(clock["time"]) == [pd.Timestamp("2026-12-01 07:58"), pd.Timestamp("2026-12-01 17:02")]
    sheet.append(["A1", "yesterday", "in"])
    book.save(tmp_path / "clock.xlsx")
    with pytest.raises(DataError) as err:
        load_clock(tmp_path / "clock.xlsx", staff)
    assert (err.value.sheet, err.value.row, err.value.column) == ("打卡", 4, "time")


# --- every status --------------------------------------------------------------------------------------------


def test_every_status_and_anomaly_of_the_hand_made_month(files):
    result = _attendance(files)
    day = {(d.employee_id, f"{d.date:%m-%d}"): d for d in result.days}
    # A1: early in and out within the overtime threshold; 08:05 is within the 5-minute grace; 20 minutes past
    # the 17:00 end is overtime; a rest day worked; late and early on a late shift.
    assert day["A1", "12-01"].status == "on_time" and day["A1", "12-01"].overtime_minutes == 0
    assert day["A1", "12-02"].status == "on_time"
    assert day["A1", "12-02"].overtime_minutes == _minutes("2026-12-02 17:20", "2026-12-02 17:00")
    assert day["A1", "12-03"].status == "rest_day_worked"
    assert day["A1", "12-03"].worked_minutes == _minutes("2026-12-03 15:00", "2026-12-03 09:00")
    a1_4 = day["A1", "12-04"]
    assert a1_4.status == "late_and_early"
    assert a1_4.late_minutes == _minutes("2026-12-04 10:12", "2026-12-04 10:00")
    assert a1_4.early_minutes == _minutes("2026-12-04 18:00", "2026-12-04 17:40")
    # A2: rostered without a punch is absent; LEAVE in the roster and leave in the leave file are not.
    assert day["A2", "12-01"].status == "absent"
    assert day["A2", "12-02"].status == "leave" and day["A2", "12-04"].status == "leave"
    assert day["A2", "12-03"].status == "late" and day["A2", "12-03"].late_minutes == 6
    assert day["A2", "12-03"].anomalies == ("missing_clock_out",)
    # L1: a clock-out before the clock-in, a clock-in missing, early by 10 minutes, a day the roster lacks.
    assert day["L1", "12-01"].status == "on_time" and day["L1", "12-01"].anomalies == ("out_before_in",)
    assert day["L1", "12-01"].clock_in == pd.Timestamp("2026-12-01 08:01")
    assert day["L1", "12-02"].status == "incomplete" and day["L1", "12-02"].anomalies == ("missing_clock_in",)
    assert day["L1", "12-03"].status == "early" and day["L1", "12-03"].early_minutes == 10
    assert day["L1", "12-04"].status == "rest"
    assert day["L1", "12-05"].status == "rest_day_worked" and day["L1", "12-05"].anomalies == ("not_rostered",)
    assert result.outside_month == 1


def test_the_monthly_summary_per_person(files):
    people = {p.employee_id: p for p in _attendance(files).people}
    a1, a2, l1 = people["A1"], people["A2"], people["L1"]
    assert (a1.days_rostered, a1.days_worked, a1.days_absent, a1.leave_days) == (3, 4, 0, 0)
    assert (a1.late_count, a1.late_minutes, a1.early_count, a1.early_minutes) == (1, 12, 1, 20)
    assert (a1.rest_days_worked, a1.rest_day_hours, a1.overtime_hours) == (1, 6.0, round(20 / 60, 2))
    assert (a2.days_rostered, a2.days_worked, a2.days_absent, a2.leave_days, a2.anomalies) == (2, 1, 1, 2, 1)
    assert (l1.days_rostered, l1.early_count, l1.rest_days_worked, l1.anomalies) == (3, 1, 1, 3)


def test_the_thresholds_are_rules_keys(files, tmp_path):
    strict = tmp_path / "rules.toml"
    strict.write_text("late_grace_minutes = 0\novertime_after_minutes = 30\n", encoding="utf-8")
    day = {(d.employee_id, f"{d.date:%m-%d}"): d for d in _attendance(files, load_rules(strict)).days}
    assert day["A1", "12-02"].status == "late" and day["A1", "12-02"].late_minutes == 5
    assert day["A1", "12-02"].overtime_minutes == 0  # 20 minutes past the end is under the 30-minute threshold
    strict.write_text("late_grace_minutes = -1\n", encoding="utf-8")
    with pytest.raises(DataError, match="late_grace_minutes must be ≥ 0"):
        load_rules(strict)


def test_a_roster_of_another_month_is_an_error_naming_it(files):
    with pytest.raises(DataError, match=r"roster.csv, column 'date': holds no days of 2027-01: it covers "
                                        r"2026-12-01 → 2026-12-04"):
        staff = load_staff(files["staff"])
        attendance_step(Inputs(staff=staff), load_assignments(files["roster"], DEFAULT_RULES),
                        load_clock(files["clock"], staff), "2027-01")


# --- the command ----------------------------------------------------------------------------------------------


def test_cli_prints_the_month_in_words_and_writes_the_files(files, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "attendance", "--clock", str(files["clock"]), "--roster", str(files["roster"]), "--staff", str(files["staff"]),
        "--leave", str(files["leave"]), "--month", "2026-12", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "attendance 2026-12: 3 people, 8 shift days, 9 worked, 1 absence, 2 days of leave" in result.output
    assert "absent most: A2 Li Na (1 day)" in result.output
    assert "late most: A1 Wang Fang (1 day, 12 minutes)" in result.output
    assert "1 clock record outside 2026-12 ignored" in result.output
    summary = list(csv.DictReader(io.StringIO((out / "attendance.csv").read_text(encoding="utf-8"))))
    assert [r["employee_id"] for r in summary] == ["A1", "A2", "L1"]
    assert summary[1]["name"] == "Li Na" and summary[1]["days_absent"] == "1"
    days = list(csv.DictReader(io.StringIO((out / "attendance_days.csv").read_text(encoding="utf-8"))))
    assert len(days) == 13 and {r["status"] for r in days} >= {"absent", "leave", "late_and_early", "rest_day_worked"}
    book = openpyxl.load_workbook(out / "attendance.xlsx")
    assert book.sheetnames == ["Attendance", "Attendance by day"]
    head = [c.value for c in book["Attendance"][5]]
    assert head[:3] == ["ID", "Name", "Group"] and "Days absent" in head
    totals = [r for r in book["Attendance"].iter_rows(values_only=True) if r[0] == "Total"][0]
    assert totals[head.index("Days absent")] == 1
    assert book["Attendance"].page_setup.paperSize == 9
    statuses = [r[3] for r in book["Attendance by day"].iter_rows(min_row=4, values_only=True)]
    assert "Absent" in statuses and "Late and early" in statuses


def test_cli_chinese_workbook_and_a_bad_file_is_one_line(files, tmp_path):
    out = tmp_path / "out"
    ok = CliRunner().invoke(main, ["attendance", "--clock", str(files["clock"]), "--roster", str(files["roster"]),
                                   "--month", "2026-12", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert openpyxl.load_workbook(out / "attendance.xlsx").sheetnames == ["考勤汇总", "考勤明细"]
    files["clock"].write_text("employee_id,time,kind\nA1,2026-12-01 08:00,sideways\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["attendance", "--clock", str(files["clock"]), "--roster", str(files["roster"]),
                                    "--month", "2026-12", "--out", str(out)])
    assert bad.exit_code == 2
    assert "error: clock.csv, row 2, column 'kind': expected in or out" in bad.stderr
