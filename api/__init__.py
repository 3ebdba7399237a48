"""The Shiftcast HTTP service: `create_app(config)` builds the Flask application.

The factory only configures (api.config's defaults, SHIFTCAST_* environment variables, then `config`) and
registers the store and the blueprints. The schema is made by migrations (`shiftcast db upgrade`, api/migrations)
and jobs run in `shiftcast worker` (api.worker), never in a web process; `shiftcast serve` does both on start.
"""
from __future__ import annotations

from flask import Flask

from api import headers, problems, store
from api.config import DEFAULTS, ENV_PREFIX
from api.limits import LimitedRequest
from api.openapi import IdConverter


def create_app(config: dict | None = None) -> Flask:
    """The application over the store at DATABASE_URL."""
    # Imported here: at module level the view `jobs` would shadow the api.jobs module.
    from api.views import (actuals, attendance, calendars, datasets, docs, forecasts, health, intraday, jobs, me,
                           page, plans, reports, rosters, session, sites, time_requests, tokens, versions)

    app = Flask(__name__)
    app.request_class = LimitedRequest
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(ENV_PREFIX)
    app.config.from_mapping(config or {})
    app.url_map.converters["id"] = IdConverter
    store.init_app(app)
    problems.register(app)
    headers.register(app)
    for bp in (health.bp, docs.bp, datasets.bp, forecasts.bp, forecasts.staffing_bp, rosters.bp, plans.bp,
               plans.hiring_bp, jobs.bp, tokens.bp, sites.bp, page.bp, calendars.bp, actuals.bp, attendance.bp,
               intraday.bp, versions.bp, versions.notices_bp, versions.audit_bp, me.bp, session.bp, time_requests.bp,
               reports.bp):
        app.register_blueprint(bp)
    return app
