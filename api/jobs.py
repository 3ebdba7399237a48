"""Durable jobs: long solves run by the job worker's runner (api.worker), their state kept in the store.

- A job is claimed with one atomic `UPDATE ... WHERE state = 'queued'`, so among several job workers
  (on one machine or on several sharing a database) exactly one runs it.
- While it runs, the runner writes a heartbeat and the solver's progress; a job whose runner died (the
  heartbeat went stale, or its process on this host is gone) is re-queued, or failed with the reason once
  it has used its attempts. This is checked on start-up and then every poll.
- The result row and the job's `succeeded` state are written in one transaction, guarded by the claim,
  so a crash never leaves half a result and a re-queued job's old run cannot overwrite the new one.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import Job, Result, utcnow
from api.json_values import json_scalar
from api.problems import Problem
from core.errors import DataError

log = logging.getLogger("api.jobs")
HOST = socket.gethostname()


class Cancelled(Exception):
    """Raised inside a job when its cancellation was requested."""


class PipelineError(RuntimeError):
    """A step could not give an answer; the job fails with this message, which is for the user."""


class Progress:
    """What a running job reports: solver progress, throttled writes, heartbeat, and cancellation."""

    def __init__(self, runner: "JobRunner", job_id: int, min_interval_s: float = 0.5) -> None:
        self.runner = runner
        self.job_id = job_id
        self.min_interval_s = min_interval_s
        self.values: dict = {}
        self._last = 0.0
        self.cancel_requested = False
        self.interrupted = False  # the worker is stopping: the job goes back to the queue, not to `cancelled`
        self.stop = threading.Event()  # set on cancel: a solver given it stops searching (scheduler.roster.solve)

    def cancel(self) -> None:
        """The job was asked to stop: set from the runner's watch, or from a progress write that saw it."""
        self.cancel_requested = True
        self.stop.set()

    def interrupt(self) -> None:
        """The worker is stopping: the solver stops as for a cancel, and the job is queued again."""
        self.interrupted = True
        self.stop.set()

    def check(self) -> None:
        """Raise Cancelled if the job was asked to stop (a handler calls this between its steps)."""
        if self.cancel_requested or self.interrupted:
            raise Cancelled()

    def report(self, **values) -> None:
        self.values.update({k: json_scalar(v) for k, v in values.items()})
        now = time.monotonic()
        if now - self._last >= self.min_interval_s:
            self._last = now
            self.flush()
        self.check()

    def flush(self) -> None:
        with self.runner.sessions() as s:
            s.execute(update(Job).where(Job.id == self.job_id, Job.runner == self.runner.id)
                      .values(progress=dict(self.values), heartbeat_at=utcnow()))
            s.commit()
            if s.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)):
                self.cancel()

    def __call__(self, *args, **kwargs) -> None:
        """The solver's callback: a dict, a message, an object with attributes, or (objective, bound, seconds)."""
        if args and isinstance(args[0], dict):
            values = dict(args[0])
        elif args and isinstance(args[0], str):  # a step described in words (the headcount search)
            values = {"message": args[0]}
        elif args and hasattr(args[0], "__dict__") and not isinstance(args[0], (int, float)):
            values = {k: v for k, v in vars(args[0]).items() if not k.startswith("_")}
        else:
            values = dict(zip(("objective", "bound", "seconds"), args))
        values.update(kwargs)
        self.report(**values)


Handler = Callable[[Session, Job, Progress], Result]


def enqueue(session: Session, kind: str, params: dict, created_by: str, site_id: int, token_id: int | None) -> Job:
    """Queue a job of site `site_id` for the token `token_id` (its owner)."""
    job = Job(kind=kind, state="queued", params=params, progress={}, created_by=created_by, site_id=site_id,
              token_id=token_id)
    session.add(job)
    session.commit()
    return job


def cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued job at once; ask a running one to stop (it ends as `cancelled`)."""
    job = session.get(Job, job_id)
    if job is None:
        raise Problem(404, f"there is no job {job_id}", slug="not-found")
    done = session.execute(update(Job).where(Job.id == job_id, Job.state == "queued")
                           .values(state="cancelled", finished_at=utcnow(), error="cancelled before it started"))
    if done.rowcount == 0:
        running = session.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                                  .values(cancel_requested=True))
        if running.rowcount == 0:
            session.rollback()
            session.refresh(job)
            raise Problem(409, f"job {job_id} has already {job.state}", slug="conflict")
    session.commit()
    session.refresh(job)
    return job


def _process_gone(runner: str | None) -> bool:
    """True when `runner` ran on this host in a process that no longer exists."""
    if not runner:
        return True
    host, _, rest = runner.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_orphans(session: Session, stale_after_s: float, max_attempts: int, own_runner: str | None = None) -> list[int]:
    """Re-queue (or fail, after max_attempts) running jobs whose runner died; returns their ids."""
    now = utcnow()
    recovered = []
    for job in session.scalars(select(Job).where(Job.state == "running")).all():
        if job.runner == own_runner:
            continue
        stale = job.heartbeat_at is None or (now - job.heartbeat_at).total_seconds() > stale_after_s
        if not (stale or _process_gone(job.runner)):
            continue
        old_runner = job.runner
        guard = (Job.id == job.id, Job.state == "running", Job.runner == old_runner)
        if job.attempts < max_attempts:
            values = dict(state="queued", runner=None, cancel_requested=False,
                          error=f"the server stopped during attempt {job.attempts}; re-queued")
            if job.cancel_requested:
                values = dict(state="cancelled", finished_at=now, error="cancelled (the server stopped during the run)")
        else:
            values = dict(state="failed", finished_at=now,
                          error=f"the server stopped during the job on each of its {job.attempts} attempts")
        if session.execute(update(Job).where(*guard).values(**values)).rowcount:
            recovered.append(job.id)
            log.warning("job %s: runner %s is gone -> %s", job.id, old_runner, values["state"])
    session.commit()
    return recovered


class JobRunner:
    """Claims and runs queued jobs in a background thread (or on demand with `run_pending`)."""

    def __init__(self, sessions: sessionmaker, handlers: dict[str, Handler], *, poll_s: float = 0.5,
                 heartbeat_s: float = 2.0, stale_after_s: float = 15.0, max_attempts: int = 2,
                 max_running: int = 1) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.stale_after_s = stale_after_s
        self.max_attempts = max_attempts
        self.max_running = max_running
        self.id = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.current: int | None = None
        self.progress: Progress | None = None  # the running job's, for the watch to signal a cancel to
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle
    def start(self) -> None:
        for target in (self._loop, self._heartbeat):
            t = threading.Thread(target=target, name=f"shiftcast-{target.__name__.strip('_')}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming; a running job's solver is stopped too and the job queued again for the next worker."""
        self._stop.set()
        self._wake.set()
        progress = self.progress
        if progress is not None:
            progress.interrupt()
        for t in self._threads:
            t.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self.sessions() as s:
                    recover_orphans(s, self.stale_after_s, self.max_attempts, self.id)
                ran = self.run_pending()
            except Exception:  # the loop must survive a database hiccup
                log.exception("job runner loop")
                ran = 0
            if not ran:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _heartbeat(self) -> None:
        """While a job runs: its heartbeat every heartbeat_s, and a look for a cancel every poll_s, so that a
        cancel reaches the solver within about a second even when it reports no progress for a while."""
        beat = 0.0
        while not self._stop.wait(min(self.heartbeat_s, self.poll_s)):
            job_id, progress = self.current, self.progress
            if job_id is None:
                continue
            try:
                with self.sessions() as s:
                    if time.monotonic() - beat >= self.heartbeat_s:
                        s.execute(update(Job).where(Job.id == job_id, Job.runner == self.id).values(heartbeat_at=utcnow()))
                        s.commit()
                        beat = time.monotonic()
                    if progress is not None and s.scalar(select(Job.cancel_requested).where(Job.id == job_id)):
                        progress.cancel()
            except Exception:
                log.exception("job heartbeat")

    # -- claiming and running
    def claim(self) -> int | None:
        """Take the oldest queued job, atomically; None when there is none (or enough are running)."""
        with self.sessions() as s:
            while True:
                job_id = s.scalar(select(Job.id).where(Job.state == "queued").order_by(Job.id).limit(1))
                if job_id is None:
                    return None
                running = select(func.count()).select_from(Job).where(Job.state == "running").scalar_subquery()
                now = utcnow()
                claimed = s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == "queued", running < self.max_running)
                    .values(state="running", runner=self.id, started_at=now, heartbeat_at=now,
                            attempts=Job.attempts + 1, progress={})
                    .execution_options(synchronize_session=False)
                )
                s.commit()
                if claimed.rowcount == 1:
                    return job_id
                if s.scalar(select(Job.state).where(Job.id == job_id)) == "queued":
                    return None  # still queued: the running limit is reached

    def run_pending(self) -> int:
        """Run queued jobs until none is left (or the limit is reached); returns how many ran."""
        ran = 0
        while not self._stop.is_set():
            job_id = self.claim()
            if job_id is None:
                return ran
            self.run(job_id)
            ran += 1
        return ran

    def run(self, job_id: int) -> None:
        started = time.monotonic()
        progress = Progress(self, job_id)
        self.current, self.progress = job_id, progress
        try:
            with self.sessions() as s:
                job = s.get(Job, job_id)
                handler = self.handlers[job.kind]
                try:
                    result = handler(s, job, progress)
                    if progress.interrupted or progress.cancel_requested or s.scalar(
                            select(Job.cancel_requested).where(Job.id == job_id)):
                        raise Cancelled()
                except Cancelled:
                    s.rollback()
                    if progress.interrupted:
                        self._requeue(s, job_id)
                    else:
                        self._finish(s, job_id, started, state="cancelled", error="cancelled while running")
                    return
                except (DataError, Problem, PipelineError) as exc:
                    s.rollback()
                    self._finish(s, job_id, started, state="failed", error=str(exc))
                    return
                except Exception as exc:
                    s.rollback()
                    log.exception("job %s failed", job_id)
                    self._finish(s, job_id, started, state="failed",
                                 error=f"internal error ({type(exc).__name__}); the server log has the details")
                    return
                result.job_id = job_id
                s.add(result)
                s.flush()
                if not self._finish(s, job_id, started, state="succeeded", result_id=result.id,
                                    progress=progress.values or None):
                    log.warning("job %s was taken from runner %s; its result is dropped", job_id, self.id)
        finally:
            self.current, self.progress = None, None

    def _requeue(self, s: Session, job_id: int) -> None:
        """Put a job this runner was stopped in back in the queue (as a crash's recovery would, at once)."""
        s.execute(update(Job).where(Job.id == job_id, Job.runner == self.id, Job.state == "running")
                  .values(state="queued", runner=None, error="the worker stopped during the run; re-queued")
                  .execution_options(synchronize_session=False))
        s.commit()

    def _finish(self, s: Session, job_id: int, started: float, *, state: str, error: str | None = None,
                result_id: int | None = None, progress: dict | None = None) -> bool:
        values = dict(state=state, finished_at=utcnow(), seconds=time.monotonic() - started, error=error,
                      result_id=result_id)
        if progress is not None:
            values["progress"] = progress
        done = s.execute(update(Job).where(Job.id == job_id, Job.runner == self.id, Job.state == "running")
                         .values(**values).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            s.rollback()
            return False
        s.commit()
        return True
