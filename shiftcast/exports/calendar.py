"""iCalendar (.ics) files: one per employee with an event per worked shift, and a zip of them all.

Times are local wall-clock times in the center's zone (TZID Asia/Shanghai, with its VTIMEZONE), so a
phone in any zone shows the shift at the right moment. Each event's UID is made from the employee and
the day only, so importing a re-planned roster updates that day's event instead of adding a second one.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
from icalendar.prop import vText
import pandas as pd

from shiftcast.exports.labels import DEFAULT_LANG, check_lang, label, shift_name
from shiftcast.exports.roster_frames import assignments_of, is_worked, people
from core.rules import MINUTES_A_DAY, Rules, hhmm, minutes_of

TIMEZONE = "Asia/Shanghai"
PRODID = "-//Shiftcast//Roster//EN"
UID_DOMAIN = "shiftcast"


@dataclass
class EventRevisions:
    """Per person and day (YYYYMMDD), the SEQUENCE of that day's calendar event, and the days that had a
    worked shift in an earlier version and have none now (their events are sent cancelled, with the shift
    code they last had)."""

    sequence: dict[tuple[str, str], int] = field(default_factory=dict)
    withdrawn: dict[tuple[str, str], str] = field(default_factory=dict)


def _id_text(employee_id: str) -> str:
    """The employee id percent-encoded: safe in a UID and a file name, and two ids never collide."""
    return quote(str(employee_id), safe="")


def _uid_tail(employee_id: str) -> str:
    return f"-{_id_text(employee_id)}@{UID_DOMAIN}"


def ics_filename(employee_id: str) -> str:
    return _id_text(employee_id) + ".ics"


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 says (by icalendar); few distinct values, so cached."""
    return vText(value).to_ical().decode("utf-8")


