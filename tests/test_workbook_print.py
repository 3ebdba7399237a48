"""The roster workbook on paper: print areas and fits, natural group order, lunches, conflicts per day,
the solver status in words, and the airings in the coverage chart."""
from __future__ import annotations

import io
import math
from collections import Counter
import re
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries

from api.roster_document import roster_document
from core.rules import DEFAULT_RULES
from scheduler.conflicts import Conflict
from scheduler.rules.leader_per_shift import RULE as LEADER_PER_SHIFT
from scheduler.rules.lunch_airings import RULE as LUNCH_AIRINGS
from shiftcast.exports.labels import status_words
from shiftcast.exports.specimen import specimen_roster
from shiftcast.exports.tables import employees_frame
from shiftcast.exports.workbook import roster_workbook

MONTH = "2026-12"
A4_MM = (210.0, 297.0)
POINTS_PER_MM = 72 / 25.4


def floor_staff(groups: int = 12, per_group: int = 10) -> pd.DataFrame:
    """A floor like the sample's: a supervisor, a leader per team of four groups, a leader and agents per group;
    groups written in the staff file in text order ('10组' before '2组'), as a spreadsheet sorts them."""
    rows = [("S001", "主管", "supervisor", "", "")]
    names = sorted((f"{g}组" for g in range(1, groups + 1)))  # text order: 10组, 11组, 12组, 1组, 2组, …
    for team in range(1, math.ceil(groups / 4) + 1):
        rows.append((f"T{team:03d}", f"队长{team}", "team_leader", "", f"{team}队"))
    for name in names:
        g = int(name[:-1])
        team = f"{(g - 1) // 4 + 1}队"
        rows.append((f"G{g:03d}", f"组长{g}", "group_leader", name, team))
        rows += [(f"A{g:02d}{i:02d}", f"话务员{g}-{i}", "agent", name, team) for i in range(per_group - 1)]
    return pd.DataFrame(rows, columns=["employee_id", "name", "role", "group", "team"])


def lunch_conflicts(roster, days: int = 28) -> list[Conflict]:
    """A month whose airings crowd the lunch hours: a conflict per day and shift, as the solver says it."""
    a = roster.assignments
    out = []
    for day in pd.date_range(f"{MONTH}-01", periods=days, freq="D"):
        on_day = a[pd.to_datetime(a["date"]) == day]
        for shift in ("E", "L"):
            ids = tuple(on_day.loc[on_day["shift"] == shift, "employee_id"].astype(str))[:12]
            out.append(Conflict(LUNCH_AIRINGS.name, day.date().isoformat(), ids,
                                f"On {day.date()} airings leave the {shift} shift only one airing-free lunch hour "
                                f"and at most 27 of its 53 people may be at lunch at the same time: "
                                f"{len(ids)} of its people lunch during airings ({', '.join(ids)}), placed where "
                                f"they leave the airings least short."))
    out.append(Conflict(LEADER_PER_SHIFT.name, f"{MONTH}-03", ("G001", "G002"),
                        f"On {MONTH}-03 no leader works the late shift: G001 and G002 are on leave."))
    return out


@pytest.fixture(scope="module")
def relaxed():
    staff = floor_staff()
    roster = specimen_roster(staff, MONTH)
    roster.conflicts = lunch_conflicts(roster)
    roster.status, roster.objective, roster.lower_bound, roster.gap = "RELAXED", 1000.0, 990.0, 0.01
    return roster, staff


@pytest.fixture(scope="module")
def books(relaxed):
    roster, staff = relaxed
    return {lang: roster_workbook(roster, DEFAULT_RULES, staff, lang=lang, detail=True) for lang in ("zh", "en")}


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def loaded(books):
    """The workbooks read back once (the tests only read them)."""
    return {lang: load(data) for lang, data in books.items()}


def area(ws) -> tuple[int, int, int, int]:
    """The print area as (first column, first row, last column, last row)."""
    [ref] = ws.print_area if isinstance(ws.print_area, list) else [ws.print_area]
    return range_boundaries(ref.split("!")[-1].replace("$", ""))


# --- page setup ----------------------------------------------------------------------------------------

