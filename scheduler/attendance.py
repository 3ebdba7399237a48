"""Attendance: the month's clock records checked against the roster, per person per day, and the month
summed per person for payroll.

A day's first clock-in and last clock-out are its times (punches repeated in between do not count). On a
shift day: late when the clock-in is more than `late_grace_minutes` after the shift's start, early when
the clock-out is more than `early_departure_grace_minutes` before its end (the minutes counted from the
start or end), overtime when the clock-out is `overtime_after_minutes` or more past the end (counted from
the end); absent without any punch. A day of approved leave (LEAVE in the roster, or `leave` in the leave
file) is never an absence. Punches on a rest day are a rest day worked. What the punches leave unsaid (no
clock-out, no clock-in, a clock-out before the first clock-in, punches on a day of leave or a day the roster
does not hold) is an anomaly of that day, not an error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby

import pandas as pd
from natsort import natsorted

from core.errors import DataError
from core.periods import month_start
from core.rules import Rules
from core.words import counted, named
from scheduler.clock import CLOCK_IN, shift_days
from scheduler.roster_problem import LEAVE

# A day's status: one word for what the day was.
ON_TIME, LATE, EARLY, LATE_AND_EARLY = "on_time", "late", "early", "late_and_early"
INCOMPLETE = "incomplete"  # a shift day with a punch missing and nothing late or early in the other
ABSENT, ON_LEAVE, RESTED, REST_DAY_WORKED = "absent", "leave", "rest", "rest_day_worked"
STATUSES = (ON_TIME, LATE, EARLY, LATE_AND_EARLY, INCOMPLETE, ABSENT, ON_LEAVE, RESTED, REST_DAY_WORKED)
WORKED = (ON_TIME, LATE, EARLY, LATE_AND_EARLY, INCOMPLETE, REST_DAY_WORKED)

# What a day's punches leave unsaid.
MISSING_CLOCK_OUT, MISSING_CLOCK_IN = "missing_clock_out", "missing_clock_in"
OUT_BEFORE_IN = "out_before_in"
CLOCKED_ON_LEAVE, NOT_ROSTERED = "clocked_on_leave", "not_rostered"
ANOMALIES = (MISSING_CLOCK_OUT, MISSING_CLOCK_IN, OUT_BEFORE_IN, CLOCKED_ON_LEAVE, NOT_ROSTERED)


@dataclass(frozen=True)
class AttendanceDay:
    """One person's day: the roster's code for it, its first clock-in and last clock-out, and what they make."""

    employee_id: str
    date: pd.Timestamp
    shift: str  # a shift code of the rules, OFF, LEAVE, or "" when the roster holds no such day
    status: str
    clock_in: pd.Timestamp | None
    clock_out: pd.Timestamp | None
    late_minutes: int
    early_minutes: int
    overtime_minutes: int
    worked_minutes: int  # from the first clock-in to the last clock-out, lunch included
    anomalies: tuple[str, ...]


@dataclass(frozen=True)
class PersonMonth:
    """One person's month for payroll."""

    employee_id: str
    days_rostered: int  # shift days, leave not counted
    days_worked: int  # days with a punch, rest days included
    days_absent: int
    leave_days: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    rest_days_worked: int
    rest_day_minutes: int
    overtime_minutes: int
    anomalies: int

    @property
    def overtime_hours(self) -> float:
        return round(self.overtime_minutes / 60, 2)

    @property
    def rest_day_hours(self) -> float:
        return round(self.rest_day_minutes / 60, 2)


@dataclass(frozen=True)
class Attendance:
    """A month's attendance: every person's days and month; `outside_month` clock records fell outside it."""

    month: str
    days: list[AttendanceDay]
    people: list[PersonMonth]
    outside_month: int


def _minutes(delta: pd.Timedelta, *, up: bool) -> int:
    value = delta / pd.Timedelta(minutes=1)
    return math.ceil(value) if up else math.floor(value)


