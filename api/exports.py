"""A stored roster's downloads: the printable workbook, the CSV, and the employees' calendars."""
from __future__ import annotations

import pandas as pd

from core.rules import Rules
from shiftcast.exports import calendar, tables, workbook
from shiftcast.steps import Roster

DEFAULT_EXPORT_LANG = "zh"  # the exports' own default: Chinese labels with English alongside
EXPORT_FORMATS = {  # format -> (media type, file suffix)
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv", "csv"),
    "ics": ("application/zip", "ics.zip"),
}


def roster_export(roster: Roster, fmt: str, rules: Rules, lang: str, staff: pd.DataFrame | None = None) -> bytes:
    """The roster as a printable workbook, the roster CSV, or a zip of per-employee calendars."""
    if fmt == "xlsx":
        return workbook.roster_workbook(roster, rules, staff, lang=lang)
    if fmt == "csv":
        return tables.roster_csv(roster)
    if fmt == "ics":
        return calendar.calendars_zip(roster, rules, staff, lang=lang)
    raise ValueError(fmt)
