"""The task engine's side of jobs (Huey, see docs/scaling.md): where job messages wait for a worker, and where
each worker says it is alive.

- Embedded (the default): a SQLite file beside the store (SqliteHuey), nothing else to install or run.
- Across machines: `BROKER_URL=redis://host:6379/0` (PriorityRedisHuey), with the store on PostgreSQL.

A message only says "run job <id>"; the job row in the store stays the record users see, and the worker claims
it there atomically (api.jobs), so a message delivered twice never runs a job twice.

Liveness lives here, not in the store: a worker on this host is alive while its process exists; a worker on
another host while its record in the broker is fresh. A stalled store never makes a healthy job look dead.
"""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Callable

from huey import PriorityRedisHuey, SqliteHuey
from huey.api import Huey

HOST = socket.gethostname()
# Quick answers first: a forecast takes seconds, a roster its time limit, a headcount search many solves; the
# roster solves of a running headcount search before all, since a worker is waiting for them.
PRIORITY = {"headcount_trial": 40, "forecast": 30, "roster": 20, "headcount": 10}
# A message whose run raised (the store unreachable while claiming) is tried again this often, this far apart.
RETRIES = 3
RETRY_DELAY_S = 5


def default_broker_url(database_url: str) -> str:
    """The embedded broker: a SQLite file beside a SQLite store, else in the working directory."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and len(database_url) > len(prefix):
        store = Path(database_url.removeprefix(prefix))
        return prefix + str(store.with_name(store.stem + "-queue.sqlite"))
    return prefix + "shiftcast-queue.sqlite"


def make_huey(url: str, name: str = "shiftcast") -> Huey:
    """Huey on the broker at `url`: redis://… (or rediss://, unix://) or sqlite:///file."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return PriorityRedisHuey(name, url=url, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    raise ValueError(f"BROKER_URL {url!r}: expected redis://host:port/db or sqlite:///file")


def runner_id() -> str:
    """A worker's name in the store and the broker: host, process id and a random part."""
    return f"{HOST}:{os.getpid()}:{os.urandom(4).hex()}"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class Broker:
    """Job messages (send, and the task a worker executes) and worker liveness records, on one Huey."""

    def __init__(self, url: str, *, stale_after_s: float = 15.0, name: str = "shiftcast") -> None:
        self.url = url
        self.huey = make_huey(url, name)
        self.stale_after_s = stale_after_s
        self.execute_job: Callable[[int], None] | None = None  # set by the worker that runs jobs in this process
        self.task = self.huey.task(name="run_job", retries=RETRIES, retry_delay=RETRY_DELAY_S)(self._run_job)

    def _run_job(self, job_id: int) -> None:
        if self.execute_job is None:
            raise RuntimeError("no job runner in this process")
        self.execute_job(job_id)

    def send(self, job_id: int, kind: str) -> None:
        """Queue the message that runs job `job_id` (raises when the broker cannot be reached)."""
        self.huey.enqueue(self.task.s(job_id, priority=PRIORITY.get(kind, 0)))

    def pending(self) -> int:
        return self.huey.pending_count()

    # -- liveness
    def beat(self, runner: str) -> None:
        """Say that `runner` is alive (every few seconds while it runs)."""
        self.huey.put(f"alive:{runner}", time.time())

    def forget(self, runner: str) -> None:
        self.huey.delete(f"alive:{runner}")

    def alive(self, runner: str | None) -> bool:
        """Whether the worker `runner` still exists: its process, on this host; its fresh record, elsewhere."""
        if not runner:
            return False
        host, _, rest = runner.partition(":")
        pid = rest.partition(":")[0]
        if host == HOST and pid.isdigit():
            return _process_exists(int(pid))
        seen = self.huey.get(f"alive:{runner}", peek=True)
        return seen is not None and time.time() - seen < self.stale_after_s
