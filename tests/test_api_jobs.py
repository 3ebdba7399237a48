"""Durable jobs: exclusive claims, progress, cancellation, crash recovery, atomic results."""
from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from sqlalchemy import select, update

from api import jobs, testing
from api.db import DEFAULT_SITE_ID, Job, Result, utcnow
from api.problems import Problem
from core.errors import DataError


@pytest.fixture
def sessions(tmp_path):
    return testing.sessions(f"sqlite:///{tmp_path / 'jobs.sqlite'}")


def solve_like(s, job, progress):
    """A handler shaped like the roster's: reports improving objectives, then returns its result row."""
    for step in range(3):
        progress(objective=100.0 - step, bound=90.0, seconds=step * 0.1)
    return Result(kind="roster", month="2026-12", inputs=job.params, summary={}, payload=b'{"n": %d}' % job.params["n"],
                  site_id=job.site_id)


def runner(sessions, handler=solve_like, **kw) -> jobs.JobRunner:
    r = jobs.JobRunner(sessions, {"roster": handler}, **kw)
    return r


def enqueue(sessions, n=1):
    with sessions() as s:
        return jobs.enqueue(s, "roster", {"n": n}, "test", DEFAULT_SITE_ID, None).id


def job(sessions, job_id) -> Job:
    with sessions() as s:
        return s.get(Job, job_id)


def test_each_job_is_claimed_by_exactly_one_runner(sessions):
    ids = [enqueue(sessions, i) for i in range(6)]
    runners = [runner(sessions, max_running=100) for _ in range(8)]
    claimed, lock, barrier = [], threading.Lock(), threading.Barrier(len(runners))

    def work(r):
        barrier.wait()
        while (got := r.claim()) is not None:
            with lock:
                claimed.append((got, r.id))

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for j, _ in claimed) == ids
    for job_id, runner_id in claimed:
        row = job(sessions, job_id)
        assert (row.state, row.runner, row.attempts) == ("running", runner_id, 1)


def test_running_limit_holds_jobs_in_the_queue(sessions):
    first, second = enqueue(sessions), enqueue(sessions)
    r = runner(sessions, max_running=1)
    assert r.claim() == first
    assert runner(sessions, max_running=1).claim() is None
    assert job(sessions, second).state == "queued"


def test_a_job_runs_to_its_result_with_progress(sessions):
    job_id = enqueue(sessions, 7)
    assert runner(sessions).run_pending() == 1
    row = job(sessions, job_id)
    assert row.state == "succeeded" and row.error is None and row.seconds >= 0
    assert row.progress == {"objective": 98.0, "bound": 90.0, "seconds": 0.2}
    with sessions() as s:
        result = s.get(Result, row.result_id)
    assert result.payload == b'{"n": 7}' and result.job_id == job_id


@pytest.mark.parametrize("exc, reason", [
    (DataError("staff.csv", "expected a role", row=4, column="role"), "staff.csv, row 4, column 'role': expected a role"),
    (KeyError("/secret/path"), "internal error (KeyError); the server log has the details"),
    (jobs.PipelineError("the roster solver found no roster: raise the time limit"),
     "the roster solver found no roster: raise the time limit"),
])
def test_a_failing_job_keeps_its_reason_and_no_result(sessions, exc, reason):
    def failing(s, job, progress):
        progress(objective=1.0)
        raise exc

    job_id = enqueue(sessions)
    runner(sessions, failing).run_pending()
    row = job(sessions, job_id)
    assert (row.state, row.error, row.result_id) == ("failed", reason, None)
    with sessions() as s:
        assert s.scalars(select(Result)).all() == []


def test_cancel_queued_running_and_finished_jobs(sessions):
    queued = enqueue(sessions)
    with sessions() as s:
        assert jobs.cancel(s, queued).state == "cancelled"
        with pytest.raises(Problem) as again:
            jobs.cancel(s, queued)
        assert again.value.status == 409
        with pytest.raises(Problem) as missing:
            jobs.cancel(s, 404)
        assert missing.value.status == 404

    running = enqueue(sessions)
    seen = []

    def cancelled_midway(s, job, progress):
        progress(objective=5.0)
        with sessions() as other:
            jobs.cancel(other, job.id)  # a supervisor cancels while the solver runs
        progress.flush()
        seen.append(progress.cancel_requested)
        progress(objective=4.0)  # the next report stops the solve
        raise AssertionError("not reached")

    runner(sessions, cancelled_midway).run_pending()
    row = job(sessions, running)
    assert seen == [True] and row.state == "cancelled" and row.result_id is None


def test_a_cancel_reaches_a_job_that_reports_nothing(sessions):
    """A solver deep in a search reports no progress for long stretches: the runner's watch still tells it
    to stop (progress.stop, which scheduler.roster.solve hands to CP-SAT), within about poll_s."""
    waited = []

    def silent_solver(s, job, progress):
        waited.append(progress.stop.wait(20))  # a search that only a stop ends
        progress.check()
        raise AssertionError("not reached")

    r = runner(sessions, silent_solver, poll_s=0.1, heartbeat_s=0.5)
    job_id = enqueue(sessions)
    r.start()
    try:
        deadline = time.monotonic() + 10
        while job(sessions, job_id).state != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with sessions() as s:
            jobs.cancel(s, job_id)
        asked = time.monotonic()
        while job(sessions, job_id).state == "running":
            assert time.monotonic() - asked < 10, "the running job never heard of the cancel"
            time.sleep(0.05)
    finally:
        r.stop()
    row = job(sessions, job_id)
    assert waited == [True] and row.state == "cancelled" and row.result_id is None
    assert time.monotonic() - asked < 3


