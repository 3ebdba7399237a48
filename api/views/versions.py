"""/api/v1/versions: roster versions (draft -> published) and their calendars; /api/v1/notices: the outbox;
/api/v1/audit: who did what, when and why."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app
from sqlalchemy import select

from api import audit, inputs, notify, people, sites, store, time_requests, versions
from api.auth import SCHEDULES, SUPERVISE
from api.db import AuditEvent, NoticeRow, Result, RosterVersion
from api.openapi import operation
from api.problems import Problem
from api.version_schemas import (AuditFilter, AuditList, AuditOut, DeliveryOut, NoticeFilter, NoticeList, NoticeOut,
                                 PublishedOut, SCHEDULE_FIELDS, SchedulesOut, VersionCreate, VersionFilter, VersionList, VersionOut,
                                 VersionPublish, VersionReplan)
from api.views.calendars import EMPLOYEE_ID
from api.views.common import PREFIX, aware, download, get_result, result_url
from api.schemas import JobOut
from api.views.rosters import ExportQuery, queue_roster
from shiftcast.exports.calendar import ics_filename

bp = Blueprint("versions", __name__, url_prefix=PREFIX + "/versions")
notices_bp = Blueprint("notices", __name__, url_prefix=PREFIX + "/notices")
audit_bp = Blueprint("audit", __name__, url_prefix=PREFIX + "/audit")


def sees_drafts() -> bool:
    return sites.caller().role in SUPERVISE


def roster_doc(v: RosterVersion) -> dict:
    """The stored document of the version's roster."""
    return inputs.payload(store.session().get(Result, v.roster_id))


def roster_employees(v: RosterVersion, doc: dict | None = None) -> list[dict]:
    """The version's roster rows the caller sees (everyone for the site's roles); `doc` when already read."""
    return people.seen_employees(sites.caller(), (doc or roster_doc(v))["employees"])


def version_out(v: RosterVersion) -> VersionOut:
    changes = v.changes
    if changes is not None and sites.caller().person is not None:
        mine = {e["employee_id"] for e in roster_employees(v)}
        changes = [c for c in changes if c["employee_id"] in mine]
    return VersionOut(id=v.id, site_id=v.site_id, month=v.month, number=v.number, state=v.state,
                      roster_id=v.roster_id, roster_url=result_url("roster", v.roster_id), based_on_id=v.based_on_id,
                      changes=changes, note=v.note, created_by=v.created_by, created_at=aware(v.created_at),
                      published_by=v.published_by, published_at=aware(v.published_at))


def seen_version(version_id: int) -> RosterVersion:
    """The version when the caller may see it (a draft only supervisors); else a 404."""
    v = sites.seen_row(store.session(), RosterVersion, version_id, f"roster version {version_id}")
    if v.state == versions.DRAFT and not sees_drafts():
        raise Problem(404, f"there is no roster version {version_id}", slug="not-found")
    return v


def delivery_out(d: notify.Delivery) -> DeliveryOut:
    return DeliveryOut(senders=d.senders, delivered=d.delivered, failed=d.failed, errors=d.errors)


@bp.post("")
@operation("Make a draft version of a roster's month", tag="versions", roles=SUPERVISE, body=VersionCreate,
           responses={201: VersionOut},
           description="The draft holds the roster; its `changes` list who moves on which days from what to what "
                       "against the month's latest published version (null when none is published yet).")
def create_version(body: VersionCreate):
    s = store.session()
    roster = get_result(s, "roster", body.roster_id)
    return version_out(versions.make_draft(s, roster, body.note)), 201


@bp.get("")
@operation("List roster versions", tag="versions", roles=SCHEDULES, query=VersionFilter, responses={200: VersionList},
           description="Newest first. Tokens that do not supervise see published versions only.")
def list_versions(query: VersionFilter):
    stmt = sites.visible(select(RosterVersion), RosterVersion.site_id).order_by(
        RosterVersion.month.desc(), RosterVersion.number.desc())
    if query.month:
        stmt = stmt.where(RosterVersion.month == query.month)
    if query.site_id:
        stmt = stmt.where(RosterVersion.site_id == query.site_id)
    if query.state:
        stmt = stmt.where(RosterVersion.state == query.state)
    if not sees_drafts():
        stmt = stmt.where(RosterVersion.state == versions.PUBLISHED)
    return VersionList(items=[version_out(v) for v in store.session().scalars(stmt)])


@bp.get("/<id:version_id>")
@operation("A roster version with its change list", tag="versions", roles=SCHEDULES, responses={200: VersionOut})
def get_version(version_id: int):
    return version_out(seen_version(version_id))


@bp.post("/<id:version_id>/publish")
@operation("Publish a draft version", tag="versions", roles=SUPERVISE, body=VersionPublish,
           responses={200: PublishedOut, 409: "the version is published already"},
           description="Its change list is taken against the version published last; each person affected gets a "
                       "notice in the outbox (everyone on a month's first publication), sent at once by the "
                       "senders switched on (NOTICE_WEBHOOK_URL, NOTICE_SMTP_HOST); failures are listed in words "
                       "and the notices stay pending for `POST /api/v1/notices/send`.")
def publish_version(version_id: int, body: VersionPublish):
    s = store.session()
    v = seen_version(version_id)
    notices = versions.publish(s, v, body.reason)
    delivery = notify.deliver_pending(s, notify.Senders.from_config(current_app.config), frozenset({v.site_id}))
    return PublishedOut(version=version_out(v), notices=len(notices), delivery=delivery_out(delivery))


