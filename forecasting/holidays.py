"""Public holidays and make-up workdays (调休): Chinese ones from `chinese_calendar`, any other country's
from the `holidays` package, plus the user's overrides.

`chinese_calendar` knows the State Council's published calendar up to the year it was released for; a
later year is reported as unknown (a flag and a note for people), never silently treated as an ordinary
year. The rules' [[calendar]] entries win over the packages, and a year with any entry is taken as given
by the user. A holiday is named by its festival's name (core.festivals) when it is one of those, so
春节 from the rules and "Spring Festival" from the package share one effect.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Iterable

import chinese_calendar
import holidays as holiday_package
import numpy as np
import pandas as pd

from core import times
from core.festivals import festival_named
from core.rules import CalendarOverride

CHINA = "CN"


@lru_cache(maxsize=None)
def year_known(year: int, country: str = CHINA) -> bool:
    """Does the holiday package know this year's holidays (and, in China, make-up workdays)? The
    `holidays` package computes any year from its rules; chinese_calendar only knows published years."""
    if country != CHINA:
        return True
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=None)
def _country_holidays(country: str, year: int) -> dict[dt.date, str]:
    return dict(holiday_package.country_holidays(country, years=year))


def _package_day(day: dt.date, country: str) -> tuple[str, str]:
    """('holiday' | 'workday' | '', name) for one day the package knows."""
    if country != CHINA:
        name = _country_holidays(country, day.year).get(day)
        return ("holiday", name) if name else ("", "")
    if day in chinese_calendar.holidays:
        return "holiday", str(chinese_calendar.holidays[day])
    if day in chinese_calendar.workdays and day.weekday() >= 5:
        # A weekend day in the workday table is a make-up workday; ordinary weekdays are not listed.
        return "workday", str(chinese_calendar.workdays[day])
    return "", ""


def override_name(o: CalendarOverride) -> str:
    """The name an override's day goes by in the model: its festival's, else its own, else its kind."""
    if o.festival:
        return festival_named(o.festival).name
    return o.name or o.kind


def calendar_days(days: Iterable, overrides: Iterable[CalendarOverride] = (), country: str = CHINA) -> pd.DataFrame:
    """One row per distinct day: `kind` ('holiday', 'workday' for a make-up workday, '' ordinary),
    `name` (the holiday's name; a festival's English name) and `known` (False when neither the
    package nor an override covers that day's year)."""
    dates = times.local_index(days, "days", "date").normalize().unique().sort_values()
    overrides = tuple(overrides)
    by_date = {o.date: o for o in overrides}
    given_years = {o.date.year for o in overrides}
    rows = []
    for stamp in dates:
        day = stamp.date()
        if day in by_date:
            o = by_date[day]
            rows.append((stamp, o.kind, override_name(o), True))
        elif year_known(day.year, country):
            kind, name = _package_day(day, country)
            rows.append((stamp, kind, name, True))
        else:
            rows.append((stamp, "", "", day.year in given_years))
    out = pd.DataFrame(rows, columns=["date", "kind", "name", "known"])
    return out.set_index("date")


def unknown_years(days: Iterable, overrides: Iterable[CalendarOverride] = (), country: str = CHINA) -> list[int]:
    """Years among `days` whose holidays nobody told us (no package data, no override that year)."""
    cal = calendar_days(days, overrides, country)
    return sorted({int(y) for y in cal.index[~cal["known"].to_numpy()].year})


def unknown_years_note(years: Iterable[int]) -> str | None:
    """What people are told about years whose holidays are not modelled; None when there are none."""
    years = sorted(set(years))
    if not years:
        return None
    return (f"the holiday calendar does not know {', '.join(map(str, years))}: public holidays and make-up "
            "workdays there are not modelled; add them to the rules' [[calendar]] table or update chinesecalendar")


def day_kind_arrays(index: pd.DatetimeIndex, calendar: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kind, name and known per element of `index`, looked up in a calendar_days table."""
    pos = calendar.index.get_indexer(index.normalize())
    return (
        calendar["kind"].to_numpy()[pos],
        calendar["name"].to_numpy()[pos],
        calendar["known"].to_numpy()[pos],
    )