@functools.lru_cache(maxsize=32)
def vtimezone_lines(tz: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """The VTIMEZONE block of `tz` over the roster's years, by icalendar (made once: it derives it slowly)."""
    block = icalendar.Timezone.from_tzinfo(ZoneInfo(tz), tzid=tz, first_date=dt.date(first_year, 1, 1),
                                           last_date=dt.date(last_year + 1, 1, 1))
    # Unfolded here; every line is folded again on output.
    return tuple(block.to_ical().decode("utf-8").replace("\r\n ", "").splitlines())


def _fold(line: str) -> str:
    """One content line folded at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # back off a continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)


def _day_after(ymd: str, days: int) -> str:
    """'20270301' moved on `days` days: a shift past midnight ends on the next day."""
    if not days:
        return ymd
    return (dt.datetime.strptime(ymd, "%Y%m%d") + dt.timedelta(days=days)).strftime("%Y%m%d")


def _clock(minutes: int) -> str:
    """510 -> '083000', the time part of a local DATE-TIME."""
    return f"{minutes // 60:02d}{minutes % 60:02d}00"


def _with_day_texts(a: pd.DataFrame) -> pd.DataFrame:
    """Assignments plus each day as YYYYMMDD, formatted in one go (per row is slow)."""
    a = a.copy()
    a["ymd"] = a["date"].dt.strftime("%Y%m%d")
    return a


def _employee_ics(mine: pd.DataFrame, rules: Rules, employee_id: str, name: str, lang: str,
                  stamp: dt.datetime | None, revisions: EventRevisions | None = None) -> bytes:
    # Events are serialized here rather than built as icalendar objects: icalendar spends about 1 ms an
    # event, 8 s for a 300-person month; the tests parse every file back with icalendar.
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    dtstamp = stamp.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _text(label("calendar_name", lang, name=name)), f"X-WR-TIMEZONE:{TIMEZONE}",
    ]
    if len(mine):
        lines += vtimezone_lines(TIMEZONE, mine["date"].min().year, mine["date"].max().year)
    uid_tail = _uid_tail(employee_id)
    lunch_word = label("lunch", lang)
    summaries = {code: "SUMMARY:" + _text(shift_name(code, rules, lang)) for code in set(mine["shift"])}
    columns = (mine[c].tolist() for c in ("ymd", "shift", "lunch_start"))  # lists iterate fast
    for ymd, code, lunch in zip(*columns):
        withdrawn = revisions.withdrawn.get((employee_id, ymd)) if revisions else None
        if not is_worked(code) and withdrawn is None:
            continue
        s = rules.shift(withdrawn or code)
        lines += ["BEGIN:VEVENT", f"UID:{ymd}{uid_tail}", f"DTSTAMP:{dtstamp}",
                  summaries.get(code) or "SUMMARY:" + _text(shift_name(withdrawn, rules, lang)),
                  f"DTSTART;TZID={TIMEZONE}:{ymd}T{_clock(s.start_minute)}",
                  f"DTEND;TZID={TIMEZONE}:{_day_after(ymd, s.end_minute // MINUTES_A_DAY)}T{_clock(s.end_minute % MINUTES_A_DAY)}"]
        if revisions is not None:
            # A phone replaces the event of the same UID only when its SEQUENCE is higher (RFC 5545 §3.8.7.4).
            lines.append(f"SEQUENCE:{revisions.sequence.get((employee_id, ymd), 0)}")
        if withdrawn is not None:
            lines += ["STATUS:CANCELLED", "TRANSP:TRANSPARENT", "END:VEVENT"]
            continue
        if lunch:
            lunch_end = hhmm((minutes_of(lunch) + s.unpaid_break_minutes) % MINUTES_A_DAY)
            lines.append("DESCRIPTION:" + _text(f"{lunch_word} {lunch}–{lunch_end}"))
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def employee_calendar(roster: Any, rules: Rules, employee_id: str, lang: str = DEFAULT_LANG,
                      stamp: dt.datetime | None = None, revisions: EventRevisions | None = None) -> bytes:
    """One employee's .ics: an event per worked shift, its lunch in the description; with the `revisions` of
    a published version, each event's SEQUENCE and the cancelled events of shifts taken away."""
    check_lang(lang)
    a = assignments_of(roster)
    mine = _with_day_texts(a[a["employee_id"] == str(employee_id)])
    names = people(roster).set_index("employee_id")["name"]
    if str(employee_id) not in names.index:
        raise KeyError(f"employee {employee_id!r} is not on the roster")
    name = names[str(employee_id)] or str(employee_id)
    return _employee_ics(mine, rules, str(employee_id), str(name), lang, stamp, revisions)


def employee_calendars(roster: Any, rules: Rules, staff: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                       stamp: dt.datetime | None = None) -> dict[str, bytes]:
    """Every employee's .ics, keyed by file name ('A001.ics'), in listing order."""
    check_lang(lang)
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    a = _with_day_texts(assignments_of(roster))
    by_person = dict(tuple(a.groupby("employee_id", sort=False)))
    out = {}
    for person in people(roster, staff).itertuples(index=False):
        eid = str(person.employee_id)
        mine = by_person.get(eid, a.iloc[:0])
        out[ics_filename(eid)] = _employee_ics(mine, rules, eid, str(person.name or eid), lang, stamp)
    return out


def calendars_zip(roster: Any, rules: Rules, staff: pd.DataFrame | None = None, lang: str = DEFAULT_LANG,
                  stamp: dt.datetime | None = None) -> bytes:
    """A .zip holding every employee's .ics."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for filename, data in employee_calendars(roster, rules, staff, lang, stamp).items():
            zf.writestr(filename, data)
    return out.getvalue()


def write_calendars(out_dir: str | Path, roster: Any, rules: Rules, staff: pd.DataFrame | None = None,
                    lang: str = DEFAULT_LANG, stamp: dt.datetime | None = None) -> list[Path]:
    """Every employee's .ics into `out_dir`; their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for filename, data in employee_calendars(roster, rules, staff, lang, stamp).items():
        (out_dir / filename).write_bytes(data)
        paths.append(out_dir / filename)
    return paths
