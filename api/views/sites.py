"""/api/v1/sites: the call centers a token sees (the roster page picks among them); admins add sites."""
from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api import auth, sites, store
from api.db import Result, Site
from api.openapi import operation
from api.problems import Problem
from api.schemas import SiteCreate, SiteList, SiteOut
from api.views.common import PREFIX

bp = Blueprint("sites", __name__, url_prefix=PREFIX + "/sites")


def site_out(row: Site, latest_roster_month: str | None = None) -> SiteOut:
    return SiteOut(id=row.id, name=row.name, latest_roster_month=latest_roster_month)


@bp.get("")
@operation("The sites this token sees", tag="sites", roles=auth.READ, responses={200: SiteList})
def list_sites():
    # Months are YYYY-MM, so the greatest string is the latest.
    latest = (select(Result.site_id, func.max(Result.month).label("month")).where(Result.kind == "roster")
              .group_by(Result.site_id).subquery())
    stmt = sites.visible(select(Site, latest.c.month).outerjoin(latest, latest.c.site_id == Site.id)
                         .order_by(Site.id), Site.id)
    return SiteList(items=[site_out(row, month) for row, month in store.session().execute(stmt)])


@bp.post("")
@operation("Add a site", tag="sites", roles=auth.ADMIN, body=SiteCreate,
           responses={201: SiteOut, 409: "there is a site of that name already"})
def create_site(body: SiteCreate):
    s = store.session()
    row = Site(name=body.name)
    s.add(row)
    try:
        s.commit()
    except IntegrityError:
        s.rollback()
        raise Problem(409, f"there is a site named {body.name!r} already", slug="conflict") from None
    return site_out(row), 201, {"Location": url_for("sites.list_sites") + f"#{row.id}"}
