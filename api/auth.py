"""Bearer tokens with roles. Only a token's SHA-256 is stored; the token itself is shown once."""
from __future__ import annotations

import hashlib
import secrets

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api.db import Token, utcnow
from api.problems import Problem

ROLES = ("viewer", "supervisor", "hr", "admin")
# Who may call what. admin may do everything; every role may read.
READ = ROLES
SUPERVISE = ("supervisor", "admin")  # datasets, forecasts, staffing, rosters
PLAN = ("hr", "admin")  # headcount and hiring plans
ADMIN = ("admin",)  # tokens
TOKEN_PREFIX = "sc_"


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast unsalted hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, name: str, role: str) -> tuple[Token, str]:
    """Store a new token's hash; return the row and the token text (the only time it is seen)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = Token(name=name, role=role, token_hash=token_hash(text))
    session.add(row)
    session.commit()
    return row, text


def revoke_token(session: Session, token_id: int) -> Token | None:
    row = session.get(Token, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


_TOKEN_BY_HASH = select(Token.id, Token.name, Token.role, Token.revoked_at).where(
    Token.token_hash == bindparam("token_hash"))


def authenticate(session: Session, allowed: tuple[str, ...]):
    """The caller's token from the Authorization header, checked against `allowed` roles (401/403)."""
    header = request.headers.get("Authorization", "")
    scheme, _, text = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="shiftcast"'}
    if scheme.lower() != "bearer" or not text.strip():
        raise Problem(401, "this endpoint needs a bearer token: send 'Authorization: Bearer <token>'",
                      slug="unauthorized", headers=challenge)
    # Core on the session's connection, not an ORM entity: this runs on every request.
    row = session.connection().execute(_TOKEN_BY_HASH, {"token_hash": token_hash(text.strip())}).first()
    if row is None or row.revoked_at is not None:
        raise Problem(401, "the token is unknown or revoked", slug="unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="shiftcast", error="invalid_token"'})
    if row.role not in allowed:
        raise Problem(403, f"role '{row.role}' may not do this; it needs one of: {', '.join(allowed)}",
                      slug="forbidden")
    g.token = row
    return row


def caller_name() -> str:
    token = g.get("token")
    return token.name if token is not None else ""
