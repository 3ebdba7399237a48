"""Exports: the roster workbook, CSV files and iCalendar files, read back and checked cell by cell."""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import numpy as np
import openpyxl
import pandas as pd
import pytest

from shiftcast.exports import calendar as ics
from shiftcast.exports import tables
from shiftcast.exports.cells import csv_safe, day_kinds
from shiftcast.exports.labels import shift_mark, shift_marks
from shiftcast.exports.roster_frames import listing_order
from shiftcast.exports.specimen import coverage_kpis, specimen_roster, specimen_staff
from shiftcast.exports.workbook import band_title, roster_workbook, write_roster_workbook
from core.periods import open_intervals
from core.rules import DEFAULT_RULES, CalendarOverride, Rules, ShiftTemplate

# --- a small roster written out by hand ----------------------------------------------------------------

DAYS = pd.date_range("2026-12-01", "2026-12-07", freq="D")  # Tue..Mon: 5th and 6th are the weekend
HOLIDAY = dt.date(2026, 12, 3)  # declared in the rules below, so the override path is exercised
RULES = Rules(calendar=(CalendarOverride(HOLIDAY, "holiday", "Test day"),))
PEOPLE = pd.DataFrame([
    # employee_id, name, role, group, team
    ("L1", "Lead Li", "group_leader", "G1", "T1"),
    ("A1", '=HYPERLINK("http://evil.example","click")', "agent", "G1", "T1"),
    ("A2", "王芳", "agent", "G1", "T1"),
    ("A3", "+cmd|' /C calc'!A0", "agent", "-G2", "T1"),
    ("L2", "@SUM(1+1)", "team_leader", "-G2", "T1"),
], columns=["employee_id", "name", "role", "group", "team"])
WEEK = {  # one line per person, Tue..Mon
    "L1": "E E E L OFF E E",
    "A1": "L L OFF E E L L",
    "A2": "E LEAVE LEAVE E L OFF E",
    "A3": "OFF E L L E E L",
    "L2": "L OFF E E E L OFF",
}
LUNCH = {"E": "11:30", "L": "12:45"}


def hand_roster(week: dict[str, str] = WEEK, rules: Rules = RULES) -> SimpleNamespace:
    rows = [(eid, day, code, LUNCH.get(code)) for eid, line in week.items() for day, code in zip(DAYS, line.split())]
    a = pd.DataFrame(rows, columns=["employee_id", "date", "shift", "lunch_start"])
    idx = open_intervals(DAYS, rules)
    staffed = np.array([sum(1 for eid in week if week[eid].split()[DAYS.get_loc(t.normalize())] in ("E", "L"))
                        for t in idx])
    required = np.where(idx.hour < 12, 3, 4)
    cov = pd.DataFrame({"required": required, "staffed": staffed}, index=idx)
    cov["short"] = (cov["required"] - cov["staffed"]).clip(lower=0)
    cov["over"] = (cov["staffed"] - cov["required"]).clip(lower=0)
    cov["airing"] = (idx.hour == 20) | ((idx.hour == 9) & (idx.minute == 0))
    paid = {s.code: s.paid_hours for s in rules.shifts}
    emp = PEOPLE.copy()
    codes = [week[e].split() for e in emp["employee_id"]]
    emp["shifts_worked"] = [sum(c in paid for c in cs) for cs in codes]
    emp["late_shifts"] = [cs.count("L") for cs in codes]
    emp["rest_days"] = [cs.count("OFF") for cs in codes]
    emp["weekend_rests"] = [sum(c == "OFF" and d.weekday() >= 5 for c, d in zip(cs, DAYS)) for cs in codes]
    emp["leave_days"] = [cs.count("LEAVE") for cs in codes]
    emp["paid_hours"] = [sum(paid.get(c, 0.0) for c in cs) for cs in codes]
    emp["overtime_hours"] = [max(0.0, h - 40.0) for h in emp["paid_hours"]]
    short = cov[cov["short"] > 0]
    unmet = pd.DataFrame({"interval_start": short.index, "required": short["required"].to_numpy(),
                          "staffed": short["staffed"].to_numpy(), "missing": short["short"].to_numpy(),
                          "airing": short["airing"].to_numpy(), "expected_service_level": 0.5})
    conflict = SimpleNamespace(rule="=leader_per_shift", date=pd.Timestamp("2026-12-06"), employees=["A1", "A3"],
                               message="=no leader on the late shift")
    return SimpleNamespace(assignments=a, coverage=cov, employees=emp, unmet=unmet, conflicts=[conflict],
                           kpis=coverage_kpis(cov, expected_service_level=0.812, expected_abandoned_calls=37.0),
                           status="FEASIBLE", objective=321.0, lower_bound=300.0, gap=0.065, seconds=1.5)


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@functools.lru_cache(maxsize=None)
def hand_book(lang: str) -> openpyxl.Workbook:
    """The hand roster's workbook, written and read once per language (tests only read it)."""
    return load(roster_workbook(hand_roster(), RULES, lang=lang))


