"""People a roster puts on the phones per interval, read from the roster table (as roster.csv holds it)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.rules import Rules, minutes_of
from scheduler.clock import CLOCK_IN
from scheduler.roster_problem import OFF_PHONE_ROLES


def rostered_on_phones(assignments: pd.DataFrame, staff: pd.DataFrame, rules: Rules,
                       index: pd.DatetimeIndex) -> pd.Series:
    """How many people the roster (employee_id, date, shift, lunch_start) has on the phones at each interval
    start of `index`: on a shift that covers the interval, not at lunch, in a role that takes calls. People
    the staff list does not hold are a DataError naming the roster file and the first of them."""
    source = assignments.attrs.get("source", "roster")
    known = set(staff["employee_id"])
    unknown = [e for e in assignments["employee_id"].unique() if e not in known]
    if unknown:
        raise DataError(source, f"employee {unknown[0]} is not on the staff list"
                        + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""), column="employee_id")
    phones = set(staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"])
    shifts = {s.code: s for s in rules.shifts}
    day_of = pd.DatetimeIndex(index).normalize()
    minute = times.minute_of_day(index)
    count = np.zeros(len(index), np.int64)
    a = assignments[assignments["shift"].isin(list(shifts)) & assignments["employee_id"].isin(phones)
                    & pd.to_datetime(assignments["date"]).dt.normalize().isin(day_of.unique())]
    for day, code, lunch in a[["date", "shift", "lunch_start"]].itertuples(index=False):
        shift = shifts[code]
        on = (day_of == pd.Timestamp(day).normalize()) & (minute >= shift.start_minute) & (minute < shift.end_minute)
        if isinstance(lunch, str) and lunch:
            start = minutes_of(lunch)
            on &= ~((minute >= start) & (minute < start + shift.unpaid_break_minutes))
        count += on
    return pd.Series(count, index=index, name="rostered")


def _overlap(first: np.ndarray, step: int, start: float, end: float) -> np.ndarray:
    """Minutes of each interval [first, first + step) inside [start, end)."""
    return np.clip(np.minimum(first + step, end) - np.maximum(first, start), 0, step)


def _nearest_shift(rules: Rules, first_in: float | None, last_out: float):
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
    phones = set(staff.loc[~staff["role"].isin(OFF_PHONE_ROLES), "employee_id"])
    day_of = index.normalize()
    minute = times.minute_of_day(index).astype(float)
    present = np.zeros(len(index))
    punches = clock[clock["employee_id"].isin(phones)]
    punches = punches.assign(date=punches["time"].dt.normalize(),
                             minute=times.minute_of_day(punches["time"]) + punches["time"].dt.second / 60)
    punches = punches[punches["date"].isin(day_of.unique())]
    keys = ["employee_id", "date"]
    is_in = (punches["kind"] == CLOCK_IN).to_numpy()
    spans = pd.concat([punches[is_in].groupby(keys)["minute"].min().rename("first_in"),
                       punches[~is_in].groupby(keys)["minute"].max().rename("last_out")], axis=1)
    rostered = {(e, pd.Timestamp(d).normalize()): (s, lunch) for e, d, s, lunch in
                assignments[["employee_id", "date", "shift", "lunch_start"]].itertuples(index=False)}
    rows_of = {day: np.flatnonzero(day_of == day) for day in day_of.unique()}
    for (employee, day), first_in, last_out in zip(spans.index, spans["first_in"], spans["last_out"]):
        code, lunch = rostered.get((employee, day), ("", None))
        punched_in = None if np.isnan(first_in) else first_in
        shift = rules.shift(code) if code in rules.shift_codes else _nearest_shift(
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
        share = _overlap(minute[rows], step, start, end)
        if code in rules.shift_codes and isinstance(lunch, str) and lunch:
            first = minutes_of(lunch)
            share = share - _overlap(minute[rows], step, first, first + shift.unpaid_break_minutes)
        else:
            lo, hi = minutes_of(shift.lunch_earliest), minutes_of(shift.lunch_latest_end)
            share = share - _overlap(minute[rows], step, lo, hi) * shift.unpaid_break_minutes / max(hi - lo, 1)
        present[rows] += np.clip(share, 0, step) / step
    return pd.Series(present, index=index, name="on_phones")