def _day(employee_id: str, date: pd.Timestamp, shift: str, on_leave: bool, ins: list[pd.Timestamp],
         outs: list[pd.Timestamp], rules: Rules) -> AttendanceDay:
    ins, outs = sorted(ins), sorted(outs)
    first_in = ins[0] if ins else None
    last_out = outs[-1] if outs else None
    anomalies: list[str] = []
    if first_in is not None and last_out is not None and outs[0] < first_in:
        anomalies.append(OUT_BEFORE_IN)
        if last_out < first_in:  # every clock-out came before the clock-in: the day has no end
            last_out = None
    if ins and last_out is None:
        anomalies.append(MISSING_CLOCK_OUT)
    if outs and first_in is None:
        anomalies.append(MISSING_CLOCK_IN)
    worked = _minutes(last_out - first_in, up=False) if first_in is not None and last_out is not None else 0
    punched = bool(ins or outs)
    late = early = overtime = 0
    if on_leave:
        status = ON_LEAVE
        if punched:
            anomalies.append(CLOCKED_ON_LEAVE)
    elif shift in rules.shift_codes:
        template = rules.shift(shift)
        start = date + pd.Timedelta(minutes=template.start_minute)
        end = date + pd.Timedelta(minutes=template.end_minute)
        if first_in is not None and _minutes(first_in - start, up=True) > rules.late_grace_minutes:
            late = _minutes(first_in - start, up=True)
        if last_out is not None and _minutes(end - last_out, up=True) > rules.early_departure_grace_minutes:
            early = _minutes(end - last_out, up=True)
        if last_out is not None and _minutes(last_out - end, up=False) >= rules.overtime_after_minutes:
            overtime = _minutes(last_out - end, up=False)
        if not punched:
            status = ABSENT
        elif late and early:
            status = LATE_AND_EARLY
        elif late or early:
            status = LATE if late else EARLY
        else:
            status = INCOMPLETE if first_in is None or last_out is None else ON_TIME
    else:
        status = REST_DAY_WORKED if punched else RESTED
        if punched and shift == "":
            anomalies.append(NOT_ROSTERED)
    return AttendanceDay(employee_id=employee_id, date=date, shift=shift, status=status, clock_in=first_in,
                         clock_out=last_out, late_minutes=late, early_minutes=early, overtime_minutes=overtime,
                         worked_minutes=max(worked, 0), anomalies=tuple(anomalies))


def _person(employee_id: str, days: list[AttendanceDay]) -> PersonMonth:
    def count(*statuses: str) -> int:
        return sum(d.status in statuses for d in days)

    return PersonMonth(
        employee_id=employee_id,
        days_rostered=count(ON_TIME, LATE, EARLY, LATE_AND_EARLY, INCOMPLETE, ABSENT),
        days_worked=count(*WORKED),
        days_absent=count(ABSENT),
        leave_days=count(ON_LEAVE),
        late_count=sum(d.late_minutes > 0 for d in days),
        late_minutes=sum(d.late_minutes for d in days),
        early_count=sum(d.early_minutes > 0 for d in days),
        early_minutes=sum(d.early_minutes for d in days),
        rest_days_worked=count(REST_DAY_WORKED),
        rest_day_minutes=sum(d.worked_minutes for d in days if d.status == REST_DAY_WORKED),
        overtime_minutes=sum(d.overtime_minutes for d in days),
        anomalies=sum(len(d.anomalies) for d in days),
    )


