"""The month's attendance for payroll: a summary per person and the detail per person and day, as CSV
(the contract's column names) and as a printable workbook (Chinese or English labels)."""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd

from core.rules import Rules
from scheduler.attendance import Attendance
from shiftcast.exports.labels import DEFAULT_LANG, check_lang, label, shift_name
from shiftcast.exports.tables import frame_csv
from shiftcast.exports.workbook import Formats, new_workbook, setup_print, write_frame, SHORT_FILL, sheet_name

ATTENDANCE_XLSX, ATTENDANCE_CSV, ATTENDANCE_DAYS_CSV = "attendance.xlsx", "attendance.csv", "attendance_days.csv"
SUMMARY_COLUMNS = (
    "employee_id", "name", "group", "team", "days_rostered", "days_worked", "days_absent", "leave_days", "late_count",
    "late_minutes", "early_count", "early_minutes", "rest_days_worked", "rest_day_hours", "overtime_hours", "anomalies",
)
DAY_COLUMNS = ("employee_id", "date", "shift", "status", "clock_in", "clock_out", "late_minutes", "early_minutes",
               "overtime_minutes", "worked_minutes", "anomalies")
_PERSON = ("name", "group", "team")
# Status words: rest and leave read as the roster's long names for those days.
_STATUS_LABEL = {"rest": "rest_long", "leave": "leave_long"}


def summary_frame(result: Attendance, staff: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person: the month's counts for payroll, with name, group and team from the staff list."""
    rows = [{**dataclasses.asdict(p), "rest_day_hours": p.rest_day_hours, "overtime_hours": p.overtime_hours}
            for p in result.people]
    frame = pd.DataFrame(rows, columns=[c for c in SUMMARY_COLUMNS if c not in _PERSON])
    known = staff.set_index("employee_id") if staff is not None else pd.DataFrame(columns=list(_PERSON))
    for j, column in enumerate(_PERSON, start=1):
        frame.insert(j, column, frame["employee_id"].map(known[column]).astype(object).fillna(""))
    return frame


def days_frame(result: Attendance) -> pd.DataFrame:
    """One row per person and day: the roster's code, the status, the punches (HH:MM) and their minutes;
    anomalies as codes separated by ';'."""
    def clock_time(t: pd.Timestamp | None) -> str:
        return "" if t is None else f"{t:%H:%M}"

    return pd.DataFrame([{
        **dataclasses.asdict(d), "date": d.date.strftime("%Y-%m-%d"), "clock_in": clock_time(d.clock_in),
        "clock_out": clock_time(d.clock_out), "anomalies": ";".join(d.anomalies),
    } for d in result.days], columns=list(DAY_COLUMNS))


def attendance_workbook(result: Attendance, rules: Rules, staff: pd.DataFrame | None = None,
                        lang: str = DEFAULT_LANG) -> bytes:
    """The summary sheet (one row per person, with totals) and the per-day detail sheet, each printing on A4."""
    check_lang(lang)
    out = io.BytesIO()
    wb = new_workbook(out)
    fm = Formats(wb)
    taken: set[str] = set()
    _summary_sheet(wb, fm, sheet_name(label("sheet_attendance", lang), taken), result, rules, staff, lang)
    _days_sheet(wb, fm, sheet_name(label("sheet_attendance_days", lang), taken), result, rules, lang)
    wb.set_properties({"title": label("title_attendance", lang, month=result.month), "comments": "Shiftcast"})
    wb.close()
    return out.getvalue()


def _summary_sheet(wb, fm: Formats, name: str, result: Attendance, rules: Rules, staff: pd.DataFrame | None,
                   lang: str) -> None:
    ws = wb.add_worksheet(name)
    frame = summary_frame(result, staff)
    ws.write_string(0, 0, label("title_attendance", lang, month=result.month), fm.title)
    ws.write_string(1, 0, label("attendance_note", lang, late=rules.late_grace_minutes,
                                early=rules.early_departure_grace_minutes, overtime=rules.overtime_after_minutes), fm.note)
    if result.outside_month:
        ws.write_string(2, 0, label("outside_month_note", lang, n=result.outside_month, month=result.month), fm.note)
    header_row = 4
    end = write_frame(ws, fm, frame, header_row, [label(c, lang) for c in frame.columns], lang)
    first, last = header_row + 1, end - 1
    if last >= first:
        for column in ("days_absent", "late_count", "early_count", "anomalies"):
            j = list(frame.columns).index(column)
            ws.conditional_format(first, j, last, j, {"type": "cell", "criteria": ">", "value": 0,
                                                      "format": fm.get(bg_color=SHORT_FILL)})
    # Totals as values, not formulas: a reader that does not recalculate still sees them.
    ws.write_string(end, 0, label("total", lang), fm.get(bold=True, top=2))
    for j, column in enumerate(frame.columns):
        if column not in ("employee_id", *_PERSON):
            ws.write_number(end, j, float(frame[column].sum()),
                            fm.get(bold=True, top=2, num_format="0.00" if "hours" in column else "0"))
    ws.freeze_panes(header_row + 1, 2)
    ws.autofilter(header_row, 0, max(last, header_row), len(frame.columns) - 1)
    setup_print(ws, lang, (end, len(frame.columns) - 1), (header_row, header_row))


def _days_sheet(wb, fm: Formats, name: str, result: Attendance, rules: Rules, lang: str) -> None:
    ws = wb.add_worksheet(name)
    frame = days_frame(result)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["shift"] = frame["shift"].map(lambda code: shift_name(code, rules, lang) if code else "").astype(object)
    frame["status"] = frame["status"].map(lambda s: label(_STATUS_LABEL.get(s, s), lang)).astype(object)
    frame["anomalies"] = frame["anomalies"].map(
        lambda codes: "; ".join(label(c, lang) for c in codes.split(";") if c)).astype(object)
    headers = [label("attendance_status" if c == "status" else c, lang) for c in frame.columns]
    ws.write_string(0, 0, label("title_attendance_days", lang, month=result.month), fm.title)
    end = write_frame(ws, fm, frame, 2, headers, lang)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(end - 1, 2), len(frame.columns) - 1)
    setup_print(ws, lang, (end - 1, len(frame.columns) - 1), (2, 2))


def write_attendance(out_dir: str | Path, result: Attendance, rules: Rules, staff: pd.DataFrame | None = None,
                     lang: str = DEFAULT_LANG) -> list[Path]:
    """attendance.xlsx, attendance.csv (the summary) and attendance_days.csv into `out_dir`; their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        ATTENDANCE_XLSX: attendance_workbook(result, rules, staff, lang),
        ATTENDANCE_CSV: frame_csv(summary_frame(result, staff), index=False),
        ATTENDANCE_DAYS_CSV: frame_csv(days_frame(result), index=False),
    }
    for file_name, data in files.items():
        (out_dir / file_name).write_bytes(data)
    return [out_dir / n for n in files]
