"""Sites (call centers): which site a request works in, and which of the store's rows its token sees.

A row of a site the token does not see is answered as a row that does not exist (404), never 403, so
ids say nothing about other sites. Jobs run without a token (api.worker): these checks are the views'.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth import Caller
from api.db import DEFAULT_SITE_NAME, Site
from api.problems import Problem


def caller() -> Caller:
    """The request's caller, as api.auth.authenticate found it."""
    return g.token


def visible(stmt, column):
    """`stmt` limited to the rows of the caller's sites (`column` is the rows' site_id)."""
    sites = caller().sites
    return stmt if sites is None else stmt.where(column.in_(sorted(sites)))


def check(site_id: int, what: str) -> None:
    """A 404 for `what` (e.g. "dataset 7") when it belongs to a site the caller does not see."""
    if not caller().sees(site_id):
        raise Problem(404, f"there is no {what}", slug="not-found")


def seen_row(session: Session, model, row_id: int, what: str):
    """The row `row_id` of `model` when it exists in a site the caller sees; else a 404 for `what`."""
    row = session.get(model, row_id)
    if row is None:
        raise Problem(404, f"there is no {what}", slug="not-found")
    check(row.site_id, what)
    return row


def anchor(session: Session, model, row_id: int | None) -> int | None:
    """The site of the row a new one is made from (a forecast's calls, a roster's staffing), when the
    caller sees it; None otherwise, and the reference is then checked in the site the request falls to."""
    row = session.get(model, row_id) if row_id is not None else None
    return row.site_id if row is not None and caller().sees(row.site_id) else None


def site_for_new(session: Session, requested: int | None, anchor: int | None = None) -> int:
    """The site a new dataset, result or job goes to: the one the request names; else the site of the row
    it is made from (`anchor`, e.g. the forecast of a staffing); else the token's one site, or the store's
    one site for an admin. A caller that could mean several sites is asked to say which."""
    who = caller()
    if requested is not None:
        if not who.sees(requested) or session.get(Site, requested) is None:
            raise Problem(404, f"site_id: there is no site {requested}", slug="not-found",
                          errors=[{"pointer": "/site_id", "detail": "no such site"}])
        return requested
    if anchor is not None:
        return anchor
    if who.sites is not None and len(who.sites) == 1:
        return next(iter(who.sites))
    if who.sites is None and session.scalar(select(func.count()).select_from(Site)) == 1:
        return session.scalar(select(Site.id))
    names = "this token's sites" if who.sites is not None else "the store's sites"
    raise Problem(422, f"site_id: say which of {names} this is for (GET /api/v1/sites lists them)",
                  title="Invalid request", slug="invalid-request",
                  errors=[{"pointer": "/site_id", "detail": "required when the token works in several sites"}])


def site_named(session: Session, name: str) -> tuple[Site, bool]:
    """The site called `name`, and whether it was added now: a store without one gets it (flushed, so it has
    its id; the caller commits)."""
    site = session.scalar(select(Site).where(Site.name == name))
    if site is not None:
        return site, False
    site = Site(name=name)
    session.add(site)
    session.flush()
    return site, True


def default_site(session: Session) -> Site:
    """The site 'default': id 1 (DEFAULT_SITE_ID) in a store migration 0002_sites made or moved into sites,
    where a month planned on the command line goes; added again if it is gone."""
    return site_named(session, DEFAULT_SITE_NAME)[0]
