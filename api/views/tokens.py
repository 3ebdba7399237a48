"""/api/v1/tokens: admins create, list and revoke tokens."""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from api import auth, people, store
from api.db import Token
from api.openapi import operation
from api.problems import Problem
from api.schemas import TokenCreate, TokenCreated, TokenList, TokenOut
from api.views.common import PREFIX, aware

bp = Blueprint("tokens", __name__, url_prefix=PREFIX + "/tokens")


def token_out(row: Token) -> TokenOut:
    return TokenOut(id=row.id, name=row.name, role=row.role,
                    sites=None if row.role in auth.ALL_SITES else [site.id for site in row.sites],
                    person=row.person_id, group=row.person_group, team=row.person_team,
                    created_at=aware(row.created_at),
                    revoked_at=aware(row.revoked_at))


@bp.post("")
@operation("Create a token (shown once)", tag="tokens", roles=auth.ADMIN, body=TokenCreate,
           responses={201: TokenCreated})
def create_token(body: TokenCreate):
    s, person, sites = store.session(), None, body.sites
    if body.person is not None or body.staff_id is not None:
        if body.person is None or body.staff_id is None or body.role not in auth.PEOPLE:
            raise Problem(422, f"person and staff_id name the one person of an {', '.join(auth.PEOPLE)} token, "
                               "both or neither", title="Invalid request", slug="invalid-request",
                          errors=[{"pointer": "/person", "detail": "with staff_id, for a person's role"}])
        person, site_id, _ = people.staff_person(s, body.staff_id, body.person, body.role)
        if sites is not None and sites != [site_id]:
            detail = f"a person's token sees the site of their staff dataset (site {site_id}): leave the sites out"
            raise Problem(422, f"sites: {detail}", title="Invalid request", slug="invalid-request",
                          errors=[{"pointer": "/sites", "detail": detail}])
        sites = [site_id]
    try:
        row, text = auth.create_token(s, body.name, body.role, sites, person)
    except auth.PersonNeeded as exc:
        raise Problem(422, str(exc), title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/person", "detail": str(exc)}]) from None
    except auth.SitesNotTaken as exc:
        raise Problem(422, str(exc), title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/sites", "detail": str(exc)}]) from None
    except auth.NoSuchSite as exc:
        raise Problem(404, f"sites: {exc}", slug="not-found", errors=[{"pointer": "/sites", "detail": str(exc)}]) from None
    return TokenCreated(**token_out(row).model_dump(), token=text), 201


@bp.get("")
@operation("List tokens", tag="tokens", roles=auth.ADMIN, responses={200: TokenList})
def list_tokens():
    return TokenList(items=[token_out(t) for t in store.session().scalars(select(Token).order_by(Token.id))])


@bp.delete("/<id:token_id>")
@operation("Revoke a token", tag="tokens", roles=auth.ADMIN, responses={200: TokenOut})
def revoke_token(token_id: int):
    row = auth.revoke_token(store.session(), token_id)
    if row is None:
        raise Problem(404, f"there is no token {token_id}", slug="not-found")
    return token_out(row)
