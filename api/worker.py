"""The job worker: jobs (forecasts, roster solves, headcount searches) run here, in processes of their own beside
the web processes (`shiftcast worker`, which `shiftcast serve` starts one of), never in a web process. Workers
on other machines share the store (PostgreSQL) and the broker (Redis)."""
from __future__ import annotations

import logging
import threading

from flask import Flask

from api.jobs import JobRunner
from api.tasks import HANDLERS

log = logging.getLogger("api.worker")


def job_runner(app: Flask) -> JobRunner:
    """A runner of the job kinds over the app's store and broker, with its JOB_* settings."""
    c = app.config
    state = app.extensions["shiftcast"]
    return JobRunner(state.sessions, HANDLERS, state.broker, poll_s=c["JOB_POLL_S"], heartbeat_s=c["JOB_HEARTBEAT_S"],
                     max_attempts=c["JOB_MAX_ATTEMPTS"], fan_out=c["JOB_FAN_OUT"])


def run_worker(app: Flask, stop: threading.Event) -> None:
    """Recover the jobs of workers that are gone, then run jobs until `stop` is set."""
    runner = job_runner(app)
    recovered = runner.recover()
    if recovered:
        log.warning("recovered jobs left running by workers that are gone: %s", [r.job_id for r in recovered])
    log.info("worker %s takes jobs from %s", runner.id, runner.broker.url)
    runner.start()
    try:
        stop.wait()
    finally:
        runner.stop()
