"""`shiftcast worker`: run the API's jobs (solves, forecasts, headcount searches) in this process."""
from __future__ import annotations

import logging
import signal
import threading

import click

from cli.commands.db import broker_url_option, database_url_option


@click.command("worker")
@database_url_option
@broker_url_option
def command(database_url: str | None, broker_url: str | None) -> None:
    """Run jobs until stopped (SIGTERM or Ctrl-C); `shiftcast serve` starts one beside gunicorn, and more may
    run here or on other machines sharing the store and a Redis broker."""
    import api
    from api.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s [worker] %(levelname)s %(name)s: %(message)s")
    config = {k: v for k, v in (("DATABASE_URL", database_url), ("BROKER_URL", broker_url)) if v}
    app = api.create_app(config)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # On a stop the solve under way ends and its job is queued again for the next worker (JobRunner.stop).
    run_worker(app, stop)
