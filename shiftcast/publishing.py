"""Published roster versions: what changed between two versions of a month, who is told what, and how each
person's calendar events are revised so that a phone updates them in place (RFC 5545 UID and SEQUENCE).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from scheduler.roster_diff import roster_diff
from shiftcast.exports.calendar import EventRevisions
from shiftcast.exports.labels import REST
from shiftcast.exports.roster_frames import assignments_of, is_worked, people


@dataclass(frozen=True)
class DayChange:
    """One person's day moved between two versions: the shift codes before and after."""

    employee_id: str
    name: str
    date: str  # YYYY-MM-DD
    before: str
    after: str


@dataclass(frozen=True)
class Notice:
    """What one person is told when a version is published."""

    employee_id: str
    name: str
    subject: str
    message: str
    changes: tuple[DayChange, ...] = ()


def roster_changes(before: Any, after: Any) -> list[DayChange]:
    """Every person's day whose shift differs between two rosters of a month (scheduler.roster_diff), by person
    then day, with their names; a person on only one of them is compared against rest days."""
    diff = roster_diff(assignments_of(before), assignments_of(after))
    names = {**_names(before), **_names(after)}
    changes = sorted(diff.changes, key=lambda c: (c.employee_id, c.date))
    return [DayChange(c.employee_id, names.get(c.employee_id, c.employee_id), c.date, c.before or REST, c.after or REST)
            for c in changes if (c.before or REST) != (c.after or REST)]


def _names(roster: Any) -> dict[str, str]:
    p = people(roster)
    return {str(e): str(n or e) for e, n in zip(p["employee_id"], p["name"])}


def event_revisions(published: Sequence[Any]) -> EventRevisions:
    """The calendar revisions after the published versions of a month, oldest first: a day's SEQUENCE is
    the number of later versions that changed it, so the UID stays and each change outranks the last."""
    revisions = EventRevisions()
    for before, after in zip(published, published[1:]):
        for c in roster_changes(before, after):
            key = (c.employee_id, c.date.replace("-", ""))
            revisions.sequence[key] = revisions.sequence.get(key, 0) + 1
            if is_worked(c.before) and not is_worked(c.after):
                revisions.withdrawn[key] = c.before
            elif is_worked(c.after):
                revisions.withdrawn.pop(key, None)
    return revisions


def publish_notices(month: str, number: int, roster: Any, changes: Sequence[DayChange] | None) -> list[Notice]:
    """Who is told what when version `number` of `month` is published: everyone on a first publication
    (`changes` None), else each person whose days changed, with those days from what to what."""
    if changes is None:
        subject = f"Roster {month} published (version {number})"
        return [Notice(eid, name, subject, f"{name}: your roster for {month} is published (version {number}).")
                for eid, name in _names(roster).items()]
    by_person: dict[str, list[DayChange]] = {}
    for c in changes:
        by_person.setdefault(c.employee_id, []).append(c)
    subject = f"Roster {month} changed (version {number})"
    out = []
    for eid, mine in by_person.items():
        days = "; ".join(f"{c.date} {c.before} → {c.after}" for c in mine)
        out.append(Notice(eid, mine[0].name, subject,
                          f"{mine[0].name}: your roster for {month} changed in version {number}: {days}.",
                          tuple(mine)))
    return out
