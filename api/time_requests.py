"""Requests in the store: made against the month's published version, routed and perhaps approved by the
[requests] rules at once (shiftcast.approvals), a swap waiting for its colleague, decided by the leader it is
routed to (or one above) with its coverage impact in view; every step audited."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit, inputs, people
from api.auth import Caller, caller_name
from api.datasets import checked_dataset
from api.db import Dataset, Result, RosterVersion, TimeRequest, utcnow
from api.problems import Problem
from api.roster_document import stored_roster
from api.schemas import RosterCreate
from api.uploads import rows_to_csv
from core.rules import Rules
from shiftcast.approvals import (DAYS_OFF, LEVELS, Asked, DaysOffTaken, RequestError, coverage_impact,
                                 requested_changes, routing)
from shiftcast.exports.calendar import TIMEZONE
from shiftcast.exports.labels import LEAVE, REST

AWAITING_PARTNER, PENDING, APPROVED, REFUSED = "awaiting_partner", "pending", "approved", "refused"
OPEN = (AWAITING_PARTNER, PENDING)
BY_RULES = "the rules"
# An approved rest day or shift outweighs this many person-days the re-plan moves for it (each costs the rules'
# change_mid_month): a rest day moved within its week changes two of the asker's days, a swap two of a colleague's.
APPROVED_OUTWEIGHS_DAYS = 4
# The level of LEVELS each role decides up to.
DECIDERS = {"group_leader": 0, "team_leader": 1, "supervisor": 2, "admin": 2}


def today() -> dt.date:
    """The center's date now (its requests' notice is counted in its own days)."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def invalid(field: str, detail: str) -> Problem:
    return Problem(422, f"{field}: {detail}", title="Invalid request", slug="invalid-request",
                   errors=[{"pointer": f"/{field}", "detail": detail}])


@dataclasses.dataclass
class VersionRoster:
    """A published version's roster as the approvals read it."""

    version: RosterVersion
    doc: dict
    roster: object
    rules: Rules
    staff: pd.DataFrame
    requirement: pd.DataFrame | None

    def person(self, employee_id: str, field: str) -> dict:
        for e in self.doc["employees"]:
            if e["employee_id"] == employee_id:
                return e
        raise invalid(field, f"{employee_id!r} is not on roster version {self.version.id}")

    def seen_person(self, who: Caller, employee_id: str) -> dict:
        """The roster's row of the person a request is for, when the caller sees them; else a 404 (an agent
        asks for themselves, a leader for the people they see)."""
        mine = next((e for e in self.doc["employees"] if e["employee_id"] == employee_id), None)
        if mine is None or not people.sees(who, employee_id, mine["group"] or "", mine["team"] or ""):
            raise Problem(404, f"employee_id: there is no {employee_id!r} among the people this token sees",
                          slug="not-found", errors=[{"pointer": "/employee_id", "detail": "not seen"}])
        return mine


def check_days_ahead(days) -> None:
    """A 422 on /days when a day asked for has begun."""
    begun = [d for d in days if d <= today()]
    if begun:
        raise invalid("days", f"{min(begun)} has begun or passed: requests are for the days ahead")


def version_roster(session: Session, version: RosterVersion) -> VersionRoster:
    row = session.get(Result, version.roster_id)
    doc = inputs.payload(row)
    given = row.inputs or {}
    rules = inputs.rules(session, given.get("rules_id"))
    if given.get("staff_id"):
        staff = inputs.table(session, given["staff_id"], "staff", "staff_id", rules)
    else:
        staff = pd.DataFrame([{k: e[k] for k in ("employee_id", "name", "role", "group", "team")}
                              for e in doc["employees"]])
        staff["shifts"] = [tuple(rules.shift_codes)] * len(staff)
    requirement = None
    if given.get("staffing_id"):
        requirement = inputs.interval_frame(inputs.payload(inputs.result(session, given["staffing_id"], "staffing",
                                                                         "staffing_id")))
    return VersionRoster(version, doc, stored_roster(doc), rules, staff, requirement)


def days_off_taken(session: Session, v: RosterVersion) -> DaysOffTaken:
    """Days off asked or granted per group and per team and day in the version's month."""
    taken = DaysOffTaken()
    rows = session.scalars(select(TimeRequest).where(
        TimeRequest.site_id == v.site_id, TimeRequest.month == v.month, TimeRequest.kind.in_(DAYS_OFF),
        TimeRequest.state.in_((*OPEN, APPROVED))))
    for r in rows:
        for day in map(dt.date.fromisoformat, r.days):
            for counts, name in ((taken.by_group, r.group_name), (taken.by_team, r.team_name)):
                if name:
                    counts[(name, day)] = counts.get((name, day), 0) + 1
    return taken