def find_row(ws, column: int, value) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not in column {column}")


def day_column(ws, header_row: int, day: int) -> int:
    for cell in ws[header_row]:
        if cell.value == day:
            return cell.column
    raise AssertionError(f"day {day} not in the header")


def grid_cell(ws, employee_id: str, day: pd.Timestamp):
    return ws.cell(find_row(ws, 1, employee_id), day_column(ws, 4, day.day))


# --- workbook: the grid --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,expected", [
    ("zh", {"E": "早", "L": "晚", "OFF": "休", "LEAVE": "假"}),
    ("en", {"E": "Early", "L": "Late", "OFF": "Rest", "LEAVE": "Leave"}),
])
def test_every_shift_is_found_by_person_and_day_in_the_chosen_language(lang, expected):
    ws = hand_book(lang).worksheets[0]
    for eid, line in WEEK.items():
        for day, code in zip(DAYS, line.split()):
            assert grid_cell(ws, eid, day).value == expected[code], (eid, day, code)


def test_each_assignment_has_its_own_colour_and_the_same_code_the_same_colour():
    ws = hand_book("en").worksheets[0]
    weekday_fills: dict[str, set] = {}
    for eid, line in WEEK.items():
        for day, code in zip(DAYS, line.split()):
            if day.weekday() < 5 and day.date() != HOLIDAY:
                weekday_fills.setdefault(code, set()).add(grid_cell(ws, eid, day).fill.fgColor.rgb)
    assert all(len(fills) == 1 for fills in weekday_fills.values()), weekday_fills
    colours = [next(iter(f)) for f in weekday_fills.values()]
    assert len(set(colours)) == 4, weekday_fills  # E, L, OFF, LEAVE all differ
    # A weekend cell is a shade of its shift's colour: different, but still not another code's colour.
    sat = grid_cell(ws, "L1", DAYS[4]).fill.fgColor.rgb  # L1 rests on Saturday
    assert sat not in colours


def test_weekend_and_holiday_columns_are_shaded_in_the_header():
    ws = hand_book("zh").worksheets[0]
    fill = {d: ws.cell(4, day_column(ws, 4, d.day)).fill.fgColor.rgb for d in DAYS}
    workdays = {fill[d] for d in DAYS if d.weekday() < 5 and d.date() != HOLIDAY}
    assert len(workdays) == 1
    saturday, sunday, holiday = fill[DAYS[4]], fill[DAYS[5]], fill[pd.Timestamp(HOLIDAY)]
    assert saturday == sunday and saturday not in workdays
    assert holiday not in workdays | {saturday}
    assert ws.cell(5, day_column(ws, 4, 5)).value == "六"  # weekday row under the day number


def test_rest_and_leave_named_from_the_rules_and_labels_for_custom_shift_names():
    rules = Rules(shifts=(ShiftTemplate("M", "中班", "Middle", "09:00", "18:00"),
                          ShiftTemplate("N", "夜", "Night", "10:00", "18:00")))
    assert shift_marks(rules, "zh") == {"M": "中", "N": "夜", "OFF": "休", "LEAVE": "假"}
    assert shift_mark("M", rules, "en") == "Middle"


def test_people_are_grouped_by_team_and_group_with_leaders_first_and_marked():
    ws = hand_book("en").worksheets[0]
    ids = [ws.cell(r, 1).value for r in range(6, ws.max_row + 1)]
    listed = [i for i in ids if i in WEEK]
    assert listed == ["L2", "A3", "L1", "A1", "A2"]  # group '-G2' sorts before 'G1'; leaders head their group
    band_g1 = ids.index("L1") - 1
    assert ws.cell(6 + band_g1, 1).value == "Team T1 · Group G1"
    leader, agent = find_row(ws, 1, "L1"), find_row(ws, 1, "A2")
    assert ws.cell(leader, 2).font.b and ws.cell(leader, 2).value == "★ Lead Li"
    assert not ws.cell(agent, 2).font.b and ws.cell(agent, 2).value == "王芳"
    assert ws.cell(leader, 3).value == "Group leader"


