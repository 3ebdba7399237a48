"""Helpers for tests and benchmarks: stores made by the migrations, apps over them, tokens,
small valid tables, and a real gunicorn server on loopback."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from flask import Flask
from sqlalchemy.orm import sessionmaker

import api
from api.auth import create_token
from api.db import DEFAULT_SITE_ID, Export, Result, make_engine, make_sessionmaker
from api.exports import DEFAULT_EXPORT_LANG
from api.json_values import interval_records
from api.migrate import upgrade
from api.roster_document import roster_document
from api.schemas import RosterOut, StaffingOut
from api.results import result_payload
from core.rules import DEFAULT_RULES, Rules

GUNICORN_CONF = Path(__file__).with_name("gunicorn.conf.py")
# The project's machines and CI run these as services (.ci/run starts them where missing); elsewhere the tests
# that need them skip, saying which is missing.
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


class Unavailable(Exception):
    """A service a test needs is not reachable here; the message says which and why."""


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped after use."""
    from sqlalchemy import create_engine, text

    try:
        import psycopg  # noqa: F401  (the test extra's driver)
    except ImportError:
        raise Unavailable("psycopg (the test extra) is not installed") from None
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"shiftcast_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise Unavailable(f"PostgreSQL is not reachable at {POSTGRES} ({type(exc).__name__})") from None
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_reachable() -> None:
    """Raise Unavailable unless the local Redis answers a ping."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as exc:
        raise Unavailable(f"Redis is not reachable at {REDIS} ({type(exc).__name__})") from None


def sessions(database_url: str) -> sessionmaker:
    """Sessions on the store at `database_url`, its schema brought up to date by the migrations first."""
    upgrade(database_url)
    return make_sessionmaker(make_engine(database_url))


def app(database_url: str, **config) -> Flask:
    """The app over the store at `database_url` (migrated first), with `config` over its settings."""
    upgrade(database_url)
    return api.create_app({"DATABASE_URL": database_url, **config})


def token(database_url: str, role: str, name: str | None = None, sites: list[int] | None = None) -> str:
    """A new token of `role` in the store at `database_url` (seeing `sites`, by default the default site)."""
    with sessions(database_url)() as s:
        return create_token(s, name or f"test-{role}", role, sites)[1]


def calls_csv(days: int = 14, start: str = "2026-11-01", seed: int = 0) -> bytes:
    """A calls history on the 15-minute grid, open 08:00–18:00, with a daily shape and noise."""
    rng = np.random.default_rng(seed)
    day_index = pd.date_range(start, periods=days, freq="D")
    offsets = pd.to_timedelta(np.arange(8 * 60, 18 * 60, 15), unit="min")
    starts = (day_index.values[:, None] + offsets.values[None, :]).ravel()
    shape = np.tile(np.sin(np.linspace(0.2, np.pi - 0.2, len(offsets))), days)
    calls = rng.poisson(20 + 40 * shape)
    frame = pd.DataFrame({"interval_start": pd.DatetimeIndex(starts).strftime("%Y-%m-%d %H:%M"), "calls": calls,
                          "aht_s": np.round(rng.normal(240, 15, len(calls)), 1)})
    return frame.to_csv(index=False).encode()


def staff_table(staff: pd.DataFrame) -> pd.DataFrame:
    """A loaded staff list (a synthetic month's: shifts as tuples) in the columns of the staff file users upload."""
    return staff.assign(shifts=staff["shifts"].map(";".join)).drop(columns="preferred_rest_weekday")


def staff_csv(agents: int = 20, leaders: int = 4) -> bytes:
    rows = ["employee_id,name,role,group,team"]
    for i in range(leaders):
        rows.append(f"L{i:03d},Leader {i},group_leader,G{i % 4},T{i % 2}")
    for i in range(agents):
        rows.append(f"A{i:03d},Agent {i},agent,G{i % 4},T{i % 2}")
    return ("\n".join(rows) + "\n").encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`shiftcast serve`'s gunicorn (with its job worker) on a free loopback port, in its own process group (so
    kill -9 takes all). Without `via_cli` the store must be migrated already (`sessions`, `token` do it)."""

    def __init__(self, database_url: str, workdir: Path, workers: int | None = 2, env: dict | None = None,
                 via_cli: bool = False) -> None:
        self.via_cli = via_cli
        self.database_url = database_url
        self.workdir = Path(workdir)
        self.workers = workers
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = self.workdir / f"gunicorn-{self.port}.log"

    def start(self, timeout: float = 120.0) -> "Server":
        # The server imports this same code tree, whatever the working directory.
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "SHIFTCAST_DATABASE_URL": self.database_url, "PYTHONPATH": path, **self.env}
        workers = ["--workers", str(self.workers)] if self.workers else []
        if self.via_cli:  # `shiftcast serve` itself: it execs gunicorn with the config (same pid, same group)
            cmd = [sys.executable, "-c", "from cli import main; main()", "serve",
                   "--bind", f"127.0.0.1:{self.port}", *workers]
        else:  # gunicorn with the same config, without the CLI's imports (seconds faster to start)
            cmd = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{self.port}",
                   *workers, "api:create_app()"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.kill()  # never leave a half-started server behind
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 the arbiter and its workers at once, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def running_server(database_url: str, workdir: Path, **kwargs) -> Iterator[Server]:
    server = Server(database_url, workdir, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()


def store_roster(database_url: str, roster, month: str, staff: pd.DataFrame, inputs: dict | None = None,
                 workbook: bytes | None = None, rules: Rules = DEFAULT_RULES, site_id: int = DEFAULT_SITE_ID) -> int:
    """Store a solved (or hand-built) roster as the API would after a job (with the job's workbook when
    given, see api.results.roster_result); returns its id."""
    doc = roster_document(roster, month, staff, rules)
    with sessions(database_url)() as s:
        row = Result(kind="roster", month=month, inputs=inputs or {}, summary={"status": doc["status"]},
                     payload=result_payload(RosterOut, doc), site_id=site_id, created_by="test")
        if workbook is not None:
            row.exports.append(Export(format=f"xlsx-{DEFAULT_EXPORT_LANG}", content=workbook))
        s.add(row)
        s.commit()
        return row.id


def store_staffing(database_url: str, requirement: pd.DataFrame, month: str, site_id: int = DEFAULT_SITE_ID) -> int:
    """Store a staffing requirement (interval index, `scheduled` and any other columns) as POST /staffing would."""
    doc = {"month": month, "inputs": {}, "summary": {}, "intervals": interval_records(requirement)}
    with sessions(database_url)() as s:
        row = Result(kind="staffing", month=month, inputs={}, summary={}, payload=result_payload(StaffingOut, doc),
                     site_id=site_id)
        s.add(row)
        s.commit()
        return row.id


def cancel_and_wait(client, job_url: str, headers: dict, timeout: float = 60.0) -> tuple[dict, float]:
    """Cancel a running job through a Flask test client and wait until it stops running: (the job as it
    ended, the seconds it went on after the cancel)."""
    assert client.post(f"{job_url}/cancel", headers=headers).status_code == 202
    asked = time.monotonic()
    while (job := client.get(job_url, headers=headers).json)["state"] == "running":
        assert time.monotonic() - asked < timeout, f"the job went on {timeout} s after the cancel"
        time.sleep(0.05)
    return job, time.monotonic() - asked


@contextlib.contextmanager
def worker_processes(database_url: str, workdir: Path, count: int, settings: dict) -> Iterator[list[subprocess.Popen]]:
    """`count` `shiftcast worker` processes on the store at `database_url` with the given settings (as
    SHIFTCAST_* variables), once each takes jobs; stopped (SIGTERM) when the block ends."""
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
           "SHIFTCAST_DATABASE_URL": database_url, **{f"SHIFTCAST_{k}": str(v) for k, v in settings.items()}}
    logs = [Path(workdir) / f"worker-{uuid.uuid4().hex[:8]}.log" for _ in range(count)]
    procs = []
    try:
        for log in logs:
            with open(log, "wb") as out:
                procs.append(subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "worker"], env=env,
                                              stdout=subprocess.DEVNULL, stderr=out))
        deadline = time.monotonic() + 120
        while not all("takes jobs from" in log.read_text() for log in logs):  # imports done, app built
            for proc, log in zip(procs, logs):
                if proc.poll() is not None:
                    raise RuntimeError(f"a worker exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start in 120 s")
            time.sleep(0.1)
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)


def people_staff_csv() -> bytes:
    """A small floor with every level: a supervisor, two teams (team leaders), three groups (group leaders) and
    four agents, A001 and A002 in group G1, A003 in G2 (team T1), A004 in G3 (team T2)."""
    return b"""employee_id,name,role,group,team
S001,Sup,supervisor,,
T001,Team One,team_leader,,T1
G001,Group One,group_leader,G1,T1
A001,Agent 1,agent,G1,T1
A002,Agent 2,agent,G1,T1
G002,Group Two,group_leader,G2,T1
A003,Agent 3,agent,G2,T1
T002,Team Two,team_leader,,T2
A004,Agent 4,agent,G3,T2
"""