def make_request(session: Session, who: Caller, v: RosterVersion, asked: Asked, note: str) -> TimeRequest:
    """Check, route and store a request (approved at once when the rules allow it); audited, committed."""
    check_days_ahead(asked.days)
    vr = version_roster(session, v)
    mine = vr.seen_person(who, asked.employee_id)
    names = {e["employee_id"]: e["name"] for e in vr.doc["employees"]}
    if asked.kind == "swap":
        if not asked.partner or asked.partner == asked.employee_id:
            raise invalid("partner", "a swap names the colleague to swap with")
        vr.person(asked.partner, "partner")
    elif asked.partner:
        raise invalid("partner", f"only a swap names a colleague, not a {asked.kind} request")
    if asked.kind == "shift" and not asked.shift:
        raise invalid("shift", "a shift request names the shift wished")
    if asked.shift and asked.kind not in ("shift", "work"):
        raise invalid("shift", f"only a shift or work request names a shift, not a {asked.kind} request")
    outside = [d for d in asked.days if d.strftime("%Y-%m") != v.month]
    if outside:
        raise invalid("days", f"{outside[0]} is not in {v.month}, the month of roster version {v.id}")
    try:
        changes = requested_changes(asked, vr.roster, vr.rules, names)
    except RequestError as exc:
        raise invalid(exc.field, str(exc)) from None
    impact = coverage_impact(vr.roster, vr.requirement, vr.staff, vr.rules, changes)
    route = routing(asked, mine["group"], mine["team"], today(), vr.rules, days_off_taken(session, v))
    reasons = list(route.reasons)
    if impact.below_target:
        reasons.append(f"{impact.below_target} interval(s) would fall below the service target of "
                       f"{vr.rules.service.service_level:.0%}")
    reasons += [f"it would break a rule: {r}" for r in impact.rules_broken]
    auto = not reasons
    state = AWAITING_PARTNER if asked.kind == "swap" else (APPROVED if auto else PENDING)
    row = TimeRequest(
        site_id=v.site_id, version_id=v.id, month=v.month, employee_id=asked.employee_id, name=mine["name"],
        group_name=mine["group"] or "", team_name=mine["team"] or "", kind=asked.kind,
        days=[d.isoformat() for d in asked.days], shift=asked.shift, partner_id=asked.partner, note=note,
        state=state, level=route.level, routing=reasons, changes=[dataclasses.asdict(c) for c in changes],
        impact=dataclasses.asdict(impact), created_by=caller_name())
    if state == APPROVED:
        row.decided_by, row.decided_at = BY_RULES, utcnow()
        row.decision_reason = "within the allowances, with notice, on no blackout day and at the service target"
    session.add(row)
    session.flush()
    audit.record(session, v.site_id, "request.create", f"request {row.id}", note,
                 {"kind": asked.kind, "employee_id": asked.employee_id, "days": row.days, "state": state,
                  "level": route.level})
    if state == APPROVED:
        audit.record(session, v.site_id, "request.approve", f"request {row.id}", row.decision_reason,
                     {"by": BY_RULES})
    session.commit()
    return row


def agree(session: Session, who: Caller, row: TimeRequest) -> TimeRequest:
    """The swap's colleague agrees: it goes to its leader; audited, committed."""
    if who.person is None or who.person.employee_id != row.partner_id:
        raise Problem(403, f"only {row.partner_id}, the colleague asked to swap, agrees to request {row.id}",
                      slug="forbidden")
    if row.state != AWAITING_PARTNER:
        raise Problem(409, f"request {row.id} is {row.state}, not waiting for its colleague", slug="conflict")
    row.state, row.partner_agreed_at = PENDING, utcnow()
    audit.record(session, row.site_id, "request.agree", f"request {row.id}", "", {"by": row.partner_id})
    session.commit()
    return row


def may_decide(who: Caller, row: TimeRequest) -> str | None:
    """Why the caller may not decide the request (None when they may): a leader decides up to their level."""
    mine = DECIDERS.get(who.role, -1)
    if mine < LEVELS.index(row.level):
        return f"request {row.id} is for the {row.level.replace('_', ' ')} to decide ({'; '.join(row.routing)})"
    if who.person is not None and who.person.employee_id == row.employee_id:
        return f"request {row.id} is the caller's own: their leader decides it"
    return None


def decide(session: Session, who: Caller, row: TimeRequest, approve: bool, reason: str) -> TimeRequest:
    """Approve or refuse (a refusal says why); audited, committed."""
    why_not = may_decide(who, row)
    if why_not:
        raise Problem(403, why_not, slug="forbidden")
    if row.state != PENDING:
        raise Problem(409, f"request {row.id} is {row.state.replace('_', ' ')}: only a pending request is decided",
                      slug="conflict")
    if not approve and not reason.strip():
        raise invalid("reason", "a refusal carries its reason")
    row.state = APPROVED if approve else REFUSED
    row.decided_by, row.decided_at, row.decision_reason = caller_name(), utcnow(), reason
    audit.record(session, row.site_id, "request.approve" if approve else "request.refuse", f"request {row.id}",
                 reason, {"kind": row.kind, "employee_id": row.employee_id, "days": row.days})
    session.commit()
    return row



