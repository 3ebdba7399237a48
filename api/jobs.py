"""Durable jobs: long solves run by job workers (api.worker), their state kept in the store, their messages
carried by the task engine (api.broker).

- A job row is written first, then its message sent; the worker that receives the message claims the row with
  one atomic `UPDATE ... WHERE state = 'queued'`, so a job runs once however often its message comes.
- While it runs, the worker writes the solver's progress and looks for a cancel; whether the worker is alive is
  asked of the broker (api.broker.Broker.alive), never read from the store, so a stalled store never makes a
  healthy job look dead. A job whose worker is gone is re-queued, or failed with the reason once it has used
  its attempts; every worker checks on start-up and then between jobs.
- The result row and the job's `succeeded` state are written in one transaction, guarded by the claim,
  so a crash never leaves half a result and a re-queued job's old run cannot overwrite the new one.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from api.broker import Broker, runner_id
from api.db import Job, Result, Site, utcnow
from api.json_values import json_scalar
from api.problems import Problem
from core.errors import DataError

log = logging.getLogger("api.jobs")


def cancel_asked(session: Session, job_id: int) -> bool:
    """Whether job `job_id`, or the job it is a part of, was asked to stop: a cancel of a headcount search
    reaches the roster solves it fanned out."""
    parent = aliased(Job)
    row = session.execute(select(Job.cancel_requested, parent.cancel_requested)
                          .outerjoin(parent, parent.id == Job.parent_id).where(Job.id == job_id)).first()
    return row is not None and bool(row[0] or row[1])


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
        """Record progress, then raise Cancelled if the job was asked to stop."""
        self.record(**values)
        self.check()

    def record(self, **values) -> None:
        """Record progress (written at most every min_interval_s); never raises for a cancel."""
        self.values.update({k: json_scalar(v) for k, v in values.items()})
        now = time.monotonic()
        if now - self._last >= self.min_interval_s:
            self._last = now
            self.flush()

    def flush(self) -> None:
        with self.runner.sessions() as s:
            s.execute(update(Job).where(Job.id == self.job_id, Job.runner == self.runner.id)
                      .values(progress=dict(self.values), heartbeat_at=utcnow()))
            s.commit()
            if cancel_asked(s, self.job_id):
                self.cancel()

    def __call__(self, *args, **kwargs) -> None:
        """The solver's callback: a dict, a message, an object with attributes, or (objective, bound, seconds).
        Raises Cancelled once the job was asked to stop, ending a search made of many solves between them."""
        self.record(**self.values_of(*args, **kwargs))
        self.check()

    def solution(self, *args, **kwargs) -> None:
        """The callback of a solve that keeps its best answer on a cancel: records, and leaves the stopping to
        the `stop` event the solver watches (raising here would lose the answer)."""
        self.record(**self.values_of(*args, **kwargs))

    @staticmethod
    def values_of(*args, **kwargs) -> dict:
        if args and isinstance(args[0], dict):
            values = dict(args[0])
        elif args and isinstance(args[0], str):  # a step described in words (the headcount search)
            values = {"message": args[0]}
        elif args and hasattr(args[0], "__dict__") and not isinstance(args[0], (int, float)):
            values = {k: v for k, v in vars(args[0]).items() if not k.startswith("_")}
        else:
            values = dict(zip(("objective", "bound", "seconds"), args))
        values.update(kwargs)
        return values


# A handler's answer is its result row; None when the job's final progress is its answer (a headcount trial's
# verdict, read by the search that fanned it out).
Handler = Callable[[Session, Job, Progress], Result | None]


@dataclass(frozen=True)
class Limits:
    """What one store accepts: jobs waiting at once in a site, and the longest solve a job may ask for."""

    max_queued: int
    max_time_limit_s: float
    retry_after_s: int = 30


def _lock_site(session: Session, site_id: int) -> None:
    """Hold site `site_id` until the session commits, so that counting its queued jobs and adding one is a
    single step for concurrent submits: a write to its row locks that row on PostgreSQL and takes the
    store's write lock on SQLite. The read transaction before it is ended first: on SQLite in WAL mode a read
    transaction cannot wait for the write lock (it fails at once when another writer committed since)."""
    session.commit()
    session.execute(update(Site).where(Site.id == site_id).values(id=Site.id)
                    .execution_options(synchronize_session=False))


def submit(session: Session, broker: Broker, kind: str, params: dict, created_by: str, limits: Limits, *,
           site_id: int, token_id: int | None) -> Job:
    """Record a job of site `site_id` for the token `token_id` (its owner) and send its message; 429 when the
    site's queue is full (each site queues up to `limits.max_queued`, so one busy site never holds back the
    others), 422 for a time limit above the maximum, 503 when the broker cannot be reached (the job is then
    failed with that reason)."""
    limit = params.get("time_limit_s")
    if limit is not None and limit > limits.max_time_limit_s:
        raise Problem(422, f"time_limit_s is {limit:g} s; this server solves for at most {limits.max_time_limit_s:g} s",
                      title="Invalid request", slug="invalid-request",
                      errors=[{"pointer": "/time_limit_s", "detail": f"at most {limits.max_time_limit_s:g}"}])
    _lock_site(session, site_id)
    queued = session.scalar(select(func.count()).select_from(Job).where(Job.state == "queued",
                                                                      Job.site_id == site_id))
    if queued >= limits.max_queued:
        session.rollback()  # lets go of the site's lock
        raise Problem(429, f"{queued} jobs of this site are waiting, the most this server queues for a site; "
                           "try again later", slug="queue-full", headers={"Retry-After": str(limits.retry_after_s)})
    job = Job(kind=kind, state="queued", params=params, progress={}, created_by=created_by, site_id=site_id,
              token_id=token_id)
    session.add(job)
    session.commit()
    try:
        broker.send(job.id, kind)
    except Exception as exc:
        log.exception("job %s: the broker at %s did not take its message", job.id, broker.url)
        session.execute(update(Job).where(Job.id == job.id, Job.state == "queued").values(
            state="failed", finished_at=utcnow(), error=f"the job queue could not be reached ({type(exc).__name__})"))
        session.commit()
        raise Problem(503, "the job queue could not be reached; try again later", slug="unavailable",
                      headers={"Retry-After": str(limits.retry_after_s)}) from None
    return job


def spawn(session: Session, broker: Broker, parent: Job, kind: str, params: list[dict]) -> list[int]:
    """Record the parts of job `parent` (its site, owner and creator; outside the site's queue bound, which
    the parent was admitted under) and send their messages; returns their ids in the order of `params`."""
    children = [Job(kind=kind, state="queued", params=p, progress={}, created_by=parent.created_by,
                    site_id=parent.site_id, token_id=parent.token_id, parent_id=parent.id) for p in params]
    session.add_all(children)
    session.commit()
    for child in children:
        broker.send(child.id, kind)
    return [child.id for child in children]


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


@dataclass(frozen=True)
class Recovery:
    """A running job whose worker was gone, and the state it was given (queued, failed or cancelled)."""

    job_id: int
    kind: str
    state: str


def recover_orphans(session: Session, alive: Callable[[str | None], bool], max_attempts: int,
                    own_runner: str | None = None) -> list[Recovery]:
    """Re-queue (or fail, after max_attempts) running jobs whose worker `alive` says is gone."""
    now = utcnow()
    recovered = []
    for job in session.scalars(select(Job).where(Job.state == "running")).all():
        if job.runner == own_runner or alive(job.runner):
            continue
        old_runner = job.runner
        guard = (Job.id == job.id, Job.state == "running", Job.runner == old_runner)
        if job.cancel_requested:
            values = dict(state="cancelled", finished_at=now, error="cancelled (the worker stopped during the run)")
        elif job.attempts < max_attempts:
            values = dict(state="queued", runner=None, error=f"the worker stopped during attempt {job.attempts}; re-queued")
        else:
            values = dict(state="failed", finished_at=now,
                          error=f"the worker stopped during the job on each of its {job.attempts} attempts")
        if session.execute(update(Job).where(*guard).values(**values)).rowcount:
            recovered.append(Recovery(job.id, job.kind, values["state"]))
            log.warning("job %s: worker %s is gone -> %s", job.id, old_runner, values["state"])
    session.commit()
    return recovered


class JobRunner:
    """Runs the jobs whose messages the broker hands this process: in background threads (`start`), or on
    demand until the queue is empty (`run_pending`)."""

    def __init__(self, sessions: sessionmaker, handlers: dict[str, Handler], broker: Broker, *, poll_s: float = 0.5,
                 heartbeat_s: float = 2.0, max_attempts: int = 2, fan_out: int = 2) -> None:
        self.sessions = sessions
        self.fan_out = fan_out  # parts a job may have its workers run at once (a headcount search's trials)
        self.handlers = handlers
        self.broker = broker
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.max_attempts = max_attempts
        self.id = runner_id()
        self.current: int | None = None
        self.progress: Progress | None = None  # the running job's, for the watch to signal a cancel to
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._recovered_at = 0.0
        broker.execute_job = self.run

    # -- lifecycle
    def start(self) -> None:
        self.broker.beat(self.id)
        for target in (self._loop, self._heartbeat, self._alive):
            t = threading.Thread(target=target, name=f"shiftcast-{target.__name__.strip('_')}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking messages; a running job's solver is stopped too and the job queued again for the next worker."""
        self._stop.set()
        self._wake.set()
        progress = self.progress
        if progress is not None:
            progress.interrupt()
        for t in self._threads:
            t.join(timeout)
        try:
            self.broker.forget(self.id)
        except Exception:
            log.exception("worker %s: its liveness record stays until it ages out", self.id)

    def wake(self) -> None:
        self._wake.set()

    @property
    def stopping(self) -> bool:
        """Whether this worker was told to stop (its running jobs go back to the queue)."""
        return self._stop.is_set()

    def recover(self) -> list[Recovery]:
        """Re-queue the jobs of workers that are gone, and send their messages again."""
        with self.sessions() as s:
            recovered = recover_orphans(s, self.broker.alive, self.max_attempts, self.id)
        for r in recovered:
            if r.state == "queued":
                self.broker.send(r.job_id, r.kind)
        self._recovered_at = time.monotonic()
        return recovered

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if time.monotonic() - self._recovered_at >= self.heartbeat_s:
                    self.recover()
                ran = self.run_one()
            except Exception:  # the loop must survive a store or broker hiccup
                log.exception("job runner loop")
                ran = False
            if not ran:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _alive(self) -> None:
        """The liveness record in the broker, in a thread of its own: a stalled store must not delay it."""
        while not self._stop.wait(self.heartbeat_s):
            try:
                self.broker.beat(self.id)
            except Exception:
                log.exception("worker liveness record")

    def _heartbeat(self) -> None:
        """While a job runs: its heartbeat time (shown to users) every heartbeat_s, and a look for a cancel every
        poll_s, so that a cancel reaches the solver within about a second even when it reports nothing for a while."""
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
                    if progress is not None and cancel_asked(s, job_id):
                        progress.cancel()
            except Exception:
                log.exception("job heartbeat")

    # -- claiming and running
    def claim(self, job_id: int) -> bool:
        """Take job `job_id` if it is still queued, atomically: False when it was cancelled, or is another's."""
        with self.sessions() as s:
            now = utcnow()
            claimed = s.execute(
                update(Job).where(Job.id == job_id, Job.state == "queued")
                .values(state="running", runner=self.id, started_at=now, heartbeat_at=now,
                        attempts=Job.attempts + 1, progress={})
                .execution_options(synchronize_session=False))
            s.commit()
            return claimed.rowcount == 1

    def run_pending(self) -> int:
        """Execute the broker's waiting messages until none is left; returns how many were taken."""
        taken = 0
        while not self._stop.is_set() and self.run_one():
            taken += 1
        return taken

    def run_one(self) -> bool:
        """Execute the broker's next message, if any (retries whose delay has passed come back first)."""
        huey = self.broker.huey
        for task in huey.read_schedule():
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            return False
        huey.execute(task)
        return True

    def run(self, job_id: int) -> None:
        """Claim and run job `job_id` (the broker's task calls this); a job not queued any more is left alone.
        A job may run a part of itself here while it waits for its parts (api.fanout): the outer job's
        heartbeat and cancel watch resume when the part ends."""
        if not self.claim(job_id):
            log.info("job %s is not queued any more; its message is dropped", job_id)
            return
        started = time.monotonic()
        progress = Progress(self, job_id)
        outer = self.current, self.progress
        self.current, self.progress = job_id, progress
        try:
            with self.sessions() as s:
                job = s.get(Job, job_id)
                handler = self.handlers[job.kind]
                try:
                    result = handler(s, job, progress)
                    if progress.interrupted:
                        raise Cancelled()
                except Cancelled:
                    s.rollback()
                    if progress.interrupted:
                        self._requeue(s, job_id, job.kind)
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
                # A handler that answers despite a cancel gives the best found by then (a roster solve stopped
                # by StopSearch): it is kept, and the job ends as cancelled all the same.
                cancelled = progress.cancel_requested or cancel_asked(s, job_id)
                if result is None:
                    self._finish(s, job_id, started, state="cancelled" if cancelled else "succeeded",
                                 error="cancelled while running" if cancelled else None, progress=progress.values)
                    return
                result.job_id = job_id
                s.add(result)
                s.flush()
                ending = (dict(state="cancelled", error="cancelled while running; the best answer found by then is kept")
                          if cancelled else dict(state="succeeded"))
                if not self._finish(s, job_id, started, **ending, result_id=result.id,
                                    progress=progress.values or None):
                    log.warning("job %s was taken from worker %s; its result is dropped", job_id, self.id)
        finally:
            self.current, self.progress = outer

    def _requeue(self, s: Session, job_id: int, kind: str) -> None:
        """Put a job this worker was stopped in back in the queue (as a crash's recovery would, at once)."""
        done = s.execute(update(Job).where(Job.id == job_id, Job.runner == self.id, Job.state == "running")
                         .values(state="queued", runner=None, error="the worker stopped during the run; re-queued")
                         .execution_options(synchronize_session=False))
        s.commit()
        if done.rowcount:
            self.broker.send(job_id, kind)

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
