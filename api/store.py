"""The app's handle on the store: engine, sessions (one per request), served documents, token checks."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import TokenLookup
from api.broker import Broker, default_broker_url
from api.cache import DocumentCache
from api.db import make_engine, make_sessionmaker


@dataclass
class State:
    engine: Engine
    sessions: sessionmaker
    documents: DocumentCache
    tokens: TokenLookup  # the per-request token check, without a session
    broker: Broker  # where job messages go (api.broker)
    openapi: dict | None = field(default=None)  # built once, on first request


def init_app(app: Flask) -> None:
    """Register the store as the app's extension: an engine on DATABASE_URL (whose schema `shiftcast db
    upgrade` made), a session per request closed at teardown, and the broker at BROKER_URL."""
    c = app.config
    engine = make_engine(c["DATABASE_URL"], c["DATABASE_BUSY_TIMEOUT_S"])
    broker = Broker(c["BROKER_URL"] or default_broker_url(c["DATABASE_URL"]), name=c["BROKER_QUEUE"],
                    stale_after_s=c["JOB_STALE_AFTER_S"])
    app.extensions["shiftcast"] = State(engine=engine, sessions=make_sessionmaker(engine),
                                        documents=DocumentCache(c["DOCUMENT_CACHE_BYTES"]),
                                        tokens=TokenLookup(engine), broker=broker)
    app.teardown_appcontext(close_session)


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
