"""What a person's token sees: an agent their own schedule, a group leader their group's, a team leader their
team's; the site's roles (viewer, supervisor, hr, admin) everyone's. What a token may not see answers 404."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import or_
from sqlalchemy.orm import Session

from api import inputs
from api.auth import Caller, Person
from api.db import TimeRequest
from api.problems import Problem
from api.uploads import read_table


SCOPES = {"agent": "self", "group_leader": "group", "team_leader": "team"}  # the site's roles: "site"


def scope(role: str) -> str:
    """Whose schedules and requests a role sees, as `sees` decides: self, group, team or site."""
    return SCOPES.get(role, "site")


def sees(who: Caller, employee_id: str, group: str, team: str) -> bool:
    """Whether the caller sees this person of the staff (their schedule, their requests)."""
    p = who.person
    if p is None:
        return True
    if who.role == "group_leader":
        return group == p.group or employee_id == p.employee_id
    if who.role == "team_leader":
        return team == p.team or employee_id == p.employee_id
    return employee_id == p.employee_id


def sees_request(who: Caller, r: TimeRequest) -> bool:
    """Whether the caller sees the request (of a site they see): one of a person they see, or a swap asked of them."""
    partner = who.person is not None and r.partner_id == who.person.employee_id
    return partner or sees(who, r.employee_id, r.group_name, r.team_name)


def visible_requests(who: Caller, stmt):
    """`stmt` over TimeRequest limited to the requests `sees_request` lets the caller see."""
    p = who.person
    if p is None:
        return stmt
    scope = {"group_leader": TimeRequest.group_name == p.group,
             "team_leader": TimeRequest.team_name == p.team}.get(who.role, TimeRequest.employee_id == p.employee_id)
    return stmt.where(or_(scope, TimeRequest.employee_id == p.employee_id, TimeRequest.partner_id == p.employee_id))


class StaffPerson(NamedTuple):
    person: Person
    site_id: int  # the staff dataset's site
    name: str  # as the staff file gives it


def staff_person(session: Session, staff_id: int, employee_id: str, role: str) -> StaffPerson:
    """The person `employee_id` of staff dataset `staff_id` with their group, team and name, and the dataset's
    site; a 422 naming the field when they are not on it or their role in the staff file is not `role`."""
    row = inputs.dataset(session, staff_id, "staff", "staff_id")
    staff = read_table("staff", row.content, row.name, rules=inputs.rules(session, row.rules_id))
    mine = staff[staff["employee_id"].astype(str) == employee_id]
    if mine.empty:
        raise Problem(422, f"person: {employee_id!r} is not on staff {staff_id} ({row.name})", title="Invalid request",
                      slug="invalid-request", errors=[{"pointer": "/person", "detail": f"not on {row.name}"}])
    person = mine.iloc[0]
    if str(person["role"]) != role:
        raise Problem(422, f"role: {employee_id} is a {person['role']} in {row.name}, not a {role}",
                      title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/role", "detail": f"{row.name} says {person['role']}"}])
    return StaffPerson(Person(employee_id, str(person["group"] or ""), str(person["team"] or "")), row.site_id,
                       str(person["name"] or employee_id))


def seen_employees(who: Caller, employees: list[dict]) -> list[dict]:
    """The rows of a roster document's `employees` the caller sees."""
    return [e for e in employees if sees(who, e["employee_id"], e.get("group") or "", e.get("team") or "")]
