"""The job worker: queued jobs (forecasts, roster solves, headcount searches) run here, in a process of their
own beside the web processes (`shiftcast worker`, which `shiftcast serve` starts), never in a web process."""
from __future__ import annotations

import logging
import threading

from flask import Flask

from api.jobs import JobRunner, recover_orphans
from api.tasks import HANDLERS

log = logging.getLogger("api.worker")


def job_runner(app: Flask) -> JobRunner:
    """A runner of the job kinds over the app's store, with its JOB_* settings."""
    c = app.config
    return JobRunner(app.extensions["shiftcast"].sessions, HANDLERS, poll_s=c["JOB_POLL_S"],
                     heartbeat_s=c["JOB_HEARTBEAT_S"], stale_after_s=c["JOB_STALE_AFTER_S"],
                     max_attempts=c["JOB_MAX_ATTEMPTS"], max_running=c["JOB_MAX_RUNNING"])


def run_worker(app: Flask, stop: threading.Event) -> None:
    """Recover the jobs a stopped worker left running, then run jobs until `stop` is set."""
    runner = job_runner(app)
    with runner.sessions() as s:
        recovered = recover_orphans(s, runner.stale_after_s, runner.max_attempts, runner.id)
    if recovered:
        log.warning("recovered jobs left running by a stopped worker: %s", recovered)
    runner.start()
    try:
        stop.wait()
    finally:
        runner.stop()