def test_every_sheet_prints_on_a4_one_page_wide_within_a_print_area_that_holds_its_cells(loaded):
    for lang, wb in loaded.items():
        for ws in wb.worksheets:
            assert ws.page_setup.paperSize == 9, (lang, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (lang, ws.title)
            assert ws.page_setup.fitToWidth in (1, None), (lang, ws.title)  # 1 is the default, not written
            first_col, first_row, last_col, last_row = area(ws)
            assert (first_col, first_row) == (1, 1)
            assert last_row >= ws.max_row and last_col >= ws.max_column, (lang, ws.title)
            assert ws.oddFooter.center.text, (lang, ws.title)  # the page number


def test_roster_and_lunch_grids_print_landscape_with_their_headers_and_names_on_every_page(loaded):
    wb = loaded["zh"]
    for name in ("排班表", "午餐"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToHeight == 0  # as many pages tall as the people need
        assert ws.print_title_rows == "$4:$5" and ws.print_title_cols == "$A:$C"


def test_the_kpi_sheet_prints_on_one_page_and_the_conflicts_sheet_landscape_one_page_wide(loaded):
    for lang, wb in loaded.items():
        ws = wb["指标" if lang == "zh" else "KPIs"]
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.orientation == "portrait"
        assert ws.page_setup.fitToHeight in (1, None) and ws.page_setup.fitToWidth in (1, None)  # 1 is not written
        assert area(ws)[3] == ws.max_row and area(ws)[2] == 5  # the status words beside the value are inside
        assert ws.max_row < 45  # the KPIs, not the conflicts: one page at a readable size
        conflicts = wb["冲突与申请" if lang == "zh" else "Conflicts"]
        assert conflicts.page_setup.orientation == "landscape" and conflicts.page_setup.fitToHeight == 0


# --- what the pages hold ---------------------------------------------------------------------------------

def band_rows(ws) -> list[str]:
    return [c.value for c in ws["A"] if isinstance(c.value, str) and "组" in c.value and " · " in c.value]


def test_groups_are_listed_in_natural_order_in_the_workbook_the_csv_and_the_page(relaxed, loaded):
    roster, staff = relaxed
    natural = [f"{g}组" for g in range(1, 13)]
    for name in ("排班表", "午餐"):
        bands = band_rows(loaded["zh"][name])
        assert [b.split(" · ")[1] for b in bands] == natural, name
    listed = employees_frame(roster, staff)["group"].dropna().drop_duplicates().tolist()
    assert listed == natural
    page = roster_document(roster, MONTH, staff, DEFAULT_RULES)["employees"]
    assert [e["group"] for e in page if e["group"]] == [g for g in natural for _ in range(10)]


def test_lunch_sheet_shows_each_worked_days_lunch_start_and_marks_rest(relaxed, loaded):
    roster, _ = relaxed
    ws = loaded["en"]["Lunches"]
    a = roster.assignments.assign(date=pd.to_datetime(roster.assignments["date"]))
    row_of = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    col_of = {c.value: c.column for c in ws[4] if isinstance(c.value, int)}
    checked = 0
    for person in a.itertuples(index=False):
        cell = ws.cell(row_of[person.employee_id], col_of[person.date.day]).value
        if person.shift in ("E", "L"):
            assert cell == person.lunch_start and re.fullmatch(r"\d\d:\d\d", cell)
            checked += 1
        else:
            assert cell == {"OFF": "Rest", "LEAVE": "Leave"}[person.shift]
    assert checked > 1000


def test_lunches_during_an_airing_are_red_in_the_lunch_grid(relaxed, loaded):
    roster, _ = relaxed
    ws = loaded["zh"]["午餐"]
    airing = set(roster.coverage.index[roster.coverage["airing"].astype(bool)])
    row_of = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    col_of = {c.value: c.column for c in ws[4] if isinstance(c.value, int)}
    red = 0
    for person in roster.assignments.itertuples(index=False):
        if person.shift not in ("E", "L"):
            continue
        start = pd.Timestamp(person.date) + pd.Timedelta(person.lunch_start + ":00")
        during = any(start + pd.Timedelta(minutes=m) in airing for m in range(0, 60, 15))
        cell = ws.cell(row_of[person.employee_id], col_of[pd.Timestamp(person.date).day])
        assert (cell.font.color is not None and cell.font.color.rgb == "FFC00000") == during, cell.coordinate
        red += during
    assert red > 0


def conflict_rows(ws, header: str) -> list[tuple]:
    start = next(c.row for c in ws["A"] if c.value == header)
    return [tuple(c.value for c in row[:5]) for row in ws.iter_rows(min_row=start + 1, max_row=ws.max_row)
            if row[1].value and re.fullmatch(r"\d{4}-\d\d-\d\d", str(row[1].value))
            and row[0].value != header][:200]


def test_conflicts_take_one_row_per_rule_and_day_in_the_workbook_language(relaxed, loaded):
    roster, _ = relaxed
    zh = conflict_rows(loaded["zh"]["冲突与申请"], "规则")
    en = conflict_rows(loaded["en"]["Conflicts"], "Rule")
    assert len(roster.conflicts) == 57 and len(zh) == len(en) == 29  # 28 lunch days and one leader day
    lunch_rows = [r for r in zh if r[0] == "广告播出时不安排午餐"]
    assert len(lunch_rows) == 28
    by_day = {}
    for c in roster.conflicts:
        if c.rule == LUNCH_AIRINGS.name:
            by_day.setdefault(c.date, set()).update(c.employees)
    lunch_at = {(p.employee_id, pd.Timestamp(p.date).date().isoformat()): p.lunch_start
                for p in roster.assignments.itertuples(index=False)}
    for rule, date, count, what, times in lunch_rows:
        assert count == len(by_day[date]) and what == "人在广告播出时段午餐"
        starts = Counter(lunch_at[(e, date)] for e in by_day[date])
        assert times == ", ".join(f"{t} ×{n}" for t, n in sorted(starts.items()))  # when they lunch, how many
    for rule, date, count, what, people in zh:
        assert not re.search(r"[A-Za-z]{3,}", rule + what), (rule, what)  # no English words in a Chinese workbook
    [leader] = [r for r in en if r[0] == "A leader on every shift"]
    assert leader[1:4] == (f"{MONTH}-03", 1, "shift(s) short of leaders") and leader[4] == "G001, G002"


def test_relaxed_status_is_said_in_words_in_the_workbook(loaded):
    for lang, sheet, key in (("zh", "指标", "状态说明"), ("en", "KPIs", "What the status means")):
        ws = loaded[lang][sheet]
        row = next(c.row for c in ws["A"] if c.value == key)
        assert ws.cell(row, 2).value == status_words("RELAXED", 0.01, 57, lang)
        assert "57" in ws.cell(row, 2).value and "1.00%" in ws.cell(row, 2).value
    notes = [c.value for c in loaded["zh"]["指标"]["A"] if c.value and "冲突与申请" in str(c.value)]
    assert notes == ["无法同时满足的规则与未满足的申请见「冲突与申请」表"]


# --- the coverage chart ----------------------------------------------------------------------------------

def series_cells(data: bytes, wb: openpyxl.Workbook, chart_kind: str) -> list[float]:
    """The cells a chart's series of `chart_kind` (barChart, lineChart) plots, read from the sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("xl/charts/chart1.xml").decode()
    part = xml[xml.index(f"<c:{chart_kind}>"):xml.index(f"</c:{chart_kind}>")]
    ref = re.search(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", part).group(1)
    sheet, cells = ref.rsplit("!", 1)
    col, first, _, last = re.fullmatch(r"\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", cells).group(1, 2, 1, 3)
    ws = wb[sheet.strip("'")]
    j = column_index_from_string(col)
    return [ws.cell(r, j).value for r in range(int(first), int(last) + 1)]


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def test_the_chart_plots_each_airing_as_a_full_height_bar_at_its_own_interval(relaxed, books, loaded):
    """The bars plot the airing cells, on a secondary 0–1 axis that is kept: LibreOffice draws bars whose
    secondary axis is deleted on the agents' axis (a flat line at 0). The categories are text: as dates,
    every interval of a day would share one x."""
    roster, _ = relaxed
    for lang, data in books.items():
        airing = series_cells(data, loaded[lang], "barChart")
        assert airing == [int(v) for v in roster.coverage["airing"]] and sum(airing) > 0
        assert series_cells(data, loaded[lang], "lineChart") == list(roster.coverage["required"])
    with zipfile.ZipFile(io.BytesIO(books["zh"])) as zf:
        plot = ElementTree.fromstring(zf.read("xl/charts/chart1.xml")).find(f"{C}chart/{C}plotArea")
    bar_axes = [a.get("val") for a in plot.find(f"{C}barChart").findall(f"{C}axId")]
    [bar_values] = [a for a in plot.findall(f"{C}valAx") if a.find(f"{C}axId").get("val") in bar_axes]
    assert bar_values.find(f"{C}delete") is None or bar_values.find(f"{C}delete").get("val") == "0"
    assert bar_values.find(f"{C}scaling/{C}max").get("val") == "1"
    line_axes = [a.get("val") for a in plot.find(f"{C}lineChart").findall(f"{C}axId")]
    [categories] = [a for a in plot.findall(f"{C}catAx") if a.find(f"{C}axId").get("val") in line_axes]
    assert categories.find(f"{C}auto") is None  # a text axis, not a date axis chosen from the values
    assert plot.find(f"{C}dateAx") is None


# --- printed pages -----------------------------------------------------------------------------------------

def pdf_pages(data: bytes, sheet: str, tmp_path) -> int:
    """Pages LibreOffice prints of one sheet of the workbook (the others removed, their settings kept)."""
    wb = load(data)
    for other in [n for n in wb.sheetnames if n != sheet]:
        del wb[other]
    path = tmp_path / f"{sheet}.xlsx"
    wb.save(path)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    return len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / f"{sheet}.pdf").read_bytes()))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_printed_pages_of_the_grids_and_the_kpis(books, tmp_path):
    data = books["zh"]
    assert pdf_pages(data, "指标", tmp_path) == 1
    roster_pages = pdf_pages(data, "排班表", tmp_path)
    # 120 people in 12 groups, 3 teams and the supervisor: ~160 rows of a landscape A4 grid one page wide
    assert 1 <= roster_pages <= 4
    assert pdf_pages(data, "午餐", tmp_path) <= roster_pages
