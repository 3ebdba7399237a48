"""Service settings: defaults here, overridden by SHIFTCAST_* environment variables or create_app(config)."""
from __future__ import annotations

import os

DEFAULTS: dict = {
    # SQLite file in the working directory unless told otherwise; any SQLAlchemy URL works (PostgreSQL too).
    "DATABASE_URL": "sqlite:///shiftcast.sqlite",
    # Uploads are CSV/JSON tables: two years of 15-minute calls are ~3 MB; call records are bigger.
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # The job runner: a thread in each app process; jobs are claimed atomically so one runs each job.
    "JOB_RUNNER": True,
    "JOB_POLL_S": 0.5,
    "JOB_HEARTBEAT_S": 2.0,
    # A running job whose heartbeat is older than this is taken as orphaned (its server died).
    "JOB_STALE_AFTER_S": 15.0,
    # A job interrupted by a server crash is re-run up to this many attempts in all, then failed.
    "JOB_MAX_ATTEMPTS": 2,
    # Solves running at once across all processes sharing the store (CPU-bound: keep it small).
    "JOB_MAX_RUNNING": 1,
    "ROSTER_TIME_LIMIT_S": 30.0,
    # Served result documents kept per process (results never change): a 300-agent month is ~0.4 MB.
    "DOCUMENT_CACHE_BYTES": 64 * 1024 * 1024,
}

ENV_PREFIX = "SHIFTCAST_"


def _typed(value: str, default):
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def settings(overrides: dict | None = None) -> dict:
    """Defaults, then environment (SHIFTCAST_DATABASE_URL, ...), then explicit overrides."""
    out = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        if ENV_PREFIX + key in os.environ:
            out[key] = _typed(os.environ[ENV_PREFIX + key], default)
    out.update(overrides or {})
    return out
