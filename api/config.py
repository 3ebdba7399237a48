"""Service settings: defaults here, then SHIFTCAST_* environment variables (Flask's from_prefixed_env, values
read as JSON where they parse: SHIFTCAST_JOB_POLL_S=0.2), then the mapping given to create_app."""
from __future__ import annotations

ENV_PREFIX = "SHIFTCAST"
# Where `shiftcast serve` listens unless SHIFTCAST_BIND or --bind say otherwise (api/gunicorn.conf.py).
BIND = "127.0.0.1:8000"

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
    # Where job messages wait (api.broker): redis://host:6379/0 to run workers on many machines; unset, a
    # SQLite file beside the store (nothing else to run on one machine).
    "BROKER_URL": None,
    # The queue's name in the broker: deployments sharing one Redis keep apart by it.
    "BROKER_QUEUE": "shiftcast",
    # A job worker (`shiftcast worker`, started by `shiftcast serve`): how often it looks for messages when
    # idle, and how often it says it is alive (in the broker) and writes a running job's heartbeat time.
    "JOB_POLL_S": 0.5,
    "JOB_HEARTBEAT_S": 2.0,
    # A worker on another host whose liveness record in the broker is older than this is taken as gone (on
    # this host a worker is gone when its process is).
    "JOB_STALE_AFTER_S": 15.0,
    # A job interrupted by a worker crash is re-run up to this many attempts in all, then failed.
    "JOB_MAX_ATTEMPTS": 2,
    # Jobs waiting at once in one site (each site has its own bound, so a busy site never holds back another):
    # one more answers 429 with Retry-After.
    "JOB_MAX_QUEUED": 50,
    # Roster solves a headcount search hands the workers at once (its next step and the steps after it either
    # way): about the number of workers, since more keep them busy with steps the search may not need.
    "JOB_FAN_OUT": 2,
    # The longest solve a job may ask for (time_limit_s); above it the request answers 422.
    "JOB_MAX_TIME_LIMIT_S": 600.0,
    # How long a request waits for a SQLite store locked by another writer before answering 503.
    "DATABASE_BUSY_TIMEOUT_S": 30.0,
    "ROSTER_TIME_LIMIT_S": 30.0,
    # How long a sign-in on the page lasts (its token then expires): a shift with its overtime, not days.
    "SIGNIN_HOURS": 12.0,
    # Memory a roster job's models may take, estimated from people × days before building them
    # (scheduler.roster_size, ~5 KB a person-month): above it the job fails saying so. 1 GiB is ~200,000 people.
    "ROSTER_MODEL_MAX_BYTES": 2**30,
    # Served result documents kept per process (results never change): a 300-agent month is ~0.4 MB.
    "DOCUMENT_CACHE_BYTES": 64 * 1024 * 1024,
    # The outbox's senders (api.notify), each off until set: a webhook receiving each notice as a JSON POST,
    # and e-mail over SMTP to NOTICE_MAIL_TO with the person's id put in, e.g. "{employee_id}@center.example".
    "NOTICE_WEBHOOK_URL": None,
    "NOTICE_SMTP_HOST": None,
    "NOTICE_SMTP_PORT": 25,
    "NOTICE_MAIL_FROM": "shiftcast@localhost",
    "NOTICE_MAIL_TO": None,
}
