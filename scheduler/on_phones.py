"""Who is on the phones on a day at a time of day: the roster's people (roster.csv's employee_id, date, shift,
lunch_start), checked against the clock records punched so far when there are any.

At `at`, a rostered person who clocked in is on the phones for the rest of their shift (late or not); one who
clocked out and did not clock in again has left; one not clocked in once the shift's start plus the late
grace has passed is missing for the rest of the day (unless they arrive, which a later look sees); one whose
shift has not started yet (or is inside the grace) is expected as rostered. Someone who clocked in on a rest
day works the shift whose start lies nearest their clock-in, their lunch in the middle of its window. The day's
first hours are also worked by the day before's shifts past midnight (at 01:00, yesterday's night shift).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.rules import Rules, ShiftTemplate
from scheduler.clock import CLOCK_IN, shift_days
from scheduler.roster_problem import LEAVE, OFF_PHONE_ROLES

# What is known of a person's day at the time of the look.
EXPECTED = "expected"  # no clock records given, or the shift (with its grace) has not started yet
IN = "in"  # clocked in by the shift's start plus the grace
LATE = "late"  # clocked in after it
NOT_IN = "not_in"  # not clocked in although the shift started more than the grace ago
LEFT = "left"  # clocked out and not back
REST_DAY_IN = "rest_day_in"  # clocked in on a rest day (or a day the roster does not hold)
PRESENT = (EXPECTED, IN, LATE, REST_DAY_IN)


@dataclass(frozen=True)
class Workday:
    """One phone person's day as known at the time of the look: the shift they work (a code of the rules),
    its hours and lunch in minutes after the look's day's midnight (below 0 for the day before's night shift,
    which started then), and what the clock says (`status`, first clock-in, last clock-out before the look)."""

    employee_id: str
    shift: str
    start_minute: int
    end_minute: int
    lunch_minute: int | None
    lunch_minutes: int
    status: str
    rostered: bool = True  # False: a rest day (or a day the roster does not hold) worked
    clock_in: pd.Timestamp | None = None
    clock_out: pd.Timestamp | None = None
    late_by: int = 0  # minutes clocked in after the shift's start

    @property
    def present(self) -> bool:
        return self.status in PRESENT

    def late_minutes(self) -> int:
        return self.late_by

    def on_phones(self, minute: np.ndarray) -> np.ndarray:
        """True at each interval start of `minute` (minutes of the day) this person works, lunch left out."""
        on = (minute >= self.start_minute) & (minute < self.end_minute)
        if self.lunch_minute is not None:
            on &= ~((minute >= self.lunch_minute) & (minute < self.lunch_minute + self.lunch_minutes))
        return on


@dataclass(frozen=True)
class PhonesDay:
    """The phone people of `day` as seen at `at`; `clock_given` says whether clock records with a punch on the day
    by then were read, `clock_empty` that records were given but held none (so everyone rostered is expected)."""

    day: pd.Timestamp
    at: pd.Timestamp
    people: list[Workday]
    clock_given: bool
    clock_empty: bool = False

    def present(self, index: pd.DatetimeIndex) -> pd.Series:
        """People on the phones at each interval start of `index` (the day's) whom the clock says are there (rest-day
        workers included); without clock records, the roster's (as rostered_on_phones counts them)."""
        minute = times.minute_of_day(index)
        count = np.zeros(len(index), np.int64)
        for w in self.people:
            if w.present:
                count += w.on_phones(minute)
        return pd.Series(count, index=index, name="on_phones")

    def with_status(self, *statuses: str) -> list[Workday]:
        return [w for w in self.people if w.status in statuses]