def test_sample_staff_lists_the_supervisor_then_each_team_leader_before_the_groups():
    staff = pd.DataFrame([
        ("E001", "马思", "supervisor", "", ""),  # blank, as the staff loader reads it
        ("E004", "叶子明", "agent", "1组", "1队"),
        ("E003", "陈玉明", "group_leader", "1组", "1队"), ("E002", "邓军勇", "team_leader", "", "1队"),
        ("E005", "李娜", "agent", "2组", "1队"),
    ], columns=["employee_id", "name", "role", "group", "team"])
    roster = specimen_roster(staff, "2026-12")
    ws = load(roster_workbook(roster, DEFAULT_RULES, lang="zh")).worksheets[0]
    listed = [ws.cell(r, 1).value for r in range(6, 14)]
    assert listed == ["E001", "1队", "E002", "1队 · 1组", "E003", "E004", "1队 · 2组", "E005"]
    assert band_title("T1", "G2", "en") == "Team T1 · Group G2" and band_title("A-team", None, "en") == "A-team"


def test_teams_groups_and_ids_are_listed_in_natural_order_blank_first():
    staff = pd.DataFrame([
        ("E10", "c", "agent", "10组", "2队"), ("E9", "b", "agent", "9组", "2队"), ("E2", "a", "agent", "9组", "2队"),
        ("E1", "s", "supervisor", "", ""), ("E11", "d", "agent", "1组", "10队"), ("E3", "e", "team_leader", "", "2队"),
    ], columns=["employee_id", "name", "role", "group", "team"])
    roster = specimen_roster(staff, "2026-12")
    assert list(tables.employees_frame(roster, staff)["employee_id"]) == ["E1", "E3", "E2", "E9", "E10", "E11"]
    assert list(listing_order(staff)["employee_id"]) == ["E1", "E3", "E2", "E9", "E10", "E11"]


def test_daily_totals_under_the_grid_count_people_on_duty_and_leaders():
    ws = hand_book("en").worksheets[0]
    on_duty, leaders = find_row(ws, 1, "On duty"), find_row(ws, 1, "Leaders on duty")
    for j, day in enumerate(DAYS):
        codes = {eid: line.split()[j] for eid, line in WEEK.items()}
        col = day_column(ws, 4, day.day)
        assert ws.cell(on_duty, col).value == sum(c in ("E", "L") for c in codes.values())
        assert ws.cell(leaders, col).value == sum(codes[e] in ("E", "L") for e in ("L1", "L2"))


def test_grid_is_ready_to_print():
    ws = hand_book("zh").worksheets[0]
    assert ws.freeze_panes == "D6"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$5"


