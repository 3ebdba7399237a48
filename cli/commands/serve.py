"""`shiftcast serve`: the API under gunicorn, configured by api/gunicorn.conf.py."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

CONFIG = Path(__file__).resolve().parents[2] / "api" / "gunicorn.conf.py"


@click.command("serve")
@click.option("--bind", default=None, help="Address to listen on (default 127.0.0.1:8000, from the config).")
@click.option("--workers", type=int, default=None, help="Worker processes (default from the config).")
@click.option("--database-url", envvar="SHIFTCAST_DATABASE_URL", default=None,
              help="SQLAlchemy URL of the store (default: sqlite:///shiftcast.sqlite in the working directory).")
def command(bind: str | None, workers: int | None, database_url: str | None) -> None:
    """Run the HTTP API (create a token first: shiftcast token create --role admin --name me)."""
    args = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG)]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    args.append("api:create_app()")
    env = dict(os.environ)
    if database_url:
        env["SHIFTCAST_DATABASE_URL"] = database_url
    # Replace this process: signals (Ctrl-C, SIGTERM) go straight to gunicorn's arbiter.
    os.execve(sys.executable, args, env)
