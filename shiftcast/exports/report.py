"""The report (shiftcast.report) as a printable workbook: the words, then one sheet per part (intervals, days,
airings by channel, forecast accuracy by time of day, lost calls by cause and by hour), each on A4; and the
morning meeting's sheet (shiftcast.morning) on one page."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from core.rules import Rules
from scheduler.lost_calls import CAUSE_KEYS
from shiftcast.exports.labels import DEFAULT_LANG, check_lang, label, shift_name
from shiftcast.exports.workbook import SHORT_FILL, Formats, new_workbook, setup_print, sheet_name, write_frame
from shiftcast.morning import MorningSheet
from shiftcast.report import Report, report_lines


def _table(ws, fm: Formats, frame: pd.DataFrame, row: int, lang: str) -> int:
    """`frame` with its index as the first column, headed by labels; the first row after it."""
    flat = frame.reset_index()
    return write_frame(ws, fm, flat, row, [label(str(c), lang) for c in flat.columns], lang)


def _sheet(wb, fm: Formats, taken: set[str], key: str, title: str, frame: pd.DataFrame, lang: str,
           note: str | None = None):
    """A sheet of one titled table, its header row repeated on every printed page; the worksheet and the row
    after the table."""
    ws = wb.add_worksheet(sheet_name(label(key, lang), taken))
    ws.write_string(0, 0, title, fm.title)
    header = 2
    if note:
        ws.write_string(1, 0, note, fm.note)
        header = 3
    end = _table(ws, fm, frame, header, lang)
    ws.freeze_panes(header + 1, 1)
    setup_print(ws, lang, (end - 1, len(frame.columns)), (header, header))
    return ws, end


def report_workbook(report: Report, lang: str = DEFAULT_LANG) -> bytes:
    """The report's workbook: its words on the first sheet, then one sheet per part."""
    check_lang(lang)
    out = io.BytesIO()
    wb = new_workbook(out)
    fm = Formats(wb)
    taken: set[str] = set()
    period = report.period.title
    ws = wb.add_worksheet(sheet_name(label("sheet_report", lang), taken))
    ws.write_string(0, 0, label("title_report", lang, period=period), fm.title)
    lines = report_lines(report)
    for i, line in enumerate(lines, start=2):
        ws.write_string(i, 0, line)
    ws.set_column(0, 0, 120)
    setup_print(ws, lang, (len(lines) + 1, 0), None, landscape=False)

    intervals = report.intervals.copy()
    _, end = _sheet(wb, fm, taken, "sheet_report_intervals", label("title_report_intervals", lang, period=period),
                    intervals, lang)
    _sheet(wb, fm, taken, "sheet_report_days", label("title_report_days", lang, period=period), report.by_day, lang)
    ws, end = _sheet(wb, fm, taken, "sheet_report_airings", label("title_report_airings", lang, period=period),
                     report.airings.set_index("start"), lang)
    ws.write_string(end + 1, 0, label("title_report_channels", lang), fm.title)
    last = _table(ws, fm, report.channels, end + 2, lang)
    setup_print(ws, lang, (last - 1, max(len(report.airings.columns) - 1, len(report.channels.columns))), None)
    _sheet(wb, fm, taken, "sheet_report_accuracy", label("title_report_accuracy", lang, period=period),
           report.by_time_of_day, lang)
    if report.lost is not None:
        lost = report.lost[list(CAUSE_KEYS) + ["modelled"]]
        lost.insert(0, "lost", report.intervals["abandoned"].reindex(lost.index))
        ws, end = _sheet(wb, fm, taken, "sheet_report_lost", label("title_report_lost", lang, period=period), lost,
                         lang, note=label("report_lost_note", lang))
        ws.conditional_format(4, 1, end - 1, 1, {"type": "cell", "criteria": ">=", "value": 1,
                                                 "format": fm.get(bg_color=SHORT_FILL)})
        ws.write_string(end + 1, 0, label("title_report_lost_hours", lang), fm.title)
        last = _table(ws, fm, report.lost_by_hour, end + 2, lang)
        setup_print(ws, lang, (last - 1, len(lost.columns)), (3, 3))
    wb.set_properties({"title": label("title_report", lang, period=period), "comments": "Shiftcast"})
    wb.close()
    return out.getvalue()


def write_report_workbook(path: str | Path, report: Report, lang: str = DEFAULT_LANG) -> Path:
    """The report's workbook written to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report_workbook(report, lang))
    return path


def morning_workbook(sheet: MorningSheet, rules: Rules, lang: str = DEFAULT_LANG) -> bytes:
    """The morning meeting's sheet on one printable A4 page: yesterday's numbers in words, today's airings, the
    expected peaks and who is on which shift by group."""
    check_lang(lang)
    out = io.BytesIO()
    wb = new_workbook(out)
    fm = Formats(wb)
    ws = wb.add_worksheet(sheet_name(label("sheet_morning", lang), set()))
    ws.write_string(0, 0, label("title_morning", lang, day=f"{sheet.day:%Y-%m-%d}"), fm.title)
    row = 2
    if sheet.yesterday is not None:
        ws.write_string(row, 0, label("morning_yesterday", lang), fm.get(bold=True))
        for line in report_lines(sheet.yesterday)[1:]:
            row += 1
            ws.write_string(row, 0, line)
        row += 2
    for note in sheet.notes:
        ws.write_string(row, 0, f"note: {note}", fm.note)
        row += 1
    width = 0
    for key, frame in (("morning_airings", sheet.airings), ("morning_peaks", sheet.peaks),
                       ("morning_shifts", sheet.shifts.assign(
                           shift=[shift_name(c, rules, lang) for c in sheet.shifts["shift"]]))):
        row += 1
        ws.write_string(row, 0, label(key, lang), fm.get(bold=True))
        row = write_frame(ws, fm, frame, row + 1, [label(str(c), lang) for c in frame.columns], lang) + 1
        width = max(width, len(frame.columns))
    ws.set_column(0, 0, 18)
    setup_print(ws, lang, (row, max(width - 1, 0)), None, landscape=False, one_page=True)
    wb.set_properties({"title": label("title_morning", lang, day=f"{sheet.day:%Y-%m-%d}"), "comments": "Shiftcast"})
    wb.close()
    return out.getvalue()


def write_morning_workbook(path: str | Path, sheet: MorningSheet, rules: Rules, lang: str = DEFAULT_LANG) -> Path:
    """The morning sheet's workbook written to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(morning_workbook(sheet, rules, lang))
    return path
