"""iCalendar (.ics) files: one per employee with an event per worked shift, and a zip of them all.

Times are local wall-clock times in the center's zone (TZID Asia/Shanghai, with its VTIMEZONE), so a
phone in any zone shows the shift at the right moment. Each event's UID is made from the employee and
the day only, so importing a re-planned roster updates that day's event instead of adding a second one.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from shiftcast.exports.labels import DEFAULT_LANG, check_lang, label, shift_name
from shiftcast.exports.roster_frames import assignments_of, is_worked, people
from shiftcast.rules import Rules, hhmm, minutes_of

TIMEZONE = "Asia/Shanghai"
PRODID = "-//Shiftcast//Roster//EN"
UID_DOMAIN = "shiftcast"
_UNSAFE_FILE = re.compile(r"[^0-9A-Za-z_.\-]+")


def event_uid(employee_id: str, day: pd.Timestamp | dt.date) -> str:
    """Stable per employee and day: the same day re-exported (even with another shift) keeps its UID."""
    return f"{pd.Timestamp(day):%Y%m%d}-{_UNSAFE_FILE.sub('_', str(employee_id))}@{UID_DOMAIN}"


def ics_filename(employee_id: str) -> str:
    return _UNSAFE_FILE.sub("_", str(employee_id)) + ".ics"


@functools.lru_cache(maxsize=32)
def vtimezone(tz: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of `tz` over the roster's years (made once: icalendar derives it slowly)."""
    return icalendar.Timezone.from_tzinfo(ZoneInfo(tz), tzid=tz, first_date=dt.date(first_year, 1, 1),
                                          last_date=dt.date(last_year + 1, 1, 1))


def _at(day: pd.Timestamp, minutes: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)


def _calendar(name: str, lang: str, tz: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", label("calendar_name", lang, name=name))
    cal.add("x-wr-timezone", tz)
    return cal


def employee_calendar(roster: Any, rules: Rules, employee_id: str, lang: str = DEFAULT_LANG,
                      days_off: bool = False, stamp: dt.datetime | None = None, tz: str = TIMEZONE,
                      name: str | None = None) -> bytes:
    """One employee's .ics: an event per worked shift (lunch in the description); rest/leave all-day if `days_off`."""
    check_lang(lang)
    a = assignments_of(roster)
    mine = a[a["employee_id"] == str(employee_id)]
    if name is None:
        who = people(roster).set_index("employee_id")
        name = str(who["name"].get(str(employee_id)) or employee_id) if "name" in who else str(employee_id)
    return _employee_ics(mine, rules, str(employee_id), name, lang, days_off, stamp, tz)


def _employee_ics(mine: pd.DataFrame, rules: Rules, employee_id: str, name: str, lang: str, days_off: bool,
                  stamp: dt.datetime | None, tz: str) -> bytes:
    zone = ZoneInfo(tz)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cal = _calendar(name, lang, tz)
    lunch_word = label("lunch", lang)
    for day, code, lunch in zip(mine["date"], mine["shift"], mine["lunch_start"]):
        if not is_worked(code) and not days_off:
            continue
        event = icalendar.Event()
        event.add("uid", event_uid(employee_id, day))
        event.add("dtstamp", stamp)
        event.add("summary", shift_name(code, rules, lang))
        if is_worked(code):
            s = rules.shift(code)
            event.add("dtstart", _at(day, s.start_minute, zone))
            event.add("dtend", _at(day, s.end_minute, zone))
            event.add("transp", "OPAQUE")
            if lunch:
                lunch_end = hhmm(minutes_of(lunch) + s.unpaid_break_minutes)
                event.add("description", f"{lunch_word} {lunch}–{lunch_end}")
        else:
            event.add("dtstart", day.date())
            event.add("dtend", day.date() + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if len(mine):
        first, last = mine["date"].min().year, mine["date"].max().year
        cal.subcomponents.insert(0, vtimezone(tz, first, last))
    return cal.to_ical()


def employee_calendars(roster: Any, rules: Rules, staff: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                       days_off: bool = False, stamp: dt.datetime | None = None,
                       tz: str = TIMEZONE) -> dict[str, bytes]:
    """Every employee's .ics, keyed by file name ('A001.ics'), in listing order."""
    check_lang(lang)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    a = assignments_of(roster)
    by_person = dict(tuple(a.groupby("employee_id", sort=False)))
    out = {}
    for person in people(roster, staff).itertuples(index=False):
        eid = str(person.employee_id)
        mine = by_person.get(eid, a.iloc[:0])
        out[ics_filename(eid)] = _employee_ics(mine, rules, eid, str(person.name or eid), lang, days_off, stamp, tz)
    return out


def calendars_zip(roster: Any, rules: Rules, staff: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                  days_off: bool = False, stamp: dt.datetime | None = None, tz: str = TIMEZONE) -> bytes:
    """A .zip holding every employee's .ics."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for filename, data in employee_calendars(roster, rules, staff, lang, days_off, stamp, tz).items():
            zf.writestr(filename, data)
    return out.getvalue()


def write_calendars(out_dir: str | Path, roster: Any, rules: Rules, staff: pd.DataFrame | None = None,
                    lang: str = DEFAULT_LANG, days_off: bool = False, stamp: dt.datetime | None = None,
                    tz: str = TIMEZONE) -> list[Path]:
    """Every employee's .ics into `out_dir`; their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for filename, data in employee_calendars(roster, rules, staff, lang, days_off, stamp, tz).items():
        (out_dir / filename).write_bytes(data)
        paths.append(out_dir / filename)
    return paths