@bp.get("/<id:version_id>/ics/<employee_id>")
@operation("One person's calendar of a version (.ics)", tag="versions", roles=SCHEDULES, query=ExportQuery,
           path_schemas={"employee_id": EMPLOYEE_ID},
           responses={200: {"text/calendar": {"schema": {"type": "string"}}}},
           description="Every version gives a day's event the same UID; its SEQUENCE counts the published versions "
                       "that changed that day, so a phone importing it updates the event in place, and a shift "
                       "taken away comes as a cancelled event.")
def get_version_calendar(version_id: int, employee_id: str, query: ExportQuery):
    v = seen_version(version_id)
    if employee_id not in {e["employee_id"] for e in roster_employees(v)}:
        raise Problem(404, f"employee {employee_id!r} is not on roster version {version_id}", slug="not-found")
    content = versions.version_calendar(store.session(), v, employee_id, query.lang)
    return download(content, "text/calendar", f"roster-{v.month}-v{v.number}-{ics_filename(employee_id)}")


@bp.get("/<id:version_id>/schedules")
@operation("The schedules of a version the token sees", tag="versions", roles=SCHEDULES, responses={200: SchedulesOut},
           description="An agent's own row, a group leader's group, a team leader's team, everyone for the site's "
                       "roles: each person's `shifts` (one character a day, as the roster document's `codes` say) "
                       "and `lunches`.")
def get_schedules(version_id: int):
    v = seen_version(version_id)
    doc = roster_doc(v)
    return SchedulesOut(version_id=v.id, month=v.month, state=v.state, days=doc["days"], times=doc["times"],
                        codes=doc["codes"], shifts=doc["shifts"],
                        employees=[{k: e[k] for k in SCHEDULE_FIELDS} for e in roster_employees(v, doc)])


@bp.post("/<id:version_id>/replan")
@operation("Re-plan a version's month with the requests approved against it (a roster job)", tag="versions",
           roles=SUPERVISE, body=VersionReplan,
           responses={202: JobOut, 409: "no request is approved against it, or every day they change has begun"},
           description="Queues the roster job of the version's inputs with `previous_roster_id` set to the version's "
                       "roster (few changes) and a leave dataset of its leave and the approved requests (leave held; "
                       "rest days and shifts as requests the solve grants or lists with why not). Only the days "
                       "ahead are re-planned (`from_day`: the earliest day the approved requests change, or "
                       "tomorrow when that has begun; the days before it kept as they are), except under a monthly "
                       "paid-hour cap, which counts the whole month: the whole month is then re-planned. Make a "
                       "draft of the job's roster (`POST /api/v1/versions`) to see its change list, then publish it.")
def replan_version(version_id: int, body: VersionReplan):
    v = seen_version(version_id)
    return queue_roster(time_requests.replan_roster(store.session(), v, body.reason, body.time_limit_s))


def notice_out(n: NoticeRow) -> NoticeOut:
    return NoticeOut(id=n.id, version_id=n.version_id, employee_id=n.employee_id, name=n.name, subject=n.subject,
                     message=n.message, changes=n.changes, created_at=aware(n.created_at),
                     webhook_sent_at=aware(n.webhook_sent_at), email_sent_at=aware(n.email_sent_at),
                     attempts=n.attempts, error=n.error)


@notices_bp.get("")
@operation("The outbox: notices of published versions", tag="versions", roles=SUPERVISE, query=NoticeFilter,
           responses={200: NoticeList})
def list_notices(query: NoticeFilter):
    stmt = sites.visible(select(NoticeRow), NoticeRow.site_id).order_by(NoticeRow.id)
    if query.version_id:
        stmt = stmt.where(NoticeRow.version_id == query.version_id)
    if query.pending:
        stmt = stmt.where((NoticeRow.webhook_sent_at.is_(None)) | (NoticeRow.email_sent_at.is_(None)))
    return NoticeList(items=[notice_out(n) for n in store.session().scalars(stmt)])


@notices_bp.post("/send")
@operation("Send the notices still pending", tag="versions", roles=SUPERVISE,
           responses={200: DeliveryOut, 409: "no sender is switched on"})
def send_notices():
    senders = notify.Senders.from_config(current_app.config)
    if not senders.names:
        raise Problem(409, "no sender is switched on: set NOTICE_WEBHOOK_URL or NOTICE_SMTP_HOST (with NOTICE_MAIL_TO)",
                      slug="conflict")
    return delivery_out(notify.deliver_pending(store.session(), senders, sites.caller().sites))


def audit_events(query: AuditFilter) -> list[AuditEvent]:
    stmt = sites.visible(select(AuditEvent), AuditEvent.site_id).order_by(AuditEvent.id)
    if query.first:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(query.first, dt.time()))
    if query.last:
        stmt = stmt.where(AuditEvent.at < dt.datetime.combine(query.last + dt.timedelta(days=1), dt.time()))
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.site_id:
        stmt = stmt.where(AuditEvent.site_id == query.site_id)
    return list(store.session().scalars(stmt))


@audit_bp.get("")
@operation("The audit trail: who did what, when and why", tag="audit", roles=SUPERVISE, query=AuditFilter,
           responses={200: AuditList})
def list_audit(query: AuditFilter):
    return AuditList(items=[AuditOut(id=e.id, site_id=e.site_id, at=aware(e.at), actor=e.actor, action=e.action,
                                     subject=e.subject, reason=e.reason, detail=e.detail or {})
                            for e in audit_events(query)])


@audit_bp.get("/csv")
@operation("The audit trail as CSV", tag="audit", roles=SUPERVISE, query=AuditFilter,
           responses={200: {"text/csv": {"schema": {"type": "string"}}}})
def get_audit_csv(query: AuditFilter):
    return download(audit.audit_csv(audit_events(query)), "text/csv", "audit.csv")
