"""Planning periods: the days of a month and the open intervals the rules define for them."""
from __future__ import annotations

import re

import pandas as pd

from core import times
from core.errors import DataError
from core.rules import DEFAULT_RULES, Rules


def month_start(month: str) -> pd.Timestamp:
    """'2026-12' -> Timestamp('2026-12-01'); a clear error for anything else."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise DataError("month", f"expected a month like 2026-12, got {month!r}")
    if not times.FIRST_YEAR <= int(str(month)[:4]) <= times.LAST_YEAR:
        raise DataError("month", f"expected a month {times.YEARS}, got {month!r}")
    return pd.Timestamp(f"{month}-01").as_unit(times.UNIT)


def month_days(month: str) -> pd.DatetimeIndex:
    """Every calendar day of the month, at midnight (datetime64 in core.times.UNIT)."""
    start = month_start(month)
    return pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D", unit=times.UNIT)


def open_intervals(days: pd.DatetimeIndex, rules: Rules = DEFAULT_RULES) -> pd.DatetimeIndex:
    """Starts of the intervals when the center is open, on each of `days` (any unit; the result in core.times.UNIT)."""
    midnights = times.local_index(days, "days", "date").normalize()
    offsets = pd.to_timedelta(range(rules.open_minute, rules.close_minute, rules.interval_minutes), unit="min")
    starts = (midnights.to_numpy()[:, None] + offsets.as_unit(times.UNIT).to_numpy()[None, :]).ravel()
    return pd.DatetimeIndex(starts, name="interval_start")


def month_intervals(month: str, rules: Rules = DEFAULT_RULES) -> pd.DatetimeIndex:
    """Open interval starts of a whole month: what the forecast, staffing and roster are planned on."""
    return open_intervals(month_days(month), rules)
