"""CSV files of the roster: assignments, coverage, people and hours, short intervals; the forecast; any table.

Headers are the contract's column names (machine-readable, the same in every language); shift codes are
the rules' codes with OFF and LEAVE. Text that a spreadsheet would run as a formula gets a leading `'`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from shiftcast.exports.cells import csv_safe_frame
from shiftcast.exports.roster_frames import (
    ASSIGNMENT_COLUMNS, COVERAGE_COLUMNS, HOURS_COLUMNS, PERSON_COLUMNS, UNMET_COLUMNS, assignments_of,
    check_columns, people,
)

# File names in an output folder, as the CLI and the API's downloads call them.
ROSTER_CSV, COVERAGE_CSV, EMPLOYEES_CSV, SHORT_CSV = "roster.csv", "coverage.csv", "employees.csv", "short_intervals.csv"
# a mid-month re-plan's changes (Roster.diff), one row per person's day changed
CHANGES_CSV = "changes.csv"
CHANGES_COLUMNS = ("employee_id", "date", "before", "after")
# forecast.csv's columns after interval_start: the expected calls and the prediction interval around them.
FORECAST_COLUMNS = ("mean", "lower", "upper")


def frame_csv(df: pd.DataFrame, index: bool | None = None) -> bytes:
    """Any table as UTF-8 CSV, formula-safe.

    A named or non-range index is written as the first column(s) unless `index` says otherwise.
    """
    if index is None:
        index = not isinstance(df.index, pd.RangeIndex) or any(n is not None for n in df.index.names)
    if index:
        df = df.reset_index()
    text = csv_safe_frame(df).to_csv(index=False, lineterminator="\n", date_format=None)
    return text.encode("utf-8")


def forecast_frame(forecast: pd.DataFrame) -> pd.DataFrame:
    """A month forecast as forecast.csv holds it: interval_start, mean, lower, upper (calls, 3 decimals)."""
    out = forecast.loc[:, list(FORECAST_COLUMNS)].round(3)
    out.index.name = "interval_start"
    return out


def roster_frame(roster: Any) -> pd.DataFrame:
    """Exactly employee_id, date (YYYY-MM-DD), shift, lunch_start (HH:MM or empty)."""
    a = assignments_of(roster)
    a["date"] = a["date"].dt.strftime("%Y-%m-%d")
    return a.loc[:, list(ASSIGNMENT_COLUMNS)]


def coverage_frame(roster: Any) -> pd.DataFrame:
    cov = roster.coverage
    check_columns(cov, COVERAGE_COLUMNS, "coverage")
    out = cov.loc[:, list(COVERAGE_COLUMNS)].copy()
    out["airing"] = out["airing"].astype(bool)
    out.insert(0, "interval_start", pd.DatetimeIndex(cov.index).strftime("%Y-%m-%d %H:%M"))
    return out.reset_index(drop=True)


def employees_frame(roster: Any, staff: pd.DataFrame | None = None) -> pd.DataFrame:
    return people(roster, staff).loc[:, [*PERSON_COLUMNS, *HOURS_COLUMNS]]


def unmet_frame(roster: Any) -> pd.DataFrame:
    unmet = getattr(roster, "unmet", None)
    if unmet is None or unmet.empty:
        return pd.DataFrame(columns=list(UNMET_COLUMNS))
    check_columns(unmet, UNMET_COLUMNS, "unmet")
    out = unmet.loc[:, list(UNMET_COLUMNS)].copy()
    out["interval_start"] = pd.DatetimeIndex(out["interval_start"]).strftime("%Y-%m-%d %H:%M")
    return out


def roster_csv(roster: Any) -> bytes:
    return frame_csv(roster_frame(roster), index=False)


def coverage_csv(roster: Any) -> bytes:
    return frame_csv(coverage_frame(roster), index=False)


def employees_csv(roster: Any, staff: pd.DataFrame | None = None) -> bytes:
    return frame_csv(employees_frame(roster, staff), index=False)


def unmet_csv(roster: Any) -> bytes:
    return frame_csv(unmet_frame(roster), index=False)


def changes_frame(roster: Any) -> pd.DataFrame:
    """A re-plan's changes (Roster.diff): who, which day, from what to what."""
    diff = getattr(roster, "diff", None)
    rows = [(c.employee_id, c.date, c.before, c.after) for c in diff.changes] if diff is not None else []
    return pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))


def write_roster_csvs(out_dir: str | Path, roster: Any, staff: pd.DataFrame | None = None) -> list[Path]:
    """roster.csv, coverage.csv, employees.csv and short_intervals.csv into `out_dir`, and changes.csv for a
    mid-month re-plan; their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        ROSTER_CSV: roster_csv(roster), COVERAGE_CSV: coverage_csv(roster),
        EMPLOYEES_CSV: employees_csv(roster, staff), SHORT_CSV: unmet_csv(roster),
    }
    if getattr(roster, "diff", None) is not None:
        files[CHANGES_CSV] = frame_csv(changes_frame(roster), index=False)
    paths = []
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
        paths.append(out_dir / name)
    return paths


def write_frame_csv(path: str | Path, df: pd.DataFrame, index: bool | None = None) -> Path:
    """`frame_csv` of the table written to `path`; the path."""
    path = Path(path)
    path.write_bytes(frame_csv(df, index=index))
    return path
