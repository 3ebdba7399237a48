"""The Shiftcast HTTP service: `create_app(config)` builds the Flask application.

Settings come from api.config (overridable with SHIFTCAST_* environment variables or `config`).
The store's schema is created on start, jobs orphaned by a previous crash are recovered, and a job
runner thread is started unless JOB_RUNNER is false.
"""
from __future__ import annotations

import logging

from flask import Flask

from api import problems
from api.auth import TokenLookup
from api.cache import DocumentCache
from api.config import settings
from api.db import make_engine, make_sessionmaker
from api.jobs import JobRunner, recover_orphans
from api.openapi import IdConverter
from api.store import State, close_session
from api.tasks import HANDLERS


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["id"] = IdConverter
    app.config.update(settings(config))
    engine = make_engine(app.config["DATABASE_URL"])
    sessions = make_sessionmaker(engine)
    state = State(engine=engine, sessions=sessions, documents=DocumentCache(app.config["DOCUMENT_CACHE_BYTES"]),
                  tokens=TokenLookup(engine))
    app.extensions["shiftcast"] = state
    problems.register(app)
    app.teardown_appcontext(close_session)

    from api.views import datasets, docs, forecasts, health, jobs, plans, rosters, tokens

    for bp in (health.bp, docs.bp, datasets.bp, forecasts.bp, forecasts.staffing_bp, rosters.bp, plans.bp,
               plans.hiring_bp, jobs.bp, tokens.bp):
        app.register_blueprint(bp)
    from api.views import calendars, page  # the roster page at / and the per-person calendars it offers
    for bp in (page.bp, calendars.bp):
        app.register_blueprint(bp)
    from api.fastpath import CachedRosters
    app.wsgi_app = CachedRosters(app)  # type: ignore[method-assign]

    runner = JobRunner(sessions, HANDLERS, poll_s=app.config["JOB_POLL_S"], heartbeat_s=app.config["JOB_HEARTBEAT_S"],
                       stale_after_s=app.config["JOB_STALE_AFTER_S"], max_attempts=app.config["JOB_MAX_ATTEMPTS"],
                       max_running=app.config["JOB_MAX_RUNNING"])
    state.runner = runner
    with sessions() as s:
        recovered = recover_orphans(s, runner.stale_after_s, runner.max_attempts, runner.id)
    if recovered:
        logging.getLogger("api").warning("recovered jobs left running by a stopped server: %s", recovered)
    if app.config["JOB_RUNNER"]:
        runner.start()
    return app