def test_text_from_user_data_is_never_written_as_a_formula():
    roster = hand_roster()
    data = roster_workbook(roster, RULES, lang="en", detail=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert not re.search(rb"<f[ >]", zf.read(name)), f"a formula in {name}"
    wb = load(data)
    ws = wb.worksheets[0]
    for eid, name in zip(PEOPLE["employee_id"], PEOPLE["name"]):
        cell = ws.cell(find_row(ws, 1, eid), 2)
        assert cell.data_type == "s" and cell.value.endswith(name)
    hours = wb["Hours"]
    a3 = find_row(hours, 1, "A3")
    assert hours.cell(a3, 2).value == "+cmd|' /C calc'!A0" and hours.cell(a3, 4).value == "-G2"
    assert find_row(wb["Conflicts"], 1, "=leader_per_shift")  # a rule without words of its own keeps its name, as text


def test_team_names_that_look_like_formulas_stay_text():
    roster = hand_roster()
    roster.employees["team"] = "=Team!A1"  # says 'team' itself, so the band shows it unprefixed
    data = roster_workbook(roster, RULES, lang="en")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not re.search(rb"<f[ >]", zf.read(name)), name
    ws = load(data).worksheets[0]
    assert find_row(ws, 1, "=Team!A1 · Group G1")


def test_hours_sheet_lists_everyone_and_its_totals_add_up():
    roster = hand_roster()
    ws = load(roster_workbook(roster, RULES, lang="en"))["Hours"]
    header = find_row(ws, 1, "ID")
    heads = [c.value for c in ws[header]]
    total = find_row(ws, 1, "Total")
    ids = [ws.cell(r, 1).value for r in range(header + 1, total)]
    assert sorted(ids) == sorted(PEOPLE["employee_id"])
    by_id = roster.employees.set_index("employee_id")
    for col, key in (("Paid hours", "paid_hours"), ("Overtime hours", "overtime_hours"), ("Late shifts", "late_shifts"),
                     ("Rest days", "rest_days"), ("Leave days", "leave_days")):
        j = heads.index(col) + 1
        listed = [ws.cell(r, j).value for r in range(header + 1, total)]
        assert listed == pytest.approx(list(by_id.loc[ids, key])), col
        assert ws.cell(total, j).value == pytest.approx(roster.employees[key].sum())
    a2 = find_row(ws, 1, "A2")
    assert ws.cell(a2, heads.index("Paid hours") + 1).value == pytest.approx(3 * 8.0 + 7.0)  # E E L E: early paid 8 h, late 7 h
    assert find_row(ws, 4, RULES.legal_monthly_hours)


def test_coverage_sheet_has_every_interval_and_a_chart():
    roster = hand_roster()
    data = roster_workbook(roster, RULES, lang="en")
    ws = load(data)["Coverage"]
    header = find_row(ws, 1, "Interval start")
    assert [c.value for c in ws[header]][:6] == ["Interval start", "Required", "Staffed", "Short", "Over", "Airing"]
    first = ws.cell(header + 1, 1).value
    assert first == dt.datetime(2026, 12, 1, 8, 0)
    assert ws.max_row - header == len(roster.coverage)
    airings = [ws.cell(r, 6).value for r in range(header + 1, ws.max_row + 1)]
    assert sum(airings) == roster.coverage["airing"].sum() == len(DAYS)
    book = load(data)
    assert book.sheetnames.index("Coverage vs requirement") == book.sheetnames.index("Coverage") + 1
    [chart] = book["Coverage vs requirement"]._charts
    assert len(chart.series) == 2  # required and staffed lines; the airing bars are the combined bar chart
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    assert "<c:lineChart>" in chart and "<c:barChart>" in chart and "Coverage!$C$" in chart


def test_kpi_and_short_interval_sheets():
    roster = hand_roster()
    wb = load(roster_workbook(roster, RULES, lang="en"))
    kpis = wb["KPIs"]
    row = find_row(kpis, 1, "Expected service level")
    assert kpis.cell(row, 2).value == pytest.approx(0.812) and kpis.cell(row, 2).number_format == "0.0%"
    assert kpis.cell(find_row(kpis, 1, "Solver status"), 2).value == "FEASIBLE"
    assert kpis.cell(find_row(kpis, 1, "Lower bound"), 2).value == 300
    short = wb["Short intervals"]
    header = find_row(short, 1, "Interval start")
    assert short.max_row - header == len(roster.unmet) > 0
    roster.unmet = roster.unmet.iloc[:0]
    assert find_row(load(roster_workbook(roster, RULES, lang="en"))["Short intervals"], 1, "No short intervals")


def test_sheet_names_follow_the_language_and_bad_input_is_named():
    assert hand_book("zh").sheetnames == ["排班表", "午餐", "覆盖", "人力覆盖与需求", "工时", "指标", "冲突与申请", "缺员时段"]
    with pytest.raises(ValueError, match="lang"):
        roster_workbook(hand_roster(), RULES, lang="fr")
    roster = hand_roster()
    roster.coverage = roster.coverage.drop(columns="staffed")
    with pytest.raises(ValueError, match="coverage lacks column.*staffed"):
        roster_workbook(roster, RULES)


def test_write_variant_writes_a_workbook_file(tmp_path):
    path = write_roster_workbook(tmp_path / "roster.xlsx", hand_roster(), RULES, lang="en")
    assert openpyxl.load_workbook(path).sheetnames[0] == "Roster"


@pytest.mark.slow
def test_a_300_person_month_fills_the_grid():
    staff = specimen_staff(300)
    roster = specimen_roster(staff)
    ws = load(roster_workbook(roster, DEFAULT_RULES, lang="zh")).worksheets[0]
    ids = {ws.cell(r, 1).value for r in range(6, ws.max_row + 1)}
    assert set(staff["employee_id"]) <= ids
    a = roster.assignments
    pick = a.iloc[4321]
    assert grid_cell(ws, pick.employee_id, pick.date).value == shift_mark(pick["shift"], DEFAULT_RULES, "zh")


# --- CSV -----------------------------------------------------------------------------------------------

def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def test_roster_csv_has_exactly_the_contract_columns():
    roster = hand_roster()
    data = tables.roster_csv(roster)
    assert data.splitlines()[0] == b"employee_id,date,shift,lunch_start"
    df = read_csv(data)
    assert len(df) == len(roster.assignments)
    row = df[(df.employee_id == "A2") & (df.date == "2026-12-02")].iloc[0]
    assert row["shift"] == "LEAVE" and row.lunch_start == ""
    row = df[(df.employee_id == "A1") & (df.date == "2026-12-01")].iloc[0]
    assert row["shift"] == "L" and row.lunch_start == "12:45"


def test_coverage_and_employees_csv():
    roster = hand_roster()
    cov = read_csv(tables.coverage_csv(roster))
    assert list(cov.columns) == ["interval_start", "required", "staffed", "short", "over", "airing"]
    assert len(cov) == len(roster.coverage) and cov.interval_start[0] == "2026-12-01 08:00"
    emp = read_csv(tables.employees_csv(roster))
    assert list(emp.columns) == ["employee_id", "name", "role", "group", "team", "shifts_worked", "late_shifts",
                                 "rest_days", "weekend_rests", "leave_days", "paid_hours", "overtime_hours"]
    assert set(emp.employee_id) == set(WEEK)


def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe():
    emp = read_csv(tables.employees_csv(hand_roster())).set_index("employee_id")
    assert emp.loc["A1", "name"] == "'" + PEOPLE.name[1]
    assert emp.loc["A3", "name"].startswith("'+") and emp.loc["A3", "group"] == "'-G2"
    assert emp.loc["L2", "name"] == "'@SUM(1+1)"
    assert emp.loc["A2", "name"] == "王芳" and emp.loc["L1", "name"] == "Lead Li"
    assert csv_safe(-3) == -3 and csv_safe("a=b") == "a=b" and csv_safe("\t=1") == "'\t=1"


def test_csv_files_written_together_and_an_index_as_the_first_column(tmp_path):
    paths = tables.write_roster_csvs(tmp_path, hand_roster())
    assert sorted(p.name for p in paths) == ["coverage.csv", "employees.csv", "roster.csv", "short_intervals.csv"]
    assert (tmp_path / "roster.csv").read_bytes() == tables.roster_csv(hand_roster())
    idx = pd.Index(["2026-12"], name="month")
    assert tables.frame_csv(pd.DataFrame({"hires": [2]}, index=idx)).splitlines() == [b"month,hires", b"2026-12,2"]


# --- iCalendar -----------------------------------------------------------------------------------------

STAMP = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)


