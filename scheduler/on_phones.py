"""People a roster puts on the phones per interval, read from the roster table (as roster.csv holds it)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import times
from core.errors import DataError
from core.rules import Rules, minutes_of
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
