"""/api/v1/me: who the token is, what it may see (the page's own views start from it)."""
from __future__ import annotations

from flask import Blueprint
from pydantic import BaseModel, Field

from api import people, sites
from api.auth import SCHEDULES, SUPERVISE
from api.openapi import operation
from api.views.common import PREFIX

bp = Blueprint("me", __name__, url_prefix=PREFIX + "/me")


class MeOut(BaseModel):
    """The token's name, role and scope."""

    name: str
    role: str
    sites: list[int] | None = Field(description="the sites it sees; null: every site")
    person: str | None = Field(description="an agent's or leader's employee_id")
    group: str | None
    team: str | None
    scope: str = Field(description="whose schedules it sees: self, group, team or site")
    supervises: bool = Field(description="may make, publish and audit versions")


@bp.get("")
@operation("Who this token is and what it sees", tag="people", roles=SCHEDULES, responses={200: MeOut})
def get_me():
    who = sites.caller()
    p = who.person
    return MeOut(name=who.name, role=who.role, sites=sorted(who.sites) if who.sites is not None else None,
                 person=p.employee_id if p else None, group=p.group if p else None, team=p.team if p else None,
                 scope=people.scope(who.role), supervises=who.role in SUPERVISE)
