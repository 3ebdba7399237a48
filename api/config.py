"""Service settings: defaults here, then SHIFTCAST_* environment variables (Flask's from_prefixed_env, values
read as JSON where they parse: SHIFTCAST_JOB_POLL_S=0.2), then the mapping given to create_app."""
from __future__ import annotations

ENV_PREFIX = "SHIFTCAST"

DEFAULTS: dict = {
    # SQLite file in the working directory unless told otherwise; any SQLAlchemy URL works (PostgreSQL too).
    "DATABASE_URL": "sqlite:///shiftcast.sqlite",
    # Uploads are CSV/JSON tables: two years of 15-minute calls are ~3 MB; call records are bigger.
    # Counted as the body streams in, chunked bodies too (api.limits): one byte more is a 413.
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # Rows of one upload: a staff list beyond a few thousand people is not one call center's roster (its
    # roster model would take gigabytes), and 500,000 intervals is over 14 years of 15-minute history.
    "MAX_STAFF_ROWS": 5_000,
    "MAX_HISTORY_ROWS": 500_000,
    # The job worker (`shiftcast worker`, started by `shiftcast serve`): how often it looks for queued jobs.
    "JOB_POLL_S": 0.5,
    "JOB_HEARTBEAT_S": 2.0,
    # A running job whose heartbeat is older than this is taken as orphaned (its worker died).
    "JOB_STALE_AFTER_S": 15.0,
    # A job interrupted by a worker crash is re-run up to this many attempts in all, then failed.
    "JOB_MAX_ATTEMPTS": 2,
    # Solves running at once across all workers sharing the store (CPU-bound: keep it small).
    "JOB_MAX_RUNNING": 1,
    "ROSTER_TIME_LIMIT_S": 30.0,
    # Served result documents kept per process (results never change): a 300-agent month is ~0.4 MB.
    "DOCUMENT_CACHE_BYTES": 64 * 1024 * 1024,
}
