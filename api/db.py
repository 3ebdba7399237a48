"""The store: SQLAlchemy tables for tokens, datasets, results and jobs.

The schema is made and changed by migrations (api/migrations, `shiftcast db upgrade`), never from these
models at run time; a test checks that the migrated schema matches them. Only portable column types (Integer, String, Text, LargeBinary, Float, Boolean, DateTime, JSON), so the
same schema runs on SQLite and PostgreSQL. Results are kept as the JSON bytes the API serves, written
once when computed, so reads cost one row fetch.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker


def utcnow() -> dt.datetime:
    """Naive UTC: SQLite keeps no time zone, so every timestamp in the store is UTC without one."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# The site every store has: where migration 0002_sites puts the rows of a store that had no sites, and the
# one a token gets when none is named.
DEFAULT_SITE_ID = 1
DEFAULT_SITE_NAME = "default"


class Site(Base):
    """A call center: its datasets, results and jobs are seen only by tokens of the site (and admins)."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TokenSite(Base):
    """A site a (non-admin) token may see and work in; an admin token sees every site."""

    __tablename__ = "token_sites"
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)


class Token(Base):
    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The person of a staff file a token of api.auth.PEOPLE is for, with their group and team (its scope).
    person_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    person_group: Mapped[str | None] = mapped_column(String(100), nullable=True)
    person_team: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # A sign-in's token (api.accounts): the account it was issued to, and when it stops being taken.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sites: Mapped[list[Site]] = relationship(secondary="token_sites", order_by=Site.id)


class Account(Base):
    """A sign-in to the page: its login (a person's employee_id, or the name of a supervisor's, hr's or viewer's
    account; one account per login in the store), the role, the person with the group and team of the staff file
    they were on when it was made (none for the site's roles), the site, and a salted password hash
    (werkzeug.security). Signing in issues a short-lived Token of the same role and scope (api.accounts)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    person_group: Mapped[str] = mapped_column(String(100), default="")
    person_team: Mapped[str] = mapped_column(String(100), default="")
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SignInFailures(Base):
    """A login's failed sign-ins in a row, whether an account has that login or not (so a lock says nothing of
    which logins exist); at api.accounts.MAX_FAILURES the login is locked until locked_until. A sign-in that
    succeeds or a new password removes the row."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Canonical content: CSV (tables) or TOML (rules), re-read with the loaders when used.
    content: Mapped[bytes] = mapped_column(LargeBinary)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), nullable=True)
    rules_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), nullable=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Result(Base):
    """A computed resource: a forecast, staffing requirement, roster, headcount or hiring plan."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True, index=True)
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # the JSON document the API serves
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), nullable=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    exports: Mapped[list["Export"]] = relationship(cascade="all, delete-orphan")


class Export(Base):
    """A rendered download (xlsx, csv, ics zip) of a result, made once on first request."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("result_id", "format"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ActualDayRow(Base):
    """A day of actual calls of a site, as last sent: its intervals are in actual_intervals. A day sent again
    replaces this row and its intervals."""

    __tablename__ = "actual_days"
    __table_args__ = (UniqueConstraint("site_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    day: Mapped[dt.datetime] = mapped_column(DateTime)  # the day's midnight, local time
    source: Mapped[str] = mapped_column(String(200))  # the file it came from
    kind: Mapped[str] = mapped_column(String(20))  # interval counts or call records
    interval_minutes: Mapped[int] = mapped_column(Integer)  # the rules' grid it was checked on
    intervals: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(Integer)
    partial: Mapped[bool] = mapped_column(Boolean)  # its last interval ends before closing time
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rows: Mapped[list["ActualIntervalRow"]] = relationship(cascade="all, delete-orphan",
                                                        order_by="ActualIntervalRow.interval_start")


class ActualIntervalRow(Base):
    """One interval of an actual day, in the calls format (answered, abandoned, aht_s when the file had them)."""

    __tablename__ = "actual_intervals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("actual_days.id"), index=True)
    interval_start: Mapped[dt.datetime] = mapped_column(DateTime)
    calls: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int | None] = mapped_column(Integer, nullable=True)
    abandoned: Mapped[int | None] = mapped_column(Integer, nullable=True)
    aht_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # queued -> running -> succeeded | failed | cancelled
    state: Mapped[str] = mapped_column(String(12), index=True, default="queued")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    result_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    # The token that queued it: its owner, who may cancel it whatever its role (null for the jobs of a store
    # migrated from one without owners).
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    # The job this one is a part of (a roster solve of a headcount search, fanned out as a task of its own).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)



class RosterVersion(Base):
    """A version of a site's month: a stored roster, draft until published. A version made after one was
    published carries its change list against the version published before it (`changes`, DayChange rows)."""

    __tablename__ = "roster_versions"
    __table_args__ = (UniqueConstraint("site_id", "month", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … within the site's month
    roster_id: Mapped[int] = mapped_column(ForeignKey("results.id"))
    state: Mapped[str] = mapped_column(String(12), default="draft")  # draft -> published
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("roster_versions.id"), nullable=True)
    changes: Mapped[list | None] = mapped_column(JSON, nullable=True)  # None: nothing published before it
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class NoticeRow(Base):
    """The outbox: what one person is told of a published version, and how far its delivery got by each
    sender switched on (webhook, e-mail)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id"), index=True)
    employee_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    webhook_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    email_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last failed delivery, in words


class AuditEvent(Base):
    """Who did what, when and why: every request, decision, edit and publish of a site."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # the token's name
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))  # what it was done to, e.g. "roster version 3"
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)



class TimeRequest(Base):
    """An agent's request against a published version: leave, a rest day, work on a rest day, a shift, or a swap
    with a colleague; routed to a leader, decided with its coverage impact in view."""

    __tablename__ = "time_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    employee_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    group_name: Mapped[str] = mapped_column(String(100), default="")
    team_name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(10))  # leave, rest, work, shift, swap
    days: Mapped[list] = mapped_column(JSON)  # YYYY-MM-DD
    shift: Mapped[str | None] = mapped_column(String(20), nullable=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a swap's colleague
    partner_agreed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")  # the asker's words
    # awaiting_partner -> pending -> approved | refused
    state: Mapped[str] = mapped_column(String(20), index=True)
    level: Mapped[str] = mapped_column(String(20))  # who decides: group_leader, team_leader, supervisor
    routing: Mapped[list] = mapped_column(JSON, default=list)  # why it went there rather than approved at once
    changes: Mapped[list] = mapped_column(JSON, default=list)  # DayChange rows
    impact: Mapped[dict] = mapped_column(JSON, default=dict)  # shiftcast.approvals.Impact
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def _sqlite_pragmas(busy_timeout_s: float):
    def on_connect(dbapi_connection, _record) -> None:
        # WAL: readers never wait for the job worker's writes; a crash mid-write loses no committed row.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()
    return on_connect


def make_engine(url: str, busy_timeout_s: float = 30.0) -> Engine:
    """An engine for `url` (its schema is made by migrations: api.migrate); on SQLite a write waits up to
    `busy_timeout_s` for another writer's lock, then fails (the API answers 503)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