def month_attendance(roster: pd.DataFrame, clock: pd.DataFrame, rules: Rules, month: str,
                     leave: pd.DataFrame | None = None) -> Attendance:
    """Every person's days of `month` (YYYY-MM) from the roster (employee_id, date, shift) and the clock
    records (employee_id, time, kind), with approved `leave` (kind `leave`) counted as leave, not absence."""
    period = month_start(month).to_period("M")
    in_month = roster[roster["date"].dt.to_period("M") == period]
    if in_month.empty:
        span = (f"it covers {roster['date'].min():%Y-%m-%d} → {roster['date'].max():%Y-%m-%d}" if len(roster)
                else "it has no rows")
        raise DataError(roster.attrs.get("source", "roster"), f"holds no days of {month}: {span}", column="date")
    # a night shift's punches after midnight are its day's (scheduler.clock.shift_days)
    dated = clock.assign(date=shift_days(clock, roster, rules))
    punches = dated[dated["date"].dt.to_period("M") == period]
    shifts = {(e, d): s for e, d, s in zip(in_month["employee_id"], in_month["date"], in_month["shift"])}
    approved = set()
    if leave is not None and len(leave):
        taken = leave[leave["kind"] == "leave"]
        approved = set(zip(taken["employee_id"], taken["date"]))
    by_day: dict[tuple[str, pd.Timestamp], tuple[list, list]] = {}
    for e, t, kind, d in zip(punches["employee_id"], punches["time"], punches["kind"], punches["date"]):
        ins, outs = by_day.setdefault((e, d), ([], []))
        (ins if kind == CLOCK_IN else outs).append(t)
    keys = natsorted(set(shifts) | set(by_day), key=lambda k: (k[0], k[1].value))
    days = [_day(e, d, shifts.get((e, d), ""), shifts.get((e, d)) == LEAVE or (e, d) in approved,
                 *by_day.get((e, d), ([], [])), rules) for e, d in keys]
    # The days are in person order, so each person's days are one run.
    people = [_person(e, list(run)) for e, run in groupby(days, key=lambda d: d.employee_id)]
    return Attendance(month=str(period), days=days, people=people, outside_month=len(clock) - len(punches))


def _most(people: list[PersonMonth], count: str, minutes: str | None, what: str, names: dict[str, str]) -> str:
    worst = max(people, key=lambda p: (getattr(p, count), getattr(p, minutes) if minutes else 0))
    if getattr(worst, count) == 0:
        return f"no one was {what}"
    tied = [p for p in people if getattr(p, count) == getattr(worst, count)
            and (minutes is None or getattr(p, minutes) == getattr(worst, minutes))]
    who = ", ".join(named(p.employee_id, names) for p in tied[:3]) + (f" and {len(tied) - 3} more" if len(tied) > 3 else "")
    detail = counted(getattr(worst, count), "day")
    if minutes:
        detail += f", {counted(getattr(worst, minutes), 'minute')}"
    return f"{what} most: {who} ({detail})"


def attendance_lines(result: Attendance, names: dict[str, str] | None = None) -> list[str]:
    """The month in words: its totals, who was absent most and late most, and what the punches left unsaid."""
    names = names or {}
    p = result.people

    def total(field: str) -> int:
        return sum(getattr(x, field) for x in p)

    lines = [
        f"attendance {result.month}: {counted(len(p), 'person', 'people')}, {total('days_rostered'):,} shift days, "
        f"{total('days_worked'):,} worked, {counted(total('days_absent'), 'absence')}, "
        f"{counted(total('leave_days'), 'day')} of leave",
        f"late arrivals {total('late_count'):,} ({counted(total('late_minutes'), 'minute')}), "
        f"early departures {total('early_count'):,} ({counted(total('early_minutes'), 'minute')}), "
        f"{counted(total('rest_days_worked'), 'rest day')} worked, overtime {total('overtime_minutes') / 60:,.2f} h",
        _most(p, "days_absent", None, "absent", names),
        _most(p, "late_count", "late_minutes", "late", names),
    ]
    unsaid = [d for d in result.days if d.anomalies]
    if unsaid:
        kinds = pd.Series([a for d in unsaid for a in d.anomalies]).value_counts()
        lines.append(f"anomalies on {counted(len(unsaid), 'day')}: "
                     + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items()))
    if result.outside_month:
        lines.append(f"{counted(result.outside_month, 'clock record')} outside {result.month} ignored")
    return lines
