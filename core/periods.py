"""Planning periods: the days of a month and the open intervals the rules define for them."""
from __future__ import annotations

import re

import pandas as pd

from core.errors import DataError
from core.rules import DEFAULT_RULES, Rules


def month_start(month: str) -> pd.Timestamp:
    """'2026-12' -> Timestamp('2026-12-01'); a clear error for anything else."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise DataError("month", f"expected a month like 2026-12, got {month!r}")
    return pd.Timestamp(f"{month}-01")


def month_days(month: str) -> pd.DatetimeIndex:
    """Every calendar day of the month, at midnight."""
    start = month_start(month)
    return pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D")


def open_intervals(days: pd.DatetimeIndex, rules: Rules = DEFAULT_RULES) -> pd.DatetimeIndex:
    """Starts of the intervals when the center is open, on each of `days`."""
    offsets = pd.to_timedelta(range(rules.open_minute, rules.close_minute, rules.interval_minutes), unit="min")
    starts = (days.normalize().values[:, None] + offsets.values[None, :]).ravel()
    return pd.DatetimeIndex(starts, name="interval_start")


def month_intervals(month: str, rules: Rules = DEFAULT_RULES) -> pd.DatetimeIndex:
    """Open interval starts of a whole month: what the forecast, staffing and roster are planned on."""
    return open_intervals(month_days(month), rules)
