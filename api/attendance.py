"""A stored roster's month checked against a stored clock dataset (the attendance step), as JSON and as the
exports `shiftcast attendance` writes."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from api import inputs
from api.db import Result
from api.roster_document import stored_roster
from api.schemas import AttendanceOut, Table
from core.rules import Rules
from scheduler.attendance import Attendance, attendance_lines
from shiftcast.exports.attendance import days_frame, summary_frame
from shiftcast.exports.roster_frames import assignments_of
from shiftcast.inputs import Inputs
from shiftcast.steps import attendance_step


@dataclass
class RosterAttendance:
    """The attendance of a stored roster's month, with the rules and staff it was read with."""

    roster_id: int
    clock_id: int
    result: Attendance
    rules: Rules
    staff: pd.DataFrame


def roster_attendance(session: Session, roster: Result, clock_id: int) -> RosterAttendance:
    """The roster's month against clock dataset `clock_id` (of the roster's site, else a 404), under the rules
    the roster was solved with and with the approved leave it was solved with."""
    clock_row = inputs.dataset(session, clock_id, "clock", "clock_id", roster.site_id)
    params = roster.inputs or {}
    rules = inputs.rules(session, params.get("rules_id"))
    staff = inputs.table(session, clock_row.staff_id, "staff", "staff_id", rules)
    leave = inputs.table(session, params.get("leave_id"), "leave", "leave_id", rules)
    clock = inputs.table(session, clock_id, "clock", "clock_id", rules, loaded_staff={clock_row.staff_id: staff})
    assignments = assignments_of(stored_roster(inputs.payload(roster)))
    result = attendance_step(Inputs(rules=rules, staff=staff, leave=leave), assignments, clock, roster.month)
    return RosterAttendance(roster_id=roster.id, clock_id=clock_id, result=result, rules=rules, staff=staff)


def attendance_out(a: RosterAttendance) -> AttendanceOut:
    """The JSON of a roster's attendance: the rows of attendance.csv and attendance_days.csv, and the words."""
    names = dict(zip(a.staff["employee_id"], a.staff["name"]))
    return AttendanceOut(
        roster_id=a.roster_id, clock_id=a.clock_id, month=a.result.month,
        late_grace_minutes=a.rules.late_grace_minutes,
        early_departure_grace_minutes=a.rules.early_departure_grace_minutes,
        overtime_after_minutes=a.rules.overtime_after_minutes, outside_month=a.result.outside_month,
        summary=attendance_lines(a.result, names), people=_table(summary_frame(a.result, a.staff)),
        days=_table(days_frame(a.result)),
    )


def _table(frame: pd.DataFrame) -> Table:
    return Table(columns=list(frame.columns), rows=frame.astype(object).values.tolist())
