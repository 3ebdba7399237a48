"""/api/v1/requests: agents ask (leave, rest, work, shift, swap), colleagues agree to swaps, leaders decide
with the coverage impact in view. A request the token may not see is a 404."""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from api import people, sites, store, time_requests
from api.auth import SCHEDULES
from api.db import RosterVersion, TimeRequest
from api.openapi import operation
from api.problems import Problem
from api.version_schemas import RequestCreate, RequestDecision, RequestFilter, RequestList, RequestOut
from api.views.common import PREFIX, aware
from api.versions import PUBLISHED
from shiftcast.approvals import Asked

bp = Blueprint("requests", __name__, url_prefix=PREFIX + "/requests")
MAKERS = ("agent", "group_leader", "team_leader", "supervisor", "admin")


def request_out(r: TimeRequest) -> RequestOut:
    may_decide = r.state == time_requests.PENDING and time_requests.may_decide(sites.caller(), r) is None
    return RequestOut(id=r.id, site_id=r.site_id, version_id=r.version_id, month=r.month, employee_id=r.employee_id,
                      name=r.name, group=r.group_name, team=r.team_name, kind=r.kind, days=r.days, shift=r.shift,
                      partner=r.partner_id, partner_agreed_at=aware(r.partner_agreed_at), note=r.note, state=r.state,
                      level=r.level, may_decide=may_decide, routing=r.routing, changes=r.changes, impact=r.impact, decided_by=r.decided_by,
                      decided_at=aware(r.decided_at), decision_reason=r.decision_reason, created_by=r.created_by,
                      created_at=aware(r.created_at))


def seen_request(request_id: int) -> TimeRequest:
    """The request when the caller sees its site and its person (api.people); else a 404."""
    what = f"request {request_id}"
    r = sites.seen_row(store.session(), TimeRequest, request_id, what)
    if not people.sees_request(sites.caller(), r):
        raise Problem(404, f"there is no {what}", slug="not-found")
    return r


def target_version(body: RequestCreate) -> RosterVersion:
    """The published version a request is against: the one named, else the latest of the days' month."""
    s = store.session()
    if body.version_id is not None:
        v = s.get(RosterVersion, body.version_id)
        if v is None or not sites.caller().sees(v.site_id) or v.state != PUBLISHED:
            raise Problem(404, f"version_id: there is no published roster version {body.version_id}", slug="not-found",
                          errors=[{"pointer": "/version_id", "detail": "no such published version"}])
        return v
    month = min(body.days).strftime("%Y-%m")
    v = s.scalar(sites.visible(select(RosterVersion), RosterVersion.site_id).where(
        RosterVersion.month == month, RosterVersion.state == PUBLISHED).order_by(RosterVersion.number.desc()).limit(1))
    if v is None:
        raise Problem(422, f"days: no roster of {month} is published yet: requests are made against a published one",
                      title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/days", "detail": f"no published roster of {month}"}])
    return v


@bp.post("")
@operation("Make a request (leave, a rest day, work on a rest day, a shift, a swap)", tag="requests", roles=MAKERS,
           body=RequestCreate, responses={201: RequestOut},
           description="Checked against the month's published version and routed: approved at once when the "
                       "[requests] rules allow it, else pending for the group leader, the team leader beyond the "
                       "group's allowance, or the supervisor (`routing` says why). A swap waits for its colleague "
                       "first. `impact` shows the intervals it touches before and after.")
def create_request(body: RequestCreate):
    who = sites.caller()
    employee = body.employee_id or (who.person.employee_id if who.person else None)
    if employee is None:
        raise time_requests.invalid("employee_id", "say whose request this is")
    time_requests.check_days_ahead(body.days)  # before the month's version is looked for
    v = target_version(body)
    asked = Asked(body.kind, employee, tuple(sorted(set(body.days))), body.shift, body.partner)
    return request_out(time_requests.make_request(store.session(), who, v, asked, body.note)), 201


@bp.get("")
@operation("List the requests the token sees", tag="requests", roles=SCHEDULES, query=RequestFilter,
           responses={200: RequestList},
           description="An agent's own and the swaps asked of them, a group leader's group's, a team leader's "
                       "team's, the site's for the others; newest first.")
def list_requests(query: RequestFilter):
    who = sites.caller()
    stmt = sites.visible(select(TimeRequest), TimeRequest.site_id).order_by(TimeRequest.id.desc())
    if query.state:
        stmt = stmt.where(TimeRequest.state == query.state)
    if query.month:
        stmt = stmt.where(TimeRequest.month == query.month)
    if query.site_id:
        stmt = stmt.where(TimeRequest.site_id == query.site_id)
    stmt = people.visible_requests(who, stmt)
    return RequestList(items=[request_out(r) for r in store.session().scalars(stmt)])


@bp.get("/<id:request_id>")
@operation("A request with its impact", tag="requests", roles=SCHEDULES, responses={200: RequestOut})
def get_request(request_id: int):
    return request_out(seen_request(request_id))


@bp.post("/<id:request_id>/agree")
@operation("The colleague agrees to a swap", tag="requests", roles=SCHEDULES, responses={200: RequestOut,
           409: "the request is not waiting for its colleague"})
def agree_request(request_id: int):
    return request_out(time_requests.agree(store.session(), sites.caller(), seen_request(request_id)))


DECIDE_NOTE = ("By the leader it is routed to or one above (403 otherwise, saying who decides; never one's own "
               "request). A request no longer pending answers 409.")


@bp.post("/<id:request_id>/approve")
@operation("Approve a request", tag="requests", roles=SCHEDULES, body=RequestDecision,
           responses={200: RequestOut, 409: "the request is not pending"}, description=DECIDE_NOTE)
def approve_request(request_id: int, body: RequestDecision):
    r = seen_request(request_id)
    return request_out(time_requests.decide(store.session(), sites.caller(), r, True, body.reason))


@bp.post("/<id:request_id>/refuse")
@operation("Refuse a request, saying why", tag="requests", roles=SCHEDULES, body=RequestDecision,
           responses={200: RequestOut, 409: "the request is not pending"},
           description=DECIDE_NOTE + " The `reason` is required: the asker reads it on the request.")
def refuse_request(request_id: int, body: RequestDecision):
    r = seen_request(request_id)
    return request_out(time_requests.decide(store.session(), sites.caller(), r, False, body.reason))
