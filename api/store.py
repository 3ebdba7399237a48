"""The app's handle on the store: engine, sessions (one per request), and the job runner."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class State:
    engine: Engine
    sessions: sessionmaker
    runner: Any = None  # api.jobs.JobRunner when started
    openapi: dict | None = field(default=None)  # built once, on first request
    documents: Any = None  # api.cache.DocumentCache of served results
    tokens: Any = None  # api.auth.TokenLookup: the per-request token check, without a session


def state() -> State:
    return current_app.extensions["shiftcast"]


def session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = state().sessions()
    return g.db


def ping() -> None:
    """One round trip to the store on a pooled connection, without a session (the health check)."""
    conn = state().engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchone()
        cursor.close()
    finally:
        conn.close()


def close_session(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
