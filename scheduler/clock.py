"""The loader of clock records from the punch system (打卡): employee_id, time, kind (in / out)."""
from __future__ import annotations

import pandas as pd

from core import tables
from core.rules import Rules
from scheduler.data import Source

CLOCK_COLUMNS = ("employee_id", "time", "kind")
CLOCK_IN, CLOCK_OUT = "in", "out"
# Punch systems export the direction in English or Chinese; each word reads as in or out.
_KIND_WORDS = {"in": CLOCK_IN, "out": CLOCK_OUT, "上班": CLOCK_IN, "下班": CLOCK_OUT, "签到": CLOCK_IN, "签退": CLOCK_OUT}


def clock_from_table(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Typed clock records, each employee one of `people`'s (the staff list, or the roster when no staff
    list is given: its attrs name the file in the error)."""
    tables.require_filled(frame, "employee_id", "an employee id")
    known = set(people["employee_id"])
    tables.fail_at(frame, (~frame["employee_id"].isin(known)).to_numpy(), "employee_id",
                   f"an employee id from {people.attrs.get('source', 'the staff file')}")
    stamps = tables.datetimes(frame, "time")
    kinds = frame["kind"].map(lambda cell: _KIND_WORDS.get(cell.lower()))
    tables.fail_at(frame, kinds.isna().to_numpy(), "kind", "in or out (上班 / 下班, 签到 / 签退)")
    out = pd.DataFrame({"employee_id": frame["employee_id"], "time": stamps, "kind": kinds}).reset_index(drop=True)
    out.attrs["source"] = frame.attrs.get("source", "clock")
    return out


def load_clock(path: Source, people: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Clock records (CSV, or the first sheet of an .xlsx): one row per punch, in any order; a punch sent
    twice counts once."""
    frame = tables.read_table(path, CLOCK_COLUMNS, source=source, excel=True,
                              needs="attendance is read from the month's clock records")
    with tables.in_sheet(frame):
        return clock_from_table(frame, people)


def shift_days(clock: pd.DataFrame, assignments: pd.DataFrame, rules: Rules) -> pd.Series:
    """The day each punch (employee_id, time) belongs to: its own date, or the day before when the roster
    (employee_id, date, shift) has the person on a shift past midnight then and the punch comes before the
    middle of the rest after it (the rest up to the next day's shift's start, or a day when none follows)."""
    dates = clock["time"].dt.normalize()
    night = {s.code: s for s in rules.shifts if s.overnight}
    if not night or clock.empty:
        return dates
    starts = {s.code: s.start_minute for s in rules.shifts}
    rostered = dict(zip(zip(assignments["employee_id"], pd.to_datetime(assignments["date"]).dt.normalize()),
                        assignments["shift"]))
    out = dates.copy()
    day = pd.Timedelta(days=1)
    for i, (e, t, d) in enumerate(zip(clock["employee_id"], clock["time"], dates)):
        shift = night.get(rostered.get((e, d - day)))
        if shift is None:
            continue
        end = d - day + pd.Timedelta(minutes=shift.end_minute)
        following = rostered.get((e, d))
        next_start = d + pd.Timedelta(minutes=starts[following]) if following in starts else end + pd.Timedelta(hours=24)
        if t < end + (next_start - end) / 2:
            out.iloc[i] = d - day
    return out