def test_a_stopping_worker_stops_its_solve_and_queues_the_job_again(sessions):
    """A worker told to stop (SIGTERM to `shiftcast worker`) ends the solve under way, as a cancel would, and
    gives the job back to the queue for the next worker, instead of dying in the middle of the search."""
    waited = []

    def silent_solver(s, job, progress):
        waited.append(progress.stop.wait(20))
        progress.check()
        raise AssertionError("not reached")

    r = runner(sessions, silent_solver, poll_s=0.1, heartbeat_s=0.5)
    job_id = enqueue(sessions)
    r.start()
    deadline = time.monotonic() + 10
    while job(sessions, job_id).state != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    asked = time.monotonic()
    r.stop()
    assert time.monotonic() - asked < 2 and not any(t.is_alive() for t in r._threads)
    row = job(sessions, job_id)
    assert waited == [True] and (row.state, row.runner, row.attempts) == ("queued", None, 1)
    assert "worker stopped" in row.error


def _orphan(sessions, runner_id: str, heartbeat_age_s: float, attempts: int = 1) -> int:
    job_id = enqueue(sessions)
    with sessions() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            state="running", runner=runner_id, attempts=attempts,
            heartbeat_at=utcnow() - dt.timedelta(seconds=heartbeat_age_s)))
        s.commit()
    return job_id


def test_orphaned_jobs_are_requeued_then_failed_with_their_reason(sessions):
    stale = _orphan(sessions, "elsewhere:123:abc", heartbeat_age_s=60)
    fresh = _orphan(sessions, "elsewhere:124:abc", heartbeat_age_s=1)
    with sessions() as s:
        assert jobs.recover_orphans(s, stale_after_s=15, max_attempts=2) == [stale]
    row = job(sessions, stale)
    assert row.state == "queued" and "stopped during attempt 1" in row.error and row.runner is None
    assert job(sessions, fresh).state == "running"  # its server may still be alive

    r = runner(sessions, max_attempts=2, max_running=2)
    assert r.claim() == stale
    with sessions() as s:  # the server dies again during the second attempt
        s.execute(update(Job).where(Job.id == stale).values(heartbeat_at=utcnow() - dt.timedelta(minutes=5),
                                                            runner="elsewhere:9:zz"))
        s.commit()
        jobs.recover_orphans(s, stale_after_s=15, max_attempts=2)
    row = job(sessions, stale)
    assert row.state == "failed" and "each of its 2 attempts" in row.error and row.finished_at is not None


def test_a_dead_process_on_this_host_is_an_orphan_at_once(sessions):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = _orphan(sessions, f"{jobs.HOST}:{gone.pid}:x", heartbeat_age_s=0)
    alive = _orphan(sessions, f"{jobs.HOST}:{os.getppid()}:x", heartbeat_age_s=0)
    with sessions() as s:
        assert jobs.recover_orphans(s, stale_after_s=15, max_attempts=3) == [dead]
    assert job(sessions, alive).state == "running"


def test_a_result_from_a_runner_that_lost_its_job_is_dropped(sessions):
    job_id = enqueue(sessions)

    def overtaken(s, job, progress):
        with sessions() as other:  # meanwhile the job was declared orphaned and re-queued
            other.execute(update(Job).where(Job.id == job.id).values(state="queued", runner=None))
            other.commit()
        return Result(kind="roster", month="2026-12", inputs={}, summary={}, payload=b"{}", site_id=job.site_id)

    r = runner(sessions, overtaken)
    r.run(r.claim())
    assert job(sessions, job_id).state == "queued"
    with sessions() as s:
        assert s.scalars(select(Result)).all() == []


def test_the_worker_recovers_orphans_when_it_starts_and_the_app_leaves_jobs_alone(tmp_path):
    from api.worker import run_worker

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    sessions = testing.sessions(url)
    job_id = _orphan(sessions, "deadhost:1:x", heartbeat_age_s=3600)
    threads = threading.active_count()
    app = testing.app(url, JOB_MAX_RUNNING=0)  # a runner that claims nothing: the test sees the recovery alone
    token = testing.token(url, "viewer")
    client = app.test_client()
    assert threading.active_count() == threads  # the factory starts no job thread
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}).json["state"] == "running"
    stopped = threading.Event()
    stopped.set()
    run_worker(app, stopped)  # recovers at its start, then stops at once
    body = client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}).json
    assert body["state"] == "queued" and "re-queued" in body["error"] and body["attempts"] == 1


def test_the_background_runner_picks_up_jobs(sessions):
    r = runner(sessions, poll_s=0.05, heartbeat_s=0.05)
    r.start()
    try:
        job_id = enqueue(sessions, 3)
        r.wake()
        import time

        deadline = time.monotonic() + 10
        while job(sessions, job_id).state != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        r.stop()
    assert job(sessions, job_id).state == "succeeded"
