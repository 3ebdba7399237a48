"""/api/v1/session: an account signs in with its login and password (api.accounts) and gets a token of its role
and scope that expires; signing out revokes it."""
from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from flask import Blueprint, Response, current_app
from pydantic import BaseModel, Field

from api import accounts, sites, store
from api.auth import SCHEDULES
from api.db import utcnow
from api.openapi import operation
from api.problems import Problem
from api.schemas import Request
from api.views.common import PREFIX, aware

bp = Blueprint("session", __name__, url_prefix=PREFIX + "/session")


class SignIn(Request):
    login: Annotated[str, Field(min_length=1, max_length=64,
                                description="an agent's or leader's employee_id; the account's name for a "
                                            "supervisor, hr or viewer")]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class SessionOut(BaseModel):
    """A sign-in: `token` (shown this once) is sent as `Authorization: Bearer` until `expires_at`."""

    token: str
    expires_at: dt.datetime
    login: str
    name: str
    role: str
    person: str = Field(description="an agent's or leader's employee_id; empty for the site's roles")
    group: str
    team: str
    sites: list[int]


@bp.post("")
@operation("Sign in with a login and password", tag="people", roles=None, body=SignIn,
           responses={201: SessionOut, 401: accounts.WRONG, 429: "the login is locked"},
           description="The token carries the account's role, person and site, as a token of that role made for "
                       "the person or the site would (see `GET /api/v1/me`), and expires after SIGNIN_HOURS. A wrong "
                       f"login or password are both 401 \"{accounts.WRONG}\"; after {accounts.MAX_FAILURES} failures "
                       f"in a row the login is locked for {accounts.LOCKED_FOR.seconds // 60} minutes (429, "
                       "Retry-After), whether an account has it or not.")
def sign_in(body: SignIn):
    lasts = dt.timedelta(hours=float(current_app.config["SIGNIN_HOURS"]))
    try:
        token, text = accounts.sign_in(store.session(), body.login, body.password, lasts)
    except accounts.SignInRefused as exc:
        if exc.locked_until is None:
            raise Problem(401, str(exc), slug="unauthorized") from None
        wait = math.ceil((exc.locked_until - utcnow()).total_seconds())
        raise Problem(429, str(exc), slug="locked", headers={"Retry-After": str(max(wait, 1))}) from None
    return SessionOut(token=text, expires_at=aware(token.expires_at), login=body.login, name=token.name,
                      role=token.role, person=token.person_id or "", group=token.person_group or "",
                      team=token.person_team or "",
                      sites=[site.id for site in token.sites]), 201


@bp.delete("")
@operation("Sign out: the sign-in's token is revoked", tag="people", roles=SCHEDULES,
           responses={204: None, 409: "the token is an API token, not a sign-in's"})
def sign_out():
    if not accounts.sign_out(store.session(), sites.caller().id):
        raise Problem(409, "this is an API token, not a sign-in: an admin revokes it (DELETE /api/v1/tokens/{id})",
                      slug="conflict")
    return Response(status=204)
