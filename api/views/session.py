"""/api/v1/session: a person signs in with their employee_id and password (api.accounts) and gets a token of
their account's role and scope that expires; signing out revokes it."""
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
    person: Annotated[str, Field(min_length=1, max_length=64, description="the person's employee_id")]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class SessionOut(BaseModel):
    """A sign-in: `token` (shown this once) is sent as `Authorization: Bearer` until `expires_at`."""

    token: str
    expires_at: dt.datetime
    name: str
    role: str
    person: str
    group: str
    team: str
    sites: list[int]


@bp.post("")
@operation("Sign in with an employee_id and password", tag="people", roles=None, body=SignIn,
           responses={201: SessionOut, 401: "wrong person or password", 429: "the account is locked"},
           description="The token carries the account's role, person and site, as a token of that role made for "
                       "the person would (see `GET /api/v1/me`), and expires after SIGNIN_HOURS. A wrong person or "
                       f"password are both 401 \"{accounts.WRONG}\"; after {accounts.MAX_FAILURES} failures in a row "
                       f"the account is locked for {accounts.LOCKED_FOR.seconds // 60} minutes (429, Retry-After).")
def sign_in(body: SignIn):
    lasts = dt.timedelta(hours=float(current_app.config["SIGNIN_HOURS"]))
    try:
        token, text = accounts.sign_in(store.session(), body.person, body.password, lasts)
    except accounts.SignInRefused as exc:
        if exc.locked_until is None:
            raise Problem(401, str(exc), slug="unauthorized") from None
        wait = math.ceil((exc.locked_until - utcnow()).total_seconds())
        raise Problem(429, str(exc), slug="locked", headers={"Retry-After": str(max(wait, 1))}) from None
    return SessionOut(token=text, expires_at=aware(token.expires_at), name=token.name, role=token.role,
                      person=token.person_id, group=token.person_group or "", team=token.person_team or "",
                      sites=[site.id for site in token.sites]), 201


@bp.delete("")
@operation("Sign out: the sign-in's token is revoked", tag="people", roles=SCHEDULES,
           responses={204: None, 409: "the token is an API token, not a sign-in's"})
def sign_out():
    if not accounts.sign_out(store.session(), sites.caller().id):
        raise Problem(409, "this is an API token, not a sign-in: an admin revokes it (DELETE /api/v1/tokens/{id})",
                      slug="conflict")
    return Response(status=204)
