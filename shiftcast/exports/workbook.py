"""The printable roster workbook (XlsxWriter): grid, lunches, coverage with its chart, hours, KPIs, conflicts and
requests not granted, short intervals.

Every sheet prints on A4 within its print area, one page wide (the roster and lunch grids landscape, with
their header rows and person columns on every page); the KPIs on one page.

Every text cell is written with `write_string`, so text from user data (names, groups, messages) is never
read as a formula, whatever it starts with; numbers and dates are written as numbers and dates.
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import xlsxwriter

from shiftcast.exports.cells import HOLIDAY, WEEKDAY, WEEKEND, WORKDAY, day_kinds, month_label
from shiftcast.exports.conflict_days import (
    conflict_days, date_text, day_words, people_words, rule_words, why_words,
)
from shiftcast.exports.labels import (
    DEFAULT_LANG, LEAVE, REST, check_lang, label, role_name, shift_marks, shift_name, status_words, weekday,
)
from shiftcast.exports.tables import changes_frame
from shiftcast.exports.roster_frames import (
    COVERAGE_COLUMNS, HOURS_COLUMNS, UNMET_COLUMNS, assignments_of, check_columns, is_leader, is_worked, people,
    plan_days, requests_by_kind, shift_grid,
)
from core.rules import Rules, minutes_of
from core.times import epoch_minutes
from scheduler.quiet_days import held_by_weekly_rest

# Fills: shifts take colours in rules order; rest and leave have their own; weekend/holiday day columns
# are shaded in the header and a shade darker in the body, so the shift colour still reads.
SHIFT_FILLS = ("#FFE699", "#9DC3E6", "#C5E0B4", "#D9B3FF", "#F4B183", "#B4E4E4")
REST_FILL = "#EDEDED"
LEAVE_FILL = "#F8CBAD"
WEEKEND_FILL = "#BFBFBF"
HOLIDAY_FILL = "#FF7C80"
WORKDAY_FILL = "#FFF2CC"
DAY_FILLS = {WEEKEND: WEEKEND_FILL, HOLIDAY: HOLIDAY_FILL, WORKDAY: WORKDAY_FILL}  # header of such a day
HEADER_FILL = "#DDEBF7"
BAND_FILL = "#D6DCE4"
SHORT_FILL = "#FFC7CE"
ALERT_FONT = "#C00000"  # a lunch during an airing in the lunch grid
# Fractions shown as percentages wherever they appear (KPI keys and table columns).
PERCENT_KEYS = ("expected_service_level", "gap", "service_level", "planned_service_level", "wape", "bias")
TITLE_ROW, LEGEND_ROW, HEADER_ROW = 0, 1, 3  # roster sheet: day numbers on HEADER_ROW, weekdays below
PERSON_COLS = ("employee_id", "name", "role")
MAX_SHEET_NAME = 31
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system (valid from March 1900)
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def shaded(colour: str, by: float = 0.13) -> str:
    """`colour` a little darker: the body shade of weekend and holiday columns."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(v * (1 - by)) for v in (r, g, b)))


def assignment_fills(rules: Rules) -> dict[str, str]:
    """Fill colour of every assignment code: shifts in rules order, then rest and leave."""
    fills = {code: SHIFT_FILLS[i % len(SHIFT_FILLS)] for i, code in enumerate(rules.shift_codes)}
    return {**fills, REST: REST_FILL, LEAVE: LEAVE_FILL}


