"""Request and response schemas of roster versions, their notices and the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import Id, Month, Request

VersionState = Literal["draft", "published"]


class VersionCreate(Request):
    roster_id: Id = Field(description="the stored roster this version holds")
    note: str = Field(default="", max_length=2000, description="why this version is made (kept in the audit trail)")


class VersionPublish(Request):
    reason: str = Field(default="", max_length=2000, description="why it is published now (kept in the audit trail)")


class VersionFilter(Request):
    month: Month | None = None
    state: VersionState | None = None
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class DayChangeOut(BaseModel):
    """One person's day moved: the shift codes before and after (OFF rest, LEAVE leave)."""

    employee_id: str
    name: str
    date: dt.date
    before: str
    after: str


class VersionOut(BaseModel):
    """A roster version of a site's month. `changes` is its change list against the version published before
    it (null when none was); agents and viewers see published versions only."""

    id: int
    site_id: int
    month: str
    number: int
    state: VersionState
    roster_id: int
    roster_url: str
    based_on_id: int | None
    changes: list[DayChangeOut] | None
    note: str
    created_by: str
    created_at: dt.datetime
    published_by: str | None
    published_at: dt.datetime | None


SCHEDULE_FIELDS = ("employee_id", "name", "role", "group", "team", "shifts", "lunches")


class ScheduleOut(BaseModel):
    employee_id: str
    name: str
    role: str
    group: str
    team: str
    shifts: str = Field(description="one character a day: `codes` says which shift each stands for")
    lunches: list[int | None] = Field(description="lunch start a day, as a position in `times`")


class SchedulesOut(BaseModel):
    """The schedules of a version that the token sees."""

    version_id: int
    month: str
    state: VersionState
    days: list[str]
    times: list[str]
    codes: dict[str, str]
    shifts: dict[str, dict]
    employees: list[ScheduleOut]


class VersionList(BaseModel):
    items: list[VersionOut]


class NoticeOut(BaseModel):
    """A notice in the outbox: who is told what of which version, and how far its delivery got."""

    id: int
    version_id: int
    employee_id: str
    name: str
    subject: str
    message: str
    changes: list[DayChangeOut]
    created_at: dt.datetime
    webhook_sent_at: dt.datetime | None
    email_sent_at: dt.datetime | None
    attempts: int
    error: str | None


class NoticeList(BaseModel):
    items: list[NoticeOut]


class NoticeFilter(Request):
    version_id: Id | None = None
    pending: bool | None = Field(default=None, description="only notices some sender switched on has not delivered")


class DeliveryOut(BaseModel):
    """What one round of delivery did: notices delivered, and each failure in words."""

    senders: list[Literal["webhook", "email"]] = Field(description="the senders switched on in the settings")
    delivered: int
    failed: int
    errors: list[str]


class PublishedOut(BaseModel):
    version: VersionOut
    notices: int = Field(description="notices put in the outbox: each person affected")
    delivery: DeliveryOut


class AuditFilter(Request):
    first: dt.date | None = Field(default=None, alias="from", description="first day (UTC), e.g. 2026-12-01")
    last: dt.date | None = Field(default=None, alias="to", description="last day (UTC)")
    action: str | None = Field(default=None, max_length=40)
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class AuditOut(BaseModel):
    """Who did what, when and why."""

    id: int
    site_id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    reason: str
    detail: dict


class AuditList(BaseModel):
    items: list[AuditOut]