def _middle_lunch(shift: ShiftTemplate, rules: Rules) -> int:
    first, latest_end = shift.lunch_window_minutes
    last = latest_end - shift.unpaid_break_minutes
    step = rules.interval_minutes
    return first + ((last - first) // 2) // step * step


def _minute(t: pd.Timestamp, day: pd.Timestamp | None = None) -> int:
    """Minutes of `t` after `day`'s midnight (its own day's without one)."""
    return int((t - (t.normalize() if day is None else day)) / pd.Timedelta(minutes=1))


def _phone_people(assignments: pd.DataFrame, staff: pd.DataFrame) -> set[str]:
    """The staff who take calls; a DataError naming the roster file when it holds people the staff list does not."""
    known = set(staff["employee_id"])
    unknown = [e for e in assignments["employee_id"].unique() if e not in known]
    if unknown:
        raise DataError(assignments.attrs.get("source", "roster"), f"employee {unknown[0]} is not on the staff list"
                        + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""), column="employee_id")
    return set(staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"])


def phones_day(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules, day: pd.Timestamp, at: pd.Timestamp,
               clock: pd.DataFrame | None = None) -> PhonesDay:
    """The phone people of `day` at `at` from the roster (employee_id, date, shift, lunch_start) and, when given,
    the clock records (employee_id, time, kind), of which only those punched by `at` count. People the staff
    list does not hold are a DataError naming the roster file and the first of them."""
    phones = _phone_people(assignments, staff)
    shifts = {s.code: s for s in rules.shifts}
    dates = pd.to_datetime(assignments["date"]).dt.normalize()
    eve = day - pd.Timedelta(days=1)
    today = assignments[dates == day]
    # the day before's shifts past midnight work the day's first hours: minutes count back from its midnight
    night = assignments[(dates == eve) & assignments["shift"].isin([s.code for s in rules.shifts if s.overnight])]
    at_minute = _minute(at, day)
    # each punch by the look, under the day its shift started (scheduler.clock.shift_days)
    punches: dict[tuple[str, pd.Timestamp], list[tuple[pd.Timestamp, str]]] = {}
    if clock is not None:
        since = eve if len(night) else day
        seen = clock[(clock["time"] >= since) & (clock["time"] <= at)].sort_values("time", kind="stable")
        for e, t, kind, d in zip(seen["employee_id"], seen["time"], seen["kind"], shift_days(seen, assignments, rules)):
            if d in (day, eve):
                punches.setdefault((e, d), []).append((t, kind))
    # Records without a punch on the day are another day's (or a feed that stopped), not everyone absent.
    clock_given = bool(punches)
    people = []
    rostered = set()
    for started, rows in ((eve, night), (day, today)):
        back = int((day - started) / pd.Timedelta(minutes=1))
        for e, code, lunch in rows[["employee_id", "shift", "lunch_start"]].itertuples(index=False):
            if e not in phones or code not in shifts:
                continue
            s = shifts[code]
            lunch_at = s.minute_in_shift(lunch) - back if isinstance(lunch, str) and lunch else None
            w = Workday(e, code, s.start_minute - back, s.end_minute - back, lunch_at, s.unpaid_break_minutes, EXPECTED)
            if started == day:
                rostered.add(e)
            people.append(_as_clocked(w, punches.get((e, started), []), clock_given, at_minute, day, rules))
    off = set(today.loc[today["shift"] == LEAVE, "employee_id"])
    for (e, d), seen in punches.items():
        if d != day:
            continue
        ins = [t for t, kind in seen if kind == CLOCK_IN]
        if e in rostered or e in off or e not in phones or not ins:
            continue
        s = _worked_shift(rules, _minute(ins[0]), 0.0)
        w = Workday(e, s.code, s.start_minute, s.end_minute, _middle_lunch(s, rules), s.unpaid_break_minutes, REST_DAY_IN,
                    rostered=False)
        clocked = _as_clocked(w, seen, True, at_minute, day, rules)
        people.append(replace(clocked, status=REST_DAY_IN) if clocked.present else clocked)
    return PhonesDay(day=day, at=at, people=people, clock_given=clock_given,
                     clock_empty=clock is not None and not clock_given)


def _as_clocked(w: Workday, seen: list[tuple[pd.Timestamp, str]], clock_given: bool, at_minute: int,
                day: pd.Timestamp, rules: Rules) -> Workday:
    """`w` with what its punches by the look say."""
    if not clock_given:
        return w
    ins = [t for t, kind in seen if kind == CLOCK_IN]
    if not ins:
        status = NOT_IN if at_minute > w.start_minute + rules.late_grace_minutes else EXPECTED
        return replace(w, status=status)
    last_kind = seen[-1][1]
    last_out = max((t for t, kind in seen if kind != CLOCK_IN), default=None)
    if last_kind != CLOCK_IN:
        return replace(w, status=LEFT, clock_in=ins[0], clock_out=last_out)
    late_by = max(_minute(ins[0], day) - w.start_minute, 0)
    return replace(w, status=LATE if late_by > rules.late_grace_minutes else IN, clock_in=ins[0], late_by=late_by)


def rostered_on_phones(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules,
                       index: pd.DatetimeIndex) -> pd.Series:
    """How many people the roster (employee_id, date, shift, lunch_start) has on the phones at each interval
    start of `index`: on a shift that covers the interval, not at lunch, in a role that takes calls. People
    the staff list does not hold are a DataError naming the roster file and the first of them."""
    phones = _phone_people(assignments, staff)
    shifts = {s.code: s for s in rules.shifts}
    day_of = pd.DatetimeIndex(index).normalize()
    minute = times.minute_of_day(index)
    count = np.zeros(len(index), np.int64)
    dates = pd.to_datetime(assignments["date"]).dt.normalize()
    # a shift past midnight also covers the next day's first hours: the day before the index's days counts too
    a = assignments[assignments["shift"].isin(list(shifts)) & assignments["employee_id"].isin(phones)
                    & (dates.isin(day_of.unique()) | dates.isin(day_of.unique() - pd.Timedelta(days=1)))]
    for day, code, lunch in a[["date", "shift", "lunch_start"]].itertuples(index=False):
        shift = shifts[code]
        # minutes after the shift's day's midnight
        since = minute + ((day_of - pd.Timestamp(day).normalize()) / pd.Timedelta(minutes=1)).to_numpy()
        on = (since >= shift.start_minute) & (since < shift.end_minute)
        if isinstance(lunch, str) and lunch:
            start = shift.minute_in_shift(lunch)
            on &= ~((since >= start) & (since < start + shift.unpaid_break_minutes))
        count += on
    return pd.Series(count, index=index, name="rostered")


def _overlap(first: np.ndarray, step: int, start: float, end: float) -> np.ndarray:
    """Minutes of each interval [first, first + step) inside [start, end)."""
    return np.clip(np.minimum(first + step, end) - np.maximum(first, start), 0, step)


def _worked_shift(rules: Rules, first_in: float | None, last_out: float) -> ShiftTemplate:
    """The shift a day off the roster was worked on: the one starting nearest the clock-in (or ending nearest
    the clock-out when there is none)."""
    if first_in is not None:
        return min(rules.shifts, key=lambda s: abs(s.start_minute - first_in))
    return min(rules.shifts, key=lambda s: abs(s.end_minute - last_out))


def clocked_on_phones(clock: pd.DataFrame, assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules,
                      index: pd.DatetimeIndex) -> pd.Series:
    """How many people were on the phones at each interval of `index` by the clock records (employee_id, time,
    kind as scheduler.clock reads them), in a role that takes calls: the share of each interval between a
    person's day's first clock-in and last clock-out, less lunch. On a rostered shift the phones start at the
    shift's start however early the clock-in, a clock-out past the end counts only as overtime
    (`overtime_after_minutes` or more), a day without a clock-out ends at the shift's end (the punch was
    forgotten, not the work) and one without a clock-in starts at its start; lunch is where the roster places
    it. A day the roster gives no shift (a rest day worked) is taken as the shift starting nearest the
    clock-in, its lunch spread over that shift's lunch window."""
    index = pd.DatetimeIndex(index)
    step = rules.interval_minutes
    phones = _phone_people(assignments, staff)
    day_of = index.normalize()
    minute = times.minute_of_day(index).astype(float)
    present = np.zeros(len(index))
    punches = clock[clock["employee_id"].isin(phones)]
    # a night shift's punches after midnight are its day's, their minutes counted past 24:00
    date = shift_days(punches, assignments, rules)
    punches = punches.assign(date=date, minute=(punches["time"] - date) / pd.Timedelta(minutes=1))
    punches = punches[punches["date"].isin(day_of.unique()) | punches["date"].isin(day_of.unique() - pd.Timedelta(days=1))]
    keys = ["employee_id", "date"]
    is_in = (punches["kind"] == CLOCK_IN).to_numpy()
    spans = pd.concat([punches[is_in].groupby(keys)["minute"].min().rename("first_in"),
                       punches[~is_in].groupby(keys)["minute"].max().rename("last_out")], axis=1)
    rostered = {(e, pd.Timestamp(d).normalize()): (s, lunch) for e, d, s, lunch in
                assignments[["employee_id", "date", "shift", "lunch_start"]].itertuples(index=False)}
    one_day = pd.Timedelta(days=1)
    # the rows of a day's work: its own intervals and, for a shift past midnight, the next day's
    rows_of = {day: np.flatnonzero((day_of == day) | (day_of == day + one_day))
               for day in day_of.unique().union(day_of.unique() - one_day)}
    for (employee, day), first_in, last_out in zip(spans.index, spans["first_in"], spans["last_out"]):
        code, lunch = rostered.get((employee, day), ("", None))
        punched_in = None if np.isnan(first_in) else first_in
        shift = rules.shift(code) if code in rules.shift_codes else _worked_shift(
            rules, punched_in, 0.0 if np.isnan(last_out) else last_out)
        start = shift.start_minute if punched_in is None else punched_in
        end = last_out if not np.isnan(last_out) and last_out > start else shift.end_minute
        if code in rules.shift_codes:
            # Clocked in early is on the floor, not yet on the phones; a clock-out short of overtime past the
            # end is the day's wrap-up, not calls.
            start = max(start, shift.start_minute)
            if shift.end_minute < end < shift.end_minute + rules.overtime_after_minutes:
                end = shift.end_minute
        rows = rows_of[day]
        since = minute[rows] + ((day_of[rows] - day) / pd.Timedelta(minutes=1)).to_numpy()
        share = _overlap(since, step, start, end)
        if code in rules.shift_codes and isinstance(lunch, str) and lunch:
            first = shift.minute_in_shift(lunch)
            share = share - _overlap(since, step, first, first + shift.unpaid_break_minutes)
        else:
            lo, hi = shift.lunch_window_minutes
            share = share - _overlap(since, step, lo, hi) * shift.unpaid_break_minutes / max(hi - lo, 1)
        present[rows] += np.clip(share, 0, step) / step
    return pd.Series(present, index=index, name="on_phones")
