"""Chinese public holidays and make-up workdays (调休), from `chinese_calendar` plus the user's overrides.

The package knows the State Council's published calendar up to the year it was released for; a later
year is reported as unknown (a warning and a flag), never silently treated as an ordinary year. A user
override (`Rules.calendar`) wins over the package and makes its day known.
"""
from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache
from typing import Iterable

import chinese_calendar
import numpy as np
import pandas as pd

from core import times
from core.rules import CalendarOverride


class UnknownHolidayYearWarning(UserWarning):
    """Dates fall in years the holiday package does not know: holidays there are not modelled."""


@lru_cache(maxsize=None)
def year_known(year: int) -> bool:
    """Does chinese_calendar know this year's holidays and make-up workdays?"""
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _package_day(day: dt.date) -> tuple[str, str]:
    """('holiday' | 'workday' | '', name) for one day the package knows."""
    if day in chinese_calendar.holidays:
        return "holiday", str(chinese_calendar.holidays[day])
    if day in chinese_calendar.workdays and day.weekday() >= 5:
        # A weekend day in the workday table is a make-up workday; ordinary weekdays are not listed.
        return "workday", str(chinese_calendar.workdays[day])
    return "", ""


def calendar_days(days: Iterable, overrides: Iterable[CalendarOverride] = ()) -> pd.DataFrame:
    """One row per distinct day: `kind` ('holiday', 'workday' for a make-up workday, '' ordinary),
    `name` (the holiday's English name) and `known` (False when neither the package nor an override
    covers that day's year)."""
    dates = times.local_index(days, "days", "date").normalize().unique().sort_values()
    by_date = {o.date: o for o in overrides}
    rows = []
    for stamp in dates:
        day = stamp.date()
        if day in by_date:
            o = by_date[day]
            rows.append((stamp, o.kind, o.name or o.kind, True))
        elif year_known(day.year):
            kind, name = _package_day(day)
            rows.append((stamp, kind, name, True))
        else:
            rows.append((stamp, "", "", False))
    out = pd.DataFrame(rows, columns=["date", "kind", "name", "known"])
    return out.set_index("date")


def unknown_years(days: Iterable, overrides: Iterable[CalendarOverride] = ()) -> list[int]:
    """Years among `days` whose holidays nobody told us (no package data, no override that year)."""
    cal = calendar_days(days, overrides)
    return sorted({int(y) for y in cal.index[~cal["known"].to_numpy()].year})


def warn_unknown_years(years: list[int]) -> None:
    if years:
        warnings.warn(
            f"the holiday calendar does not know {', '.join(map(str, years))}: public holidays and make-up "
            "workdays there are not modelled; add them to the rules' [[calendar]] table or update chinesecalendar",
            UnknownHolidayYearWarning,
            stacklevel=3,
        )


def day_kind_arrays(index: pd.DatetimeIndex, calendar: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kind, name and known per element of `index`, looked up in a calendar_days table."""
    pos = calendar.index.get_indexer(index.normalize())
    return (
        calendar["kind"].to_numpy()[pos],
        calendar["name"].to_numpy()[pos],
        calendar["known"].to_numpy()[pos],
    )