def events(data: bytes) -> list:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_one_event_per_worked_shift_at_local_times_with_lunch():
    data = ics.employee_calendar(hand_roster(), RULES, "L1", lang="en", stamp=STAMP)
    cal = icalendar.Calendar.from_ical(data)
    evs = events(data)
    assert len(evs) == sum(c in ("E", "L") for c in WEEK["L1"].split()) == 6
    tz = ZoneInfo("Asia/Shanghai")
    first = evs[0]
    assert first.decoded("dtstart") == dt.datetime(2026, 12, 1, 8, 0, tzinfo=tz)
    assert first.decoded("dtend") == dt.datetime(2026, 12, 1, 17, 0, tzinfo=tz)
    assert first["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(first["summary"]) == "Early" and str(first["description"]) == "Lunch 11:30–12:30"
    late = next(e for e in evs if e.decoded("dtstart").date() == dt.date(2026, 12, 4))
    assert late.decoded("dtstart").hour == 10 and late.decoded("dtend").hour == 18
    assert [tz_["tzid"] for tz_ in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    zh = events(ics.employee_calendar(hand_roster(), RULES, "L1", lang="zh", stamp=STAMP))
    assert str(zh[0]["summary"]) == "早班" and str(zh[0]["description"]) == "午餐 11:30–12:30"


def test_uids_are_stable_across_exports_and_replans():
    before = events(ics.employee_calendar(hand_roster(), RULES, "A1", stamp=STAMP))
    replanned = dict(WEEK, A1="E E OFF L E L E")  # two days change shift
    after = events(ics.employee_calendar(hand_roster(replanned), RULES, "A1",
                                         stamp=STAMP + dt.timedelta(days=3)))
    uid_by_day = lambda evs: {e.decoded("dtstart").date(): str(e["uid"]) for e in evs}  # noqa: E731
    b, a = uid_by_day(before), uid_by_day(after)
    assert b == a and len(set(b.values())) == len(b)
    changed = [e for e in after if e.decoded("dtstart").date() == dt.date(2026, 12, 1)][0]
    assert changed.decoded("dtstart").hour == 8  # same UID, new times: a re-import updates the event


def test_zip_holds_every_employee_calendar(tmp_path):
    roster = hand_roster()
    data = ics.calendars_zip(roster, RULES, stamp=STAMP)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == sorted(f"{e}.ics" for e in WEEK)
        for eid, line in WEEK.items():
            assert len(events(zf.read(f"{eid}.ics"))) == sum(c in ("E", "L") for c in line.split())
    paths = ics.write_calendars(tmp_path, roster, RULES, stamp=STAMP)
    assert len(paths) == len(WEEK) and all(p.read_bytes().startswith(b"BEGIN:VCALENDAR") for p in paths)
    assert ics.ics_filename("a/b c") == "a%2Fb%20c.ics" != ics.ics_filename("a_b_c")


def test_long_and_special_text_is_escaped_and_folded():
    rules = Rules(shifts=(ShiftTemplate("E", "早班", "Early, the; \\ first " * 4, "08:00", "17:00"),
                          ShiftTemplate("L", "晚班", "Late", "10:00", "18:00", 60, "12:00", "15:00")))
    name = "张三" * 40
    roster = hand_roster(rules=rules)
    roster.employees.loc[roster.employees["employee_id"] == "A2", "name"] = name
    data = ics.employee_calendar(roster, rules, "A2", lang="en", stamp=STAMP)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["x-wr-calname"]) == f"{name}'s shifts"
    assert str(events(data)[0]["summary"]) == rules.shifts[0].name_en
    with pytest.raises(KeyError, match="not on the roster"):
        ics.employee_calendar(hand_roster(), RULES, "NOBODY")


# --- calendar days -------------------------------------------------------------------------------------

def test_day_kinds_know_weekends_holidays_and_make_up_workdays():
    kinds = day_kinds(pd.date_range("2026-09-26", "2026-10-10"), DEFAULT_RULES)
    assert kinds[pd.Timestamp("2026-10-01")] == "holiday"
    assert kinds[pd.Timestamp("2026-09-28")] == "weekday"
    assert kinds[pd.Timestamp("2026-10-10")] == "makeup_workday"  # a Saturday worked for the National Day week
    rules = Rules(calendar=(CalendarOverride(dt.date(2027, 3, 1), "holiday"),))
    later = day_kinds(pd.date_range("2027-02-27", "2027-03-01"), rules)  # beyond the holiday package's years
    assert list(later) == ["weekend", "weekend", "holiday"]


def test_a_roster_with_nothing_assigned_still_exports(tmp_path):
    roster = hand_roster()
    roster.assignments, roster.coverage = roster.assignments.iloc[:0], roster.coverage.iloc[:0]
    roster.unmet, roster.conflicts, roster.status = roster.unmet.iloc[:0], [], "INFEASIBLE"
    roster.kpis = coverage_kpis(roster.coverage)
    wb = load(roster_workbook(roster, RULES, lang="en"))
    kpis = wb["KPIs"]
    assert find_row(wb["Roster"], 1, "L1") and kpis.cell(find_row(kpis, 1, "Solver status"), 2).value == "INFEASIBLE"
    assert tables.roster_csv(roster) == b"employee_id,date,shift,lunch_start\n"
    with zipfile.ZipFile(io.BytesIO(ics.calendars_zip(roster, RULES, stamp=STAMP))) as zf:
        assert all(events(zf.read(n)) == [] for n in zf.namelist())


def test_the_kpi_sheet_carries_the_forecasts_notes():
    note = "no call history for 18:00–21:00 (every day, 372 intervals this month): forecast as 0 calls and staffed for none"
    ws = load(roster_workbook(hand_roster(), RULES, lang="en", notes=[note]))["KPIs"]
    title = find_row(ws, 1, "Forecast notes")
    assert ws.cell(title + 1, 1).value == note
    assert find_row(load(roster_workbook(hand_roster(), RULES, lang="zh", notes=[note]))["指标"], 1, "预测说明")
    assert "Forecast notes" not in [c.value for c in hand_book("en")["KPIs"]["A"]]
