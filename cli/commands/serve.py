"""`shiftcast serve`: the store's schema brought up to date, then the API under gunicorn (api/gunicorn.conf.py),
whose arbiter starts the job worker (`shiftcast worker`) beside its web workers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cli.commands.db import broker_url_option, database_url_option, upgraded_store

CONFIG = Path(__file__).resolve().parents[2] / "api" / "gunicorn.conf.py"


@click.command("serve")
@click.option("--bind", default=None, help="Address to listen on (default 127.0.0.1:8000, from the config).")
@click.option("--workers", type=int, default=None, help="Web worker processes (default from the config).")
@database_url_option
@broker_url_option
def command(bind: str | None, workers: int | None, database_url: str | None, broker_url: str | None) -> None:
    """Run the HTTP API and its job worker (create a token first: shiftcast token create --role admin --name me)."""
    url = upgraded_store(database_url)
    args = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG)]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    args.append("api:create_app()")
    # Replace this process: signals (Ctrl-C, SIGTERM) go straight to gunicorn's arbiter, which stops the worker.
    env = {**os.environ, "SHIFTCAST_DATABASE_URL": url}
    if broker_url:
        env["SHIFTCAST_BROKER_URL"] = broker_url
    os.execve(sys.executable, args, env)
