"""Request and response schemas of roster versions, their notices and the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import Id, Month, Request
from shiftcast.approvals import Kind

VersionState = Literal["draft", "published"]


class VersionCreate(Request):
    roster_id: Id = Field(description="the stored roster this version holds")
    note: str = Field(default="", max_length=2000, description="why this version is made (kept in the audit trail)")


class VersionPublish(Request):
    reason: str = Field(default="", max_length=2000, description="why it is published now (kept in the audit trail)")


class VersionReplan(Request):
    reason: str = Field(default="", max_length=2000, description="why it is re-planned (kept in the audit trail)")
    time_limit_s: float | None = Field(default=None, gt=0, le=3600)


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


RequestKind = Kind
RequestState = Literal["awaiting_partner", "pending", "approved", "refused"]


class RequestCreate(Request):
    kind: RequestKind = Field(description="leave; rest (a rest day wished); work (a rest day refused: work it); "
                                          "shift (a shift wished, `shift`); swap (the days with `partner`, who agrees)")
    days: list[dt.date] = Field(min_length=1, max_length=31, description="the days ahead it is for")
    shift: str | None = Field(default=None, max_length=20, description="the shift code wished (kind shift, work)")
    partner: str | None = Field(default=None, max_length=64, description="a swap's colleague (employee_id)")
    employee_id: str | None = Field(default=None, max_length=64,
                                    description="whose request (default: the token's person); a leader or "
                                                "supervisor may enter one for a person they see")
    version_id: Id | None = Field(default=None, description="the published version it is against (default: the "
                                                            "latest published version of the days' month)")
    note: str = Field(default="", max_length=2000, description="the asker's words")


class RequestDecision(Request):
    reason: str = Field(default="", max_length=2000, description="why; a refusal needs one")


class RequestFilter(Request):
    state: RequestState | None = None
    month: Month | None = None
    site_id: Id | None = Field(default=None, description="only this site's (default: every site the token sees)")


class IntervalImpactOut(BaseModel):
    interval_start: str
    calls: float | None
    staffed_before: int
    staffed_after: int
    service_level_before: float | None
    service_level_after: float | None
    abandoned_before: float | None
    abandoned_after: float | None


class ImpactOut(BaseModel):
    """What approving would do: each interval it touches before and after (from the Erlang models on the
    roster's requirement; service figures null when it has no calls) and the rules it would newly break."""

    intervals: list[IntervalImpactOut]
    below_target: int
    rules_broken: list[str]


class RequestOut(BaseModel):
    """A request: what was asked, who decides it and why there (`routing`), its changes and impact, the decision."""

    id: int
    site_id: int
    version_id: int
    month: str
    employee_id: str
    name: str
    group: str
    team: str
    kind: RequestKind
    days: list[dt.date]
    shift: str | None
    partner: str | None
    partner_agreed_at: dt.datetime | None
    note: str
    state: RequestState
    level: Literal["group_leader", "team_leader", "supervisor"]
    may_decide: bool = Field(description="whether this token may approve or refuse it now (pending, at or above "
                                         "its level, not the token's own)")
    routing: list[str] = Field(description="why it was not approved at once, in words (empty when it was)")
    changes: list[DayChangeOut]
    impact: ImpactOut
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    created_by: str
    created_at: dt.datetime


class RequestList(BaseModel):
    items: list[RequestOut]