def _leave_rows(session: Session, leave_id: int | None, rules: Rules) -> dict[tuple[str, str], dict]:
    """The rows of a stored leave dataset by (employee_id, ISO day), read by its loader (so a file saved from
    Excel reads as it did for the roster) with each wish's own weight kept."""
    leave = inputs.table(session, leave_id, "leave", "leave_id", rules)
    if leave is None:
        return {}
    return {(e, d.date().isoformat()): {"employee_id": e, "date": d.date().isoformat(), "kind": kind,
                                        "shift": None if pd.isna(shift) else shift,
                                        "weight": None if pd.isna(weight) else int(weight)}
            for e, d, kind, shift, weight in leave[["employee_id", "date", "kind", "shift", "weight"]].itertuples(
                index=False)}


def approved_changes(session: Session, v: RosterVersion) -> list[dict]:
    """The days the requests approved against the version change (DayChange rows), in the order they were
    decided; a 409 when none is approved."""
    approved = session.scalars(select(TimeRequest).where(TimeRequest.version_id == v.id,
                                                         TimeRequest.state == APPROVED).order_by(TimeRequest.decided_at))
    changes = [c for req in approved for c in req.changes]
    if not changes:
        raise Problem(409, f"no request is approved against roster version {v.id}: nothing to re-plan", slug="conflict")
    return changes


def replan_from_day(v: RosterVersion, changes: list[dict], rules: Rules) -> dt.date | None:
    """The first day a re-plan of the version's month changes: the earliest day the approved changes touch, or
    tomorrow when that has begun; None (the whole month) when it is the month's first day, or when the rules cap
    the monthly paid hours (the cap counts the whole month's, see scheduler.roster_replan). A 409 when every day
    the changes touch has begun."""
    tomorrow = today() + dt.timedelta(days=1)
    days = sorted(dt.date.fromisoformat(c["date"]) for c in changes)
    if days[-1] < tomorrow:
        raise Problem(409, f"every day the requests approved against roster version {v.id} change has begun (the "
                           f"last, {days[-1]}): nothing ahead to re-plan", slug="conflict")
    first = max(days[0], tomorrow)
    if first.day == 1 or rules.monthly_paid_hours_cap_enabled:
        return None
    return first


def replan_leave(session: Session, v: RosterVersion, changes: list[dict], given: dict, rules: Rules) -> Dataset:
    """A leave dataset for re-planning the version's month: its roster's leave with the approved `changes` over it
    (one row per person and day, the change winning). Approved leave goes in as leave, which the solve holds; an
    approved rest day or shift as a rest or shift request weighing more than the days a re-plan moves for it, which
    the solve grants unless a hard rule or the coverage forbids it, and then lists with its reason."""
    rows = _leave_rows(session, given.get("leave_id"), rules)
    approved_weight = APPROVED_OUTWEIGHS_DAYS * rules.weights.change_mid_month + 1
    for c in changes:
        kind = {LEAVE: "leave", REST: "rest_request"}.get(c["after"], "shift_request")
        rows[(c["employee_id"], c["date"])] = {"employee_id": c["employee_id"], "date": c["date"], "kind": kind,
                                               "shift": c["after"] if kind == "shift_request" else None,
                                               "weight": None if kind == "leave" else approved_weight}
    content = rows_to_csv(list(rows.values()))
    row = checked_dataset(session, "leave", f"leave-{v.month}-v{v.number}-approved.csv", content=content,
                          staff_id=given["staff_id"], rules_id=given.get("rules_id"), site_id=v.site_id,
                          created_by=caller_name())
    session.add(row)
    session.flush()
    return row


def replan_roster(session: Session, v: RosterVersion, reason: str, time_limit_s: float | None) -> RosterCreate:
    """The roster job re-planning the version's month with the requests approved against it: the version's inputs,
    its roster as `previous_roster_id` (few changes), the leave of `replan_leave`, from `replan_from_day`. The
    leave dataset is stored and the re-plan audited, committed. A 409 when the roster was not solved from stored
    inputs, no request is approved, or every day they change has begun."""
    given = session.get(Result, v.roster_id).inputs or {}
    missing = [k for k in ("staffing_id", "staff_id") if not given.get(k)]
    if missing:
        raise Problem(409, f"roster {v.roster_id} was not solved from stored inputs ({', '.join(missing)} unknown): "
                           "it cannot be re-planned", slug="conflict")
    changes = approved_changes(session, v)
    rules = inputs.rules(session, given.get("rules_id"))
    from_day = replan_from_day(v, changes, rules)
    leave = replan_leave(session, v, changes, given, rules)
    audit.record(session, v.site_id, "version.replan", f"roster version {v.id}", reason,
                 {"leave_id": leave.id, "previous_roster_id": v.roster_id,
                  "from_day": from_day.isoformat() if from_day else None})
    session.commit()
    keep = {k: given.get(k) for k in ("staffing_id", "staff_id", "ads_plan_id", "rules_id", "previous_month_roster_id",
                                      "shift_cover_id")}
    return RosterCreate(**keep, leave_id=leave.id, previous_roster_id=v.roster_id, from_day=from_day,
                        time_limit_s=time_limit_s, site_id=v.site_id)