def new_workbook(target) -> xlsxwriter.Workbook:
    """A workbook that never reads a text cell as a formula, URL or number."""
    # strings_to_formulas=False is a second guard; every text cell also goes through write_string.
    return xlsxwriter.Workbook(target, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name from `text`."""
    base = (str(text).translate(_BAD_SHEET_CHARS).strip("'") or "Sheet")[:MAX_SHEET_NAME]
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


class Formats:
    """The workbook's cell formats, made once (XlsxWriter slows down with a format per cell)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}

    def get(self, **props) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    @property
    def title(self):
        return self.get(bold=True, font_size=14)

    @property
    def header(self):
        return self.get(bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True, valign="vcenter", align="center")

    @property
    def note(self):
        return self.get(italic=True, font_color="#595959")


def _number_format(name: str, values: pd.Series) -> str | None:
    if name in PERCENT_KEYS:
        return "0.0%"
    if pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "0"
    if pd.api.types.is_float_dtype(values):
        finite = values[np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
        return "0" if len(finite) and (finite == finite.round()).all() else "0.00"
    return None


def write_frame(ws, fm: Formats, df: pd.DataFrame, row: int, headers: list[str], lang: str,
                 bool_as: str = "label") -> int:
    """Write `df` with a header row at `row`; return the first row after it.

    Columns are written by type: text with write_string (never a formula), numbers, dates and times as
    such, booleans as yes/no labels (or 1/0 shown as yes/no when `bool_as` is 'number', for charts).
    """
    ws.write_row(row, 0, headers, fm.header)
    widths = [max(6, min(40, len(str(h)) * (2 if lang == "zh" else 1) + 2)) for h in headers]
    for j, name in enumerate(df.columns):
        values = df[name]
        r0 = row + 1
        if pd.api.types.is_bool_dtype(values):
            flags = values.fillna(False).astype(bool).to_numpy()
            if bool_as == "number":
                fmt = fm.get(num_format=f'"{label("yes", lang)}";;"{label("no", lang)}"', align="center")
                for i, v in enumerate(flags):
                    ws.write_number(r0 + i, j, int(v), fmt)
            else:
                yes, no = label("yes", lang), label("no", lang)
                for i, v in enumerate(flags):
                    ws.write_string(r0 + i, j, yes if v else no)
        elif pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.DatetimeIndex(values)
            if stamps.tz is not None:
                stamps = stamps.tz_localize(None)
            midnight = bool((stamps.dropna() == stamps.dropna().normalize()).all())
            fmt = fm.get(num_format="yyyy-mm-dd" if midnight else "yyyy-mm-dd hh:mm")
            widths[j] = max(widths[j], 11 if midnight else 17)
            # Excel date serials computed in one go: write_datetime per cell is the slow part of a month.
            serials = ((stamps - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
            for i, v in enumerate(serials):
                if math.isfinite(v):
                    ws.write_number(r0 + i, j, v, fmt)
        elif pd.api.types.is_numeric_dtype(values):
            fmt = fm.get(num_format=_number_format(str(name), values))
            for i, v in enumerate(values.to_numpy(dtype=float, na_value=np.nan)):
                if math.isfinite(v):
                    ws.write_number(r0 + i, j, v, fmt)
        else:
            longest = 0
            for i, v in enumerate(values):
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    continue
                text = v.isoformat() if hasattr(v, "isoformat") else str(v)
                ws.write_string(r0 + i, j, text)
                longest = max(longest, len(text))
            widths[j] = max(widths[j], min(40, longest + 2))
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    return row + 1 + len(df)


def setup_print(ws, lang: str, area: tuple[int, int], repeat_rows: tuple[int, int] | None,
                 landscape: bool = True, one_page: bool = False) -> None:
    """A4 with a page-number footer, printing rows and columns up to `area` (last row, last column): one
    page wide and as many tall as needed, or all on one page; `repeat_rows` head every page."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.5)
    ws.set_footer("&C" + label("page_footer", lang))
    if repeat_rows:
        ws.repeat_rows(*repeat_rows)
    ws.print_area(0, 0, *area)


def band_title(team: object, group: object, lang: str) -> str:
    """'Team T1 · Group G1'; a name that already says what it is ('1队', '2组') is not prefixed again."""
    parts = []
    for key, value in (("team", team), ("group", group)):
        if value is None:
            continue
        text, word = str(value), label(key, lang)
        parts.append(text if word.lower() in text.lower() else f"{word} {text}")
    return " · ".join(parts)


def _write_legend(ws, fm: Formats, rules: Rules, lang: str, cell_format, first_col: int) -> None:
    """Each code in its colour with its full name and hours; then the day shades and the leader star."""
    marks = shift_marks(rules, lang)
    col = first_col
    ws.write_string(LEGEND_ROW, first_col - 1, label("legend", lang) + ":", fm.get(bold=True, align="right"))
    for code in marks:
        ws.write_string(LEGEND_ROW, col, marks[code], cell_format(code, WEEKDAY, bold=True))
        text = shift_name(code, rules, lang)
        if is_worked(code):
            s = rules.shift(code)
            text += f" {s.hours_text}"
        ws.write_string(LEGEND_ROW, col + 1, text)
        col += 4  # the name spills over the empty cells to its right
    for kind, fill in DAY_FILLS.items():
        ws.write_string(LEGEND_ROW, col, "", fm.get(bg_color=fill, border=1))
        ws.write_string(LEGEND_ROW, col + 1, label(kind, lang))
        col += 3
    ws.write_string(LEGEND_ROW, col, label("leader_mark", lang))


def _write_daily_totals(ws, fm: Formats, grid: np.ndarray, who: pd.DataFrame, rules: Rules, lang: str,
                        row: int, first_day: int, count_fmt) -> int:
    """People on each shift, on duty, and leaders on duty (the morning meeting) per day; the next row."""
    marks = shift_marks(rules, lang)
    leaders = who["role"].map(lambda r: is_leader(r, rules)).to_numpy(dtype=bool)
    worked = np.isin(grid, list(rules.shift_codes)) if grid.size else np.zeros(grid.shape, bool)
    totals = [(marks[c], (grid == c).sum(axis=0)) for c in rules.shift_codes]
    totals += [(label("on_duty", lang), worked.sum(axis=0)),
               (label("leaders_on_duty", lang), (worked & leaders[:, None]).sum(axis=0))]
    total_fmt = fm.get(bold=True, border=1, bg_color=HEADER_FILL)
    for text, per_day in totals:
        ws.merge_range(row, 0, row, first_day - 1, text, total_fmt)
        for j, n in enumerate(np.asarray(per_day).reshape(-1)):
            ws.write_number(row, first_day + j, int(n), count_fmt)
        row += 1
    return row


# -- the roster and lunch grids ------------------------------------------------------------------------


def _cell_format(fm: Formats, fills: dict[str, str], code: str, kind: str, bold: bool = False,
                 alert: bool = False):
    """A grid cell of `code` on a day of `kind`: the code's fill, a shade darker on weekends and holidays;
    `alert` in bold red."""
    fill = fills.get(code)
    if fill and kind in (WEEKEND, HOLIDAY):
        fill = shaded(fill)
    props = dict(align="center", valign="vcenter", border=1, border_color="#A6A6A6")
    if fill:
        props["bg_color"] = fill
    if bold or alert:
        props["bold"] = True
    if alert:
        props["font_color"] = ALERT_FONT
    return fm.get(**props)


def _grid_head(ws, fm: Formats, days: pd.DatetimeIndex, kinds: pd.Series, lang: str) -> None:
    """Two header rows: day of month, weekday; shaded by day kind. Person columns span both."""
    first_day = len(PERSON_COLS)
    for j, key in enumerate(PERSON_COLS):
        ws.merge_range(HEADER_ROW, j, HEADER_ROW + 1, j, label(key, lang), fm.header)
    for j, (day, kind) in enumerate(zip(days, kinds)):
        fmt = fm.get(bold=True, border=1, align="center", bg_color=DAY_FILLS.get(kind, HEADER_FILL))
        ws.write_number(HEADER_ROW, first_day + j, day.day, fmt)
        ws.write_string(HEADER_ROW + 1, first_day + j, weekday(day.weekday(), lang), fmt)


def _person_rows(ws, fm: Formats, who: pd.DataFrame, rules: Rules, lang: str, last_col: int,
                 write_rest: Callable[[int, int, Any], None]) -> int:
    """People grouped by team and group under a band row, each row's id, name and role; `write_rest(row, i,
    person)` fills the rest of person i's row. Outline level 1 lets a group be folded away. The next row."""
    row = HEADER_ROW + 2
    band_fmt = fm.get(bold=True, bg_color=BAND_FILL, border=1)
    person_fmt = fm.get(border=1, border_color="#A6A6A6")
    leader_fmt = fm.get(border=1, border_color="#A6A6A6", bold=True)
    previous_band = None
    for i, person in enumerate(who.itertuples(index=False)):
        band = (person.team, person.group)
        if band != previous_band:
            text = band_title(*band, lang=lang)
            if text:
                ws.merge_range(row, 0, row, last_col, text, band_fmt)
                row += 1
            previous_band = band
        leader = is_leader(person.role, rules)
        fmt = leader_fmt if leader else person_fmt
        ws.write_string(row, 0, str(person.employee_id), fmt)
        ws.write_string(row, 1, ("★ " if leader else "") + ("" if person.name is None else str(person.name)), fmt)
        ws.write_string(row, 2, "" if person.role is None else role_name(str(person.role), lang), fmt)
        write_rest(row, i, person)
        ws.set_row(row, None, None, {"level": 1})
        row += 1
    return row


def _person_columns(ws, lang: str) -> None:
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 12 if lang == "zh" else 16)
    ws.set_column(2, 2, 8 if lang == "zh" else 13)


def _grid_of(a: pd.DataFrame, who: pd.DataFrame, rules: Rules) -> tuple[pd.DatetimeIndex, pd.Series, np.ndarray]:
    """What the roster and lunch grids share: the plan's days, each day's kind, and the people × days codes."""
    days = plan_days(a)
    return days, day_kinds(days, rules), shift_grid(a, who["employee_id"], days).to_numpy()


def _roster_sheet(wb, fm: Formats, name: str, who: pd.DataFrame, days: pd.DatetimeIndex, kinds: pd.Series,
                  grid: np.ndarray, rules: Rules, lang: str, month: str) -> None:
    ws = wb.add_worksheet(name)
    marks = shift_marks(rules, lang)
    fills = assignment_fills(rules)
    codes = list(marks)  # shifts, rest, leave
    first_day = len(PERSON_COLS)
    last_day = first_day + len(days) - 1
    total_cols = [*rules.shift_codes, REST, LEAVE]
    hours_col = last_day + len(total_cols) + 1
    last_col = hours_col

    def cell_format(code: str, kind: str, bold: bool = False):
        return _cell_format(fm, fills, code, kind, bold)

    ws.write_string(TITLE_ROW, 0, label("title_roster", lang, month=month), fm.title)
    ws.set_row(TITLE_ROW, 22)

    _write_legend(ws, fm, rules, lang, cell_format, first_day)
    _grid_head(ws, fm, days, kinds, lang)
    for j, code in enumerate(total_cols):
        ws.merge_range(HEADER_ROW, last_day + 1 + j, HEADER_ROW + 1, last_day + 1 + j, marks[code],
                       cell_format(code, WEEKDAY, bold=True))
    ws.merge_range(HEADER_ROW, hours_col, HEADER_ROW + 1, hours_col, label("paid_hours", lang), fm.header)

    count_fmt = fm.get(border=1, border_color="#A6A6A6", align="center")
    hours_fmt = fm.get(border=1, border_color="#A6A6A6", num_format="0.0")
    kind_list = list(kinds)
    by_kind = {kind: {code: cell_format(code, kind) for code in [*codes, ""]} for kind in set(kind_list)}
    day_formats = [by_kind[kind] for kind in kind_list]
    counts = np.stack([(grid == code).sum(axis=1) for code in total_cols], axis=1) if len(grid) else np.zeros((0, 0))

    def shifts_and_totals(row: int, i: int, person) -> None:
        for j, code in enumerate(grid[i]):
            ws.write_string(row, first_day + j, marks.get(code, code), day_formats[j].get(code) or cell_format(code, kind_list[j]))
        for j, n in enumerate(counts[i]):
            ws.write_number(row, last_day + 1 + j, int(n), count_fmt)
        paid = person.paid_hours
        if paid is not None and not pd.isna(paid):
            ws.write_number(row, hours_col, float(paid), hours_fmt)
        else:
            ws.write_blank(row, hours_col, None, hours_fmt)

    row = _person_rows(ws, fm, who, rules, lang, last_col, shifts_and_totals)
    row = _write_daily_totals(ws, fm, grid, who, rules, lang, row, first_day, count_fmt)

    _person_columns(ws, lang)
    ws.set_column(first_day, last_day, 3.6 if lang == "zh" else 5.8)
    ws.set_column(last_day + 1, last_day + len(total_cols), 4.5 if lang == "zh" else 6)
    ws.set_column(hours_col, hours_col, 8)
    ws.freeze_panes(HEADER_ROW + 2, first_day)
    ws.outline_settings(True, False, True, False)
    setup_print(ws, lang, (row - 1, last_col), (HEADER_ROW, HEADER_ROW + 1))
    ws.repeat_columns(0, first_day - 1)


def _lunch_sheet(wb, fm: Formats, name: str, a: pd.DataFrame, who: pd.DataFrame, days: pd.DatetimeIndex,
                 kinds: pd.Series, grid: np.ndarray, airings: pd.DatetimeIndex, rules: Rules, lang: str,
                 month: str) -> None:
    """Each person-day's lunch start in the roster grid's layout, on the shift's colour, in red when it
    overlaps an airing interval; rest and leave marked: what a supervisor pins up to send people to lunch."""
    ws = wb.add_worksheet(name)
    kind_list = list(kinds)
    lunches = a.pivot_table(index="employee_id", columns="date", values="lunch_start", aggfunc="first")
    lunches = lunches.reindex(index=list(who["employee_id"]), columns=days).to_numpy(dtype=object)
    marks = shift_marks(rules, lang)
    fills = assignment_fills(rules)
    first_day = len(PERSON_COLS)
    last_col = first_day + len(days) - 1
    # Minutes since the epoch: the overlap test runs once per person-day, so on plain ints.
    airing = set(epoch_minutes(airings).tolist())
    day_minutes = epoch_minutes(days).tolist()
    step = rules.interval_minutes
    steps = {s.code: range(0, s.unpaid_break_minutes, step) for s in rules.shifts}
    formats: dict[tuple[str, str, bool], Any] = {}

    def cell_format(code: str, kind: str, alert: bool = False):
        key = (code, kind, alert)
        if key not in formats:
            formats[key] = _cell_format(fm, fills, code, kind, alert=alert)
        return formats[key]

    ws.write_string(TITLE_ROW, 0, label("title_lunches", lang, month=month), fm.title)
    ws.set_row(TITLE_ROW, 22)
    minutes = sorted({s.unpaid_break_minutes for s in rules.shifts})
    ws.write_string(LEGEND_ROW, 0, label("lunch_note", lang, minutes="/".join(map(str, minutes))), fm.note)
    _grid_head(ws, fm, days, kinds, lang)

    def lunch_cells(row: int, i: int, person) -> None:
        for j, code in enumerate(grid[i]):
            lunch = lunches[i, j]
            if is_worked(code) and isinstance(lunch, str):
                start = day_minutes[j] + minutes_of(lunch)
                alert = any(start + m in airing for m in steps.get(code, ()))
                ws.write_string(row, first_day + j, lunch, cell_format(code, kind_list[j], alert))
            else:
                ws.write_string(row, first_day + j, marks.get(code, code), cell_format(code, kind_list[j]))

    row = _person_rows(ws, fm, who, rules, lang, last_col, lunch_cells)
    _person_columns(ws, lang)
    ws.set_column(first_day, last_col, 5.2)
    ws.freeze_panes(HEADER_ROW + 2, first_day)
    ws.outline_settings(True, False, True, False)
    setup_print(ws, lang, (row - 1, last_col), (HEADER_ROW, HEADER_ROW + 1))
    ws.repeat_columns(0, first_day - 1)


# -- coverage, hours, KPIs, short intervals -------------------------------------------------------------


def _coverage_sheet(wb, fm: Formats, name: str, chart_name: str, roster: Any, lang: str, month: str) -> None:
    """The coverage table, then the chart of it on a chart sheet of its own (a full landscape page)."""
    ws = wb.add_worksheet(name)
    cov = roster.coverage
    check_columns(cov, COVERAGE_COLUMNS, "coverage")
    frame = cov.loc[:, list(COVERAGE_COLUMNS)].copy()
    frame["airing"] = frame["airing"].astype(bool)
    frame.insert(0, "interval_start", pd.DatetimeIndex(cov.index))
    ws.write_string(0, 0, label("title_coverage", lang, month=month), fm.title)
    header_row = 2
    end = write_frame(ws, fm, frame, header_row, [label(c, lang) for c in frame.columns], lang, bool_as="number")
    first, last = header_row + 1, end - 1
    short_col = list(frame.columns).index("short")
    if last >= first:
        ws.conditional_format(first, short_col, last, short_col,
                              {"type": "cell", "criteria": ">", "value": 0, "format": fm.get(bg_color=SHORT_FILL)})
    ws.freeze_panes(header_row + 1, 1)
    ws.autofilter(header_row, 0, max(last, header_row), len(frame.columns) - 1)
    setup_print(ws, lang, (max(last, header_row), len(frame.columns) - 1), (header_row, header_row), landscape=False)
    if last < first:
        return

    # Coverage vs requirement: two lines over every interval, airings as full-height bars behind them.
    def ref(column: str) -> list:
        j = list(frame.columns).index(column)
        return [name, first, j, last, j]

    lines = wb.add_chart({"type": "line"})
    for column, colour in (("required", "#C00000"), ("staffed", "#2F5597")):
        lines.add_series({"name": label(column, lang), "categories": ref("interval_start"), "values": ref(column),
                          "line": {"color": colour, "width": 1.25}})
    bars = wb.add_chart({"type": "column"})
    bars.add_series({"name": label("airing", lang), "categories": ref("interval_start"), "values": ref("airing"),
                     "y2_axis": True, "gap": 0, "fill": {"color": "#FFC000", "transparency": 55}, "border": {"none": True}})
    # The 0/1 bars fill the height on a 0–1 secondary axis. The axis is kept (its labels and line hidden):
    # a deleted secondary axis puts the bars on the agents' axis in LibreOffice, a flat line at 0.
    bars.set_y2_axis({"min": 0, "max": 1, "label_position": "none", "major_tick_mark": "none",
                      "line": {"none": True}, "major_gridlines": {"visible": False}})
    lines.combine(bars)
    lines.set_title({"name": label("chart_coverage", lang) + " " + month})
    per_day = max(1, int(frame["interval_start"].dt.normalize().value_counts().max()))
    # A text axis: one point per interval. As a date axis every interval of a day would share the day's x.
    lines.set_x_axis({"text_axis": True, "num_format": "mm-dd", "interval_unit": per_day, "interval_tick": per_day,
                      "major_tick_mark": "none",
                      "num_font": {"rotation": -45}})
    lines.set_y_axis({"name": label("agents", lang), "min": 0})
    lines.set_legend({"position": "top"})
    sheet = wb.add_chartsheet(chart_name)
    sheet.set_chart(lines)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_footer("&C" + label("page_footer", lang))


def _hours_sheet(wb, fm: Formats, name: str, who: pd.DataFrame, rules: Rules, lang: str, month: str) -> None:
    ws = wb.add_worksheet(name)
    frame = who.loc[:, ["employee_id", "name", "role", "group", "team", *HOURS_COLUMNS]].copy()
    frame["role"] = frame["role"].map(lambda r: None if r is None else role_name(str(r), lang))
    ws.write_string(0, 0, label("title_hours", lang, month=month), fm.title)
    ws.write_string(1, 0, label("legal_standard", lang) + ":", fm.note)
    ws.write_number(1, 3, rules.legal_monthly_hours, fm.get(num_format="0.00", bold=True))
    ws.write_string(1, 4, label("overtime_note", lang, hours=rules.legal_monthly_hours), fm.note)
    header_row = 3
    end = write_frame(ws, fm, frame, header_row, [label(c, lang) for c in frame.columns], lang)
    first, last = header_row + 1, end - 1
    ot = list(frame.columns).index("overtime_hours")
    if last >= first:
        ws.conditional_format(first, ot, last, ot,
                              {"type": "cell", "criteria": ">", "value": 0, "format": fm.get(bg_color=SHORT_FILL)})
    # Totals as values, not formulas: a reader that does not recalculate (or a CSV) still sees them.
    total_fmt = fm.get(bold=True, top=2)
    ws.write_string(end, 0, label("total", lang), total_fmt)
    for c in HOURS_COLUMNS:
        j = list(frame.columns).index(c)
        ws.write_number(end, j, float(pd.to_numeric(frame[c], errors="coerce").sum()),
                        fm.get(bold=True, top=2, num_format="0.00" if "hours" in c else "0"))
    ws.freeze_panes(header_row + 1, 2)
    ws.autofilter(header_row, 0, max(last, header_row), len(frame.columns) - 1)
    setup_print(ws, lang, (end, len(frame.columns) - 1), (header_row, header_row))


KPI_WIDTHS = (30, 14, 12, 12, 12)  # name, value, and room for the status words beside the value
KPI_LAST_COL = len(KPI_WIDTHS) - 1


def _kpi_sheet(wb, fm: Formats, name: str, roster: Any, rules: Rules, lang: str, month: str, conflicts_sheet: str,
               notes: Sequence[str]) -> None:
    """The KPIs and solve facts with the status in words, the quiet days and the forecast's `notes`, on one
    page; the conflicts and requests not granted are listed on a sheet of their own."""
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, label("title_kpis", lang, month=month), fm.title)
    ws.write_row(2, 0, [label("kpi", lang), label("value", lang)], fm.header)
    row = 3
    conflicts = list(getattr(roster, "conflicts", None) or [])
    facts = {k: getattr(roster, k, None) for k in ("status", "objective", "lower_bound", "gap", "seconds")}
    for kind, (made, not_granted) in requests_by_kind(roster).items():
        facts[f"{kind}s_made"] = made
        facts[f"{kind}s_granted"] = made - len(not_granted)
    for key, value in [*roster.kpis.as_table().items(), *facts.items()]:
        ws.write_string(row, 0, label(key, lang))
        if isinstance(value, (bool, np.bool_)):
            ws.write_string(row, 1, label("yes" if value else "no", lang))
        elif isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(float(value)):
            fmt = "0.0%" if key in PERCENT_KEYS else ("0" if float(value).is_integer() else "0.00")
            ws.write_number(row, 1, float(value), fm.get(num_format=fmt))
        elif value is not None:
            ws.write_string(row, 1, str(value))
        row += 1
        if key == "status" and value is not None:
            words = status_words(str(value), float(roster.gap), len(conflicts), lang)
            ws.write_string(row, 0, label("status_words", lang), fm.get(valign="top"))
            ws.merge_range(row, 1, row, KPI_LAST_COL, words, fm.get(italic=True, text_wrap=True, valign="top"))
            ws.set_row(row, 15 * math.ceil(_text_width(words) / (sum(KPI_WIDTHS[1:]) - 2)))
            row += 1
    last = row - 1  # the last row written: the print area ends there
    if conflicts or getattr(roster, "refused_requests", None):
        last += 2
        ws.write_string(last, 0, label("see_conflicts", lang, sheet=conflicts_sheet), fm.note)
    quiet = list(getattr(roster, "quiet_days", None) or [])
    if quiet:
        last += 2
        ws.write_string(last, 0, label("quiet_days", lang), fm.get(bold=True, font_size=12))
        frame = pd.DataFrame({
            "date": [q.date.isoformat() for q in quiet],
            "rostered": [q.rostered for q in quiet],
            "needed_at_peak": [q.needed for q in quiet],
        })
        last = write_frame(ws, fm, frame, last + 1, [label(c, lang) for c in frame.columns], lang) - 1
        if held_by_weekly_rest(quiet, rules):
            last += 1
            ws.write_string(last, 0, label("quiet_days_exact_rest", lang, rest=rules.rest_days_per_week), fm.note)
    if notes:
        # what the forecast behind the requirement could not know, in the CLI's words
        last += 2
        ws.write_string(last, 0, label("forecast_notes", lang), fm.get(bold=True, font_size=12))
        for note in notes:
            last += 1
            ws.write_string(last, 0, note)
    for j, width in enumerate(KPI_WIDTHS):
        ws.set_column(j, j, width)
    setup_print(ws, lang, (last, KPI_LAST_COL), None, landscape=False, one_page=True)


def _text_width(text: str) -> int:
    """Width of `text` in Excel character units: a CJK character takes two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _wrapped_row(ws, row: int, cells: list[str | None], widths: tuple[float, ...], fmt) -> None:
    """Text cells that wrap within their columns (None: a cell left to the caller), the row as tall as its
    longest cell needs: readers do not size a row written without a height."""
    lines = 1
    for j, text in enumerate(cells):
        if text is not None:
            ws.write_string(row, j, text, fmt)
            lines = max(lines, math.ceil(_text_width(text) / (widths[j] - 1)))
    ws.set_row(row, 15 * lines)


CONFLICT_WIDTHS = (24, 12, 8, 28, 80)


def _conflicts_sheet(wb, fm: Formats, name: str, roster: Any, a: pd.DataFrame, lang: str, month: str) -> None:
    """The rules that could not hold, one row per rule and day, and the requests not granted."""
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, label("title_conflicts", lang, month=month), fm.title)
    conflicts = list(getattr(roster, "conflicts", None) or [])
    refused = list(getattr(roster, "refused_requests", None) or [])
    wrap = fm.get(text_wrap=True, valign="top")
    row = 2
    ws.write_string(row, 0, label("conflicts", lang), fm.get(bold=True, font_size=12))
    if conflicts:
        ws.write_string(row, 1, label("conflicts_note", lang), fm.note)
        row += 1
        ws.write_row(row, 0, [label(c, lang) for c in ("rule", "date", "count", "what", "who_when")], fm.header)
        days = conflict_days(conflicts, a)
        for day in days:
            row += 1
            _wrapped_row(ws, row, [rule_words(day, lang), day.date, None, day_words(day, lang), people_words(day)],
                         CONFLICT_WIDTHS, wrap)
            ws.write_number(row, 2, day.count, fm.get(valign="top"))
        for text in why_words(days, lang):
            row += 1
            ws.merge_range(row, 0, row, len(CONFLICT_WIDTHS) - 1, text, fm.get(italic=True, font_color="#595959", text_wrap=True))
            ws.set_row(row, 15 * math.ceil(_text_width(text) / (sum(CONFLICT_WIDTHS) - 2)))
    else:
        ws.write_string(row, 1, label("none", lang), fm.note)
    row += 2
    ws.write_string(row, 0, label("requests_refused", lang), fm.get(bold=True, font_size=12))
    if refused:
        # soft goals missed, apart from the rules that could not hold
        row += 1
        ws.write_row(row, 0, [label(c, lang) for c in ("request_kind", "date", "employees", "asked", "reason")],
                     fm.header)
        for c in refused:
            row += 1
            _wrapped_row(ws, row, [label(str(getattr(c, "kind", "")), lang), date_text(getattr(c, "date", None)),
                                   ", ".join(map(str, getattr(c, "employees", None) or [])), str(getattr(c, "asked", "")),
                                   str(getattr(c, "reason", ""))], CONFLICT_WIDTHS, wrap)
    else:
        ws.write_string(row, 1, label("none", lang), fm.note)
    for j, width in enumerate(CONFLICT_WIDTHS):
        ws.set_column(j, j, width)
    setup_print(ws, lang, (row, len(CONFLICT_WIDTHS) - 1), None)


def _short_sheet(wb, fm: Formats, name: str, roster: Any, lang: str, month: str) -> None:
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, label("title_short", lang, month=month), fm.title)
    unmet = roster.unmet if getattr(roster, "unmet", None) is not None else pd.DataFrame(columns=UNMET_COLUMNS)
    if unmet.empty:
        ws.write_string(2, 0, label("no_short", lang), fm.note)
        ws.set_column(0, 0, 24)
        setup_print(ws, lang, (2, 0), None, landscape=False)
        return
    check_columns(unmet, UNMET_COLUMNS, "unmet")
    frame = unmet.loc[:, list(UNMET_COLUMNS)].copy()
    frame["airing"] = frame["airing"].astype(bool)
    end = write_frame(ws, fm, frame, 2, [label(c, lang) for c in frame.columns], lang)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, end - 1, len(frame.columns) - 1)
    setup_print(ws, lang, (end - 1, len(frame.columns) - 1), (2, 2), landscape=False)


def _detail_sheet(wb, fm: Formats, name: str, a: pd.DataFrame, who: pd.DataFrame, rules: Rules,
                  lang: str) -> None:
    """One row per person and day with the full shift name, hours and lunch: for filtering and pivoting."""
    ws = wb.add_worksheet(name)
    names = who.set_index("employee_id")["name"]
    start = {s.code: s.start for s in rules.shifts}
    end = {s.code: s.end_text for s in rules.shifts}
    full = {code: shift_name(code, rules, lang) for code in shift_marks(rules, lang)}
    frame = pd.DataFrame({
        "employee_id": a["employee_id"], "name": a["employee_id"].map(names).astype(object),
        "date": a["date"], "shift": a["shift"].map(lambda c: full.get(c, c)).astype(object),
        "start": a["shift"].map(start).astype(object), "end": a["shift"].map(end).astype(object),
        "lunch_start": a["lunch_start"].astype(object),
    })
    end_row = write_frame(ws, fm, frame, 0, [label(c, lang) for c in frame.columns], lang)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(end_row - 1, 0), len(frame.columns) - 1)
    setup_print(ws, lang, (end_row - 1, len(frame.columns) - 1), (0, 0), landscape=False)


def _changes_sheet(wb, fm: Formats, name: str, roster: Any, who: pd.DataFrame, rules: Rules, lang: str,
                   month: str) -> None:
    """A mid-month re-plan's changes: the summary, then one row per person's day changed, before and after."""
    diff = roster.diff
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, label("title_changes", lang, month=month, day=diff.from_day or ""), fm.title)
    ws.write_string(1, 0, diff.summary, fm.note)
    marks = shift_marks(rules, lang)
    frame = changes_frame(roster)
    frame.insert(1, "name", frame["employee_id"].map(who.set_index("employee_id")["name"]).fillna("").astype(str))
    for column in ("before", "after"):
        frame[column] = [marks.get(c, c) for c in frame[column]]
    end = write_frame(ws, fm, frame, 3, [label(c, lang) for c in frame.columns], lang)
    ws.freeze_panes(4, 0)
    ws.set_column(0, 4, 14)
    setup_print(ws, lang, (max(end - 1, 3), len(frame.columns) - 1), (3, 3), landscape=False)


# -- public ---------------------------------------------------------------------------------------------


def roster_workbook(roster: Any, rules: Rules, staff: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                    detail: bool = False, notes: Sequence[str] = ()) -> bytes:
    """The roster as a printable .xlsx: grid, lunches, coverage with chart, hours, KPIs (with the forecast's
    `notes`), conflicts and requests not granted, short intervals[, a mid-month re-plan's changes][, detail]."""
    check_lang(lang)
    out = io.BytesIO()
    wb = new_workbook(out)
    fm = Formats(wb)
    a = assignments_of(roster)
    who = people(roster, staff)
    month = month_label(a["date"])
    taken: set[str] = set()
    names = {k: sheet_name(label(k, lang), taken) for k in
             ("sheet_roster", "sheet_lunches", "sheet_coverage", "chart_coverage", "sheet_hours", "sheet_kpis", "sheet_conflicts", "sheet_short",
              "sheet_changes", "sheet_detail")}
    days, kinds, grid = _grid_of(a, who, rules)
    _roster_sheet(wb, fm, names["sheet_roster"], who, days, kinds, grid, rules, lang, month)
    cov = roster.coverage
    check_columns(cov, COVERAGE_COLUMNS, "coverage")
    airings = pd.DatetimeIndex(cov.index[cov["airing"].astype(bool).to_numpy()])
    _lunch_sheet(wb, fm, names["sheet_lunches"], a, who, days, kinds, grid, airings, rules, lang, month)
    _coverage_sheet(wb, fm, names["sheet_coverage"], names["chart_coverage"], roster, lang, month)
    _hours_sheet(wb, fm, names["sheet_hours"], who, rules, lang, month)
    _kpi_sheet(wb, fm, names["sheet_kpis"], roster, rules, lang, month, names["sheet_conflicts"], notes)
    _conflicts_sheet(wb, fm, names["sheet_conflicts"], roster, a, lang, month)
    _short_sheet(wb, fm, names["sheet_short"], roster, lang, month)
    if getattr(roster, "diff", None) is not None:
        _changes_sheet(wb, fm, names["sheet_changes"], roster, who, rules, lang, month)
    if detail:
        _detail_sheet(wb, fm, names["sheet_detail"], a, who, rules, lang)
    wb.set_properties({"title": label("title_roster", lang, month=month), "comments": "Shiftcast"})
    wb.close()
    return out.getvalue()


def write_roster_workbook(path: str | Path, roster: Any, rules: Rules, staff: pd.DataFrame | None = None,
                          lang: str = DEFAULT_LANG, detail: bool = False, notes: Sequence[str] = ()) -> Path:
    path = Path(path)
    path.write_bytes(roster_workbook(roster, rules, staff, lang, detail, notes))
    return path
