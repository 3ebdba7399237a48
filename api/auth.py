"""Bearer tokens with roles. Only a token's SHA-256 is stored; the token itself is shown once."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.db import DEFAULT_SITE_ID, Site, Token, TokenSite, utcnow
from api.problems import Problem

# Tokens of one person of a staff file, who see their own schedule (agent), their group's or their team's.
PEOPLE = ("agent", "group_leader", "team_leader")
ROLES = ("viewer", "supervisor", "hr", "admin", *PEOPLE)
# Who may call what. admin may do everything; the site's roles read the whole site; a person's token reads only
# what is theirs to see (SCHEDULES: published rosters, scoped by api.people).
READ = ("viewer", "supervisor", "hr", "admin")
SCHEDULES = ROLES
SUPERVISE = ("supervisor", "admin")  # datasets, forecasts, staffing, rosters
PLAN = ("hr", "admin")  # headcount and hiring plans
ADMIN = ("admin",)  # tokens and sites
ALL_SITES = ("admin",)  # roles that see every site; the others see their token's sites
TOKEN_PREFIX = "sc_"


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast unsalted hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Person:
    """The person of the staff file a token is for, with the group and team that scope a leader's token."""

    employee_id: str
    group: str
    team: str


class PersonNeeded(ValueError):
    """A person's role without its person, or a person given to a role of the whole site."""


class SitesNotTaken(ValueError):
    """Sites named for a token that sees every site."""


class NoSuchSite(LookupError):
    """A site named for a token is not in the store."""


def check_person(role: str, has_person: bool, what: str) -> None:
    """PersonNeeded, in words about `what` ("a token", "an account"), when a role of PEOPLE has no person or a
    role of the whole site has one."""
    if (role in PEOPLE) != has_person:
        raise PersonNeeded(f"{what} of role {role} is one person's: name the person and the staff they are on"
                           if role in PEOPLE else f"{what} of role {role} sees the whole site: it is given no person")


def create_token(session: Session, name: str, role: str, site_ids: list[int] | None = None,
                 person: Person | None = None, account_id: int | None = None,
                 expires_at: dt.datetime | None = None) -> tuple[Token, str]:
    """Store a new token's hash; return the row and the token text (the only time it is seen). A non-admin
    token sees the sites named (the default site when none is); an admin token sees every site and is given
    none (SitesNotTaken says so, rather than dropping them). A token of PEOPLE is one `person`'s. A sign-in's
    token names its account and expires (naive UTC, `expires_at`); an API token does neither."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    check_person(role, person is not None, "a token")
    if role in ALL_SITES and site_ids is not None:
        raise SitesNotTaken(f"an {role} token sees every site, so it is given none: leave the sites out")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = Token(name=name, role=role, token_hash=token_hash(text), account_id=account_id, expires_at=expires_at)
    if person is not None:
        row.person_id, row.person_group, row.person_team = person.employee_id, person.group, person.team
    if role not in ALL_SITES:
        row.sites = [session.get(Site, i) for i in sorted(set(site_ids or [DEFAULT_SITE_ID]))]
        if None in row.sites:
            raise NoSuchSite(f"no such site among {sorted(set(site_ids or []))}")
    session.add(row)
    session.commit()
    return row, text


def revoke_token(session: Session, token_id: int) -> Token | None:
    row = session.get(Token, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


_TOKEN_BY_HASH = select(Token.id, Token.name, Token.role, Token.revoked_at, Token.person_id, Token.person_group,
                        Token.person_team, Token.expires_at).where(
    Token.token_hash == bindparam("token_hash"))
_SITES_OF_TOKEN = select(TokenSite.site_id).join(Token, Token.id == TokenSite.token_id).where(
    Token.token_hash == bindparam("token_hash"))


class TokenLookup:
    """The query every request makes, compiled once for the engine's dialect and run on a DBAPI connection
    that each thread keeps: no ORM session and no pool checkout (~15 µs, against ~200 µs through a
    session, measured on SQLite; and the pool's lock was where a worker's threads queued under load).
    Each lookup ends its read (rollback), so a token revoked by any process fails on its next request."""

    def __init__(self, engine: Engine) -> None:
        compiled = _TOKEN_BY_HASH.compile(dialect=engine.dialect)
        self.engine = engine
        self.sql = str(compiled)
        self.sites_sql = str(_SITES_OF_TOKEN.compile(dialect=engine.dialect))
        self.positional = compiled.positional  # qmark/format (SQLite, MySQL) or named/pyformat (PostgreSQL)
        self._local = threading.local()

    def __call__(self, digest: str) -> tuple | None:
        """(id, name, role, revoked_at, person id, group, team, expires_at, site ids) of the token with this hash,
        or None."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Taken out of the pool for good (the pool's count is freed): one per request thread.
            conn = self._local.conn = self.engine.raw_connection()
            conn.detach()
        try:
            cursor = conn.cursor()
            try:
                params = (digest,) if self.positional else {"token_hash": digest}
                cursor.execute(self.sql, params)
                row = cursor.fetchone()
                if row is None or row[2] in ALL_SITES:
                    return row if row is None else (*row, None)
                cursor.execute(self.sites_sql, params)
                return (*row, frozenset(site for (site,) in cursor.fetchall()))
            finally:
                cursor.close()
                conn.rollback()  # no read left open: the next lookup sees every commit made since
        except Exception:
            self._local.conn = None  # a broken connection is not kept
            conn.invalidate()
            raise


@dataclass(frozen=True)
class Caller:
    id: int
    name: str
    role: str
    sites: frozenset[int] | None  # the sites the token sees; None: every site (admin)
    person: Person | None = None  # a PEOPLE token's person

    def sees(self, site_id: int) -> bool:
        return self.sites is None or site_id in self.sites


def check_token(lookup: TokenLookup, header: str, allowed: tuple[str, ...]) -> Caller:
    """The caller an Authorization header names, if its role is one of `allowed`; else a Problem (401/403)."""
    scheme, _, text = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="shiftcast"'}
    if scheme.lower() != "bearer" or not text.strip():
        raise Problem(401, "this endpoint needs a bearer token: send 'Authorization: Bearer <token>'",
                      slug="unauthorized", headers=challenge)
    row = lookup(token_hash(text.strip()))
    invalid = {"WWW-Authenticate": 'Bearer realm="shiftcast", error="invalid_token"'}
    if row is None or row[3] is not None:
        raise Problem(401, "the token is unknown or revoked", slug="unauthorized", headers=invalid)
    if _expired(row[7]):
        raise Problem(401, "the sign-in has expired: sign in again", slug="unauthorized", headers=invalid)
    caller = Caller(row[0], row[1], row[2], row[8], Person(row[4], row[5] or "", row[6] or "") if row[4] else None)
    if caller.role not in allowed:
        raise Problem(403, f"role '{caller.role}' may not do this; it needs one of: {', '.join(allowed)}",
                      slug="forbidden")
    return caller


def _expired(expires_at: dt.datetime | str | None) -> bool:
    if expires_at is None:
        return False
    # The lookup reads through the DBAPI: SQLite's gives the stored text, PostgreSQL's a naive datetime.
    at = expires_at if isinstance(expires_at, dt.datetime) else dt.datetime.fromisoformat(expires_at)
    return at <= utcnow()


def authenticate(lookup: TokenLookup, allowed: tuple[str, ...]) -> Caller:
    """The request's caller (check_token on its Authorization header), kept for the request in g.token."""
    g.token = check_token(lookup, request.headers.get("Authorization", ""), allowed)
    return g.token


def caller_name() -> str:
    token = g.get("token")
    return token.name if token is not None else ""
