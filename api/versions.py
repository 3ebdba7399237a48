"""Roster versions in the store: a draft made from a stored roster, published with its change list against
the version published before it, each affected person's notice put in the outbox, and each person's
calendar revised across the month's published versions (shiftcast.publishing holds the rules of it)."""
from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit, inputs
from api.auth import caller_name
from api.db import NoticeRow, Result, RosterVersion, utcnow
from api.problems import Problem
from api.roster_document import stored_roster
from shiftcast.exports import calendar
from shiftcast.publishing import DayChange, event_revisions, publish_notices, roster_changes

DRAFT, PUBLISHED = "draft", "published"


def roster_of(session: Session, version: RosterVersion):
    """The Roster a version holds, read back from its stored document."""
    return stored_roster(inputs.payload(session.get(Result, version.roster_id)))


def latest_published(session: Session, site_id: int, month: str) -> RosterVersion | None:
    return session.scalar(select(RosterVersion).where(
        RosterVersion.site_id == site_id, RosterVersion.month == month, RosterVersion.state == PUBLISHED,
    ).order_by(RosterVersion.number.desc()).limit(1))


def _change_rows(changes: list[DayChange]) -> list[dict]:
    return [dataclasses.asdict(c) for c in changes]


def _against_published(session: Session, version: RosterVersion, roster) -> None:
    """Set the version's change list (its `roster` against the month's latest published version's; None when
    there is none)."""
    base = latest_published(session, version.site_id, version.month)
    version.based_on_id = base.id if base is not None else None
    version.changes = (_change_rows(roster_changes(roster_of(session, base), roster))
                       if base is not None else None)


def make_draft(session: Session, roster: Result, note: str) -> RosterVersion:
    """A new draft version of the roster's month holding `roster`, with its change list; audited, committed."""
    number = (session.scalar(select(func.max(RosterVersion.number)).where(
        RosterVersion.site_id == roster.site_id, RosterVersion.month == roster.month)) or 0) + 1
    version = RosterVersion(site_id=roster.site_id, month=roster.month, number=number, roster_id=roster.id,
                            state=DRAFT, note=note, created_by=caller_name())
    _against_published(session, version, stored_roster(inputs.payload(roster)))
    session.add(version)
    session.flush()
    audit.record(session, version.site_id, "version.create", f"roster version {version.id}", note,
                 {"month": version.month, "number": number, "roster_id": roster.id,
                  "changed_days": len(version.changes or [])})
    session.commit()
    return version


def publish(session: Session, version: RosterVersion, reason: str) -> list[NoticeRow]:
    """Publish a draft: its change list taken against the version published last (another may have been
    published since the draft was made), each affected person's notice put in the outbox; audited, committed."""
    if version.state != DRAFT:
        raise Problem(409, f"roster version {version.id} is already published ({version.published_at:%Y-%m-%d %H:%M} "
                           f"UTC by {version.published_by}): make a new version to change it", slug="conflict")
    roster = roster_of(session, version)
    _against_published(session, version, roster)
    version.state, version.published_at, version.published_by = PUBLISHED, utcnow(), caller_name()
    changes = None if version.changes is None else [DayChange(**c) for c in version.changes]
    notices = [NoticeRow(site_id=version.site_id, version_id=version.id, employee_id=n.employee_id, name=n.name,
                         subject=n.subject, message=n.message, changes=_change_rows(list(n.changes)))
               for n in publish_notices(version.month, version.number, roster, changes)]
    session.add_all(notices)
    audit.record(session, version.site_id, "version.publish", f"roster version {version.id}", reason,
                 {"month": version.month, "number": version.number, "changed_days": len(changes or []),
                  "notices": len(notices)})
    session.commit()
    return notices


def version_calendar(session: Session, version: RosterVersion, employee_id: str, lang: str) -> bytes:
    """The person's .ics of a version: UIDs as every version has them, SEQUENCE raised on each day changed by a
    published version up to this one (a draft counts as the next), cancelled events for shifts taken away."""
    published = session.scalars(select(RosterVersion).where(
        RosterVersion.site_id == version.site_id, RosterVersion.month == version.month,
        RosterVersion.state == PUBLISHED, RosterVersion.number < version.number,
    ).order_by(RosterVersion.number)).all()
    rosters = [roster_of(session, v) for v in [*published, version]]
    row = session.get(Result, version.roster_id)
    rules = inputs.rules(session, (row.inputs or {}).get("rules_id"))
    try:
        return calendar.employee_calendar(rosters[-1], rules, employee_id, lang=lang,
                                          revisions=event_revisions(rosters))
    except KeyError:
        raise Problem(404, f"employee {employee_id!r} is not on roster version {version.id}",
                      slug="not-found") from None
