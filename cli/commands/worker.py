"""`shiftcast worker`: run the API's jobs (solves, forecasts, headcount searches) in this process."""
from __future__ import annotations

import logging
import signal
import threading

import click

from cli.commands.db import database_url_option


@click.command("worker")
@database_url_option
def command(database_url: str | None) -> None:
    """Run queued jobs until stopped (SIGTERM or Ctrl-C); `shiftcast serve` starts one beside gunicorn."""
    import api
    from api.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s [worker] %(levelname)s %(name)s: %(message)s")
    app = api.create_app({"DATABASE_URL": database_url} if database_url else None)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # On a stop the solve under way ends and its job is queued again for the next worker (JobRunner.stop).
    run_worker(app, stop)
