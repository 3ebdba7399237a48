"""Durable jobs: exclusive claims, progress, cancellation, crash recovery, atomic results; on SQLite and
PostgreSQL stores, and on the embedded (SQLite) and Redis brokers."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from api import jobs, testing
from api.broker import Broker
from api.db import DEFAULT_SITE_ID, Job, Result, Site, utcnow
from api.problems import Problem
from core.errors import DataError

LIMITS = jobs.Limits(max_queued=100, max_time_limit_s=600)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite'}"
        return
    try:
        with testing.postgres_database() as url:
            yield url
    except testing.Unavailable as exc:
        pytest.skip(f"{exc}; the SQLite variant still runs")


@pytest.fixture
def sessions(store_url):
    return testing.sessions(store_url)


@pytest.fixture(params=["sqlite", "redis"])
def broker(request, tmp_path):
    if request.param == "sqlite":
        yield Broker(f"sqlite:///{tmp_path / 'queue.sqlite'}")
        return
    try:
        testing.redis_reachable()
    except testing.Unavailable as exc:
        pytest.skip(f"{exc}; the embedded broker's variant still runs")
    b = Broker(testing.REDIS, name=f"shiftcast-test-{uuid.uuid4().hex[:8]}")
    yield b
    b.huey.flush()


def solve_like(s, job, progress):
    """A handler shaped like the roster's: reports improving objectives, then returns its result row."""
    for step in range(3):
        progress(objective=100.0 - step, bound=90.0, seconds=step * 0.1)
    return Result(kind="roster", month="2026-12", inputs=job.params, summary={}, payload=b'{"n": %d}' % job.params["n"],
                  site_id=job.site_id)


def runner(sessions, broker, handler=solve_like, **kw) -> jobs.JobRunner:
    return jobs.JobRunner(sessions, {"roster": handler}, broker, **kw)


def enqueue(sessions, broker, n=1):
    with sessions() as s:
        return jobs.submit(s, broker, "roster", {"n": n}, "test", LIMITS, site_id=DEFAULT_SITE_ID, token_id=None).id


def job(sessions, job_id) -> Job:
    with sessions() as s:
        return s.get(Job, job_id)


def wait_for(predicate, timeout=10.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.05)


def test_each_job_is_claimed_by_exactly_one_runner(sessions, broker):
    ids = [enqueue(sessions, broker, i) for i in range(6)]
    runners = [runner(sessions, broker) for _ in range(8)]
    claimed, lock, barrier = [], threading.Lock(), threading.Barrier(len(runners))

    def work(r):
        barrier.wait()
        for job_id in ids:  # every runner got every message: a broker may deliver one twice
            if r.claim(job_id):
                with lock:
                    claimed.append((job_id, r.id))

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for j, _ in claimed) == ids
    for job_id, runner_id in claimed:
        row = job(sessions, job_id)
        assert (row.state, row.runner, row.attempts) == ("running", runner_id, 1)


def test_a_job_runs_to_its_result_with_progress(sessions, broker):
    job_id = enqueue(sessions, broker, 7)
    assert broker.pending() == 1
    assert runner(sessions, broker).run_pending() == 1
    assert broker.pending() == 0
    row = job(sessions, job_id)
    assert row.state == "succeeded" and row.error is None and row.seconds >= 0 and row.attempts == 1
    assert row.progress == {"objective": 98.0, "bound": 90.0, "seconds": 0.2}
    with sessions() as s:
        result = s.get(Result, row.result_id)
    assert result.payload == b'{"n": 7}' and result.job_id == job_id


def test_a_message_delivered_twice_runs_its_job_once(sessions, broker):
    calls = []

    def counted(s, job, progress):
        calls.append(job.id)
        return solve_like(s, job, progress)

    job_id = enqueue(sessions, broker)
    broker.send(job_id, "roster")  # the same job's message again (a retry, a recovery racing the first run)
    assert runner(sessions, broker, counted).run_pending() == 2
    assert calls == [job_id] and job(sessions, job_id).attempts == 1


def test_higher_priority_kinds_run_first(sessions, broker):
    def kind_of(s, job, progress):
        order.append(job.kind)
        return Result(kind=job.kind, month=None, inputs={}, summary={}, payload=b"{}", site_id=job.site_id)

    order: list[str] = []
    with sessions() as s:
        for kind in ("headcount", "roster", "forecast"):
            jobs.submit(s, broker, kind, {}, "test", LIMITS, site_id=DEFAULT_SITE_ID, token_id=None)
    r = jobs.JobRunner(sessions, {k: kind_of for k in ("headcount", "roster", "forecast")}, broker)
    r.run_pending()
    assert order == ["forecast", "roster", "headcount"]


def test_the_queue_bound_and_the_longest_solve_are_enforced_before_a_job_is_recorded(sessions, broker):
    limits = jobs.Limits(max_queued=2, max_time_limit_s=60, retry_after_s=7)
    site = dict(site_id=DEFAULT_SITE_ID, token_id=None)
    with sessions() as s:
        for _ in range(2):
            jobs.submit(s, broker, "roster", {"time_limit_s": 60}, "test", limits, **site)
        with pytest.raises(Problem) as full:
            jobs.submit(s, broker, "roster", {"time_limit_s": 1}, "test", limits, **site)
        with pytest.raises(Problem) as too_long:
            jobs.submit(s, broker, "roster", {"time_limit_s": 61}, "test", limits, **site)
        assert s.scalars(select(Job)).all().__len__() == 2
        # The bound is per site: another site's queue is its own, and still takes jobs.
        other = Site(name="other")
        s.add(other)
        s.commit()
        jobs.submit(s, broker, "roster", {"time_limit_s": 60}, "test", limits, site_id=other.id, token_id=None)
        assert s.scalars(select(Job.site_id).order_by(Job.id)).all() == [DEFAULT_SITE_ID] * 2 + [other.id]
    assert (full.value.status, full.value.headers) == (429, {"Retry-After": "7"})
    assert too_long.value.status == 422 and too_long.value.errors[0]["pointer"] == "/time_limit_s"
    assert "61" in too_long.value.detail and "60" in too_long.value.detail


def test_the_queue_bound_holds_exactly_under_concurrent_submits(sessions, tmp_path):
    """Twelve submits at once into a site that queues four: four are recorded and eight answer 429, on
    SQLite and on PostgreSQL (counting the queue and adding the job is one step for each site)."""
    broker = Broker(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    limits = jobs.Limits(max_queued=4, max_time_limit_s=60)
    start = threading.Barrier(12)
    answers = []

    def submit() -> None:
        with sessions() as s:
            s.scalar(select(func.count()).select_from(Job))  # a read first, as a view's checks make
            start.wait(timeout=60)
            try:
                jobs.submit(s, broker, "roster", {"time_limit_s": 1}, "test", limits, site_id=DEFAULT_SITE_ID,
                            token_id=None)
                answers.append(202)
            except Problem as refused:
                answers.append(refused.status)

    threads = [threading.Thread(target=submit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as s:
        recorded = s.scalar(select(func.count()).select_from(Job).where(Job.state == "queued"))
    assert sorted(answers) == [202] * 4 + [429] * 8 and recorded == 4, answers


@pytest.mark.parametrize("exc, reason", [
    (DataError("staff.csv", "expected a role", row=4, column="role"), "staff.csv, row 4, column 'role': expected a role"),
    (KeyError("/secret/path"), "internal error (KeyError); the server log has the details"),
    (jobs.PipelineError("the roster solver found no roster: raise the time limit"),
     "the roster solver found no roster: raise the time limit"),
])
def test_a_failing_job_keeps_its_reason_and_no_result(sessions, broker, exc, reason):
    def failing(s, job, progress):
        progress(objective=1.0)
        raise exc

    job_id = enqueue(sessions, broker)
    runner(sessions, broker, failing).run_pending()
    row = job(sessions, job_id)
    assert (row.state, row.error, row.result_id) == ("failed", reason, None)
    with sessions() as s:
        assert s.scalars(select(Result)).all() == []


def test_cancel_queued_running_and_finished_jobs(sessions, broker):
    queued = enqueue(sessions, broker)
    with sessions() as s:
        assert jobs.cancel(s, queued).state == "cancelled"
        with pytest.raises(Problem) as again:
            jobs.cancel(s, queued)
        assert again.value.status == 409
        with pytest.raises(Problem) as missing:
            jobs.cancel(s, 404)
        assert missing.value.status == 404
    runner(sessions, broker).run_pending()  # the cancelled job's message is dropped
    assert job(sessions, queued).state == "cancelled"

    running = enqueue(sessions, broker)
    seen = []

    def cancelled_midway(s, job, progress):
        progress(objective=5.0)
        with sessions() as other:
            jobs.cancel(other, job.id)  # a supervisor cancels while the solver runs
        progress.flush()
        seen.append(progress.cancel_requested)
        progress(objective=4.0)  # the next report stops the solve
        raise AssertionError("not reached")

    runner(sessions, broker, cancelled_midway).run_pending()
    row = job(sessions, running)
    assert seen == [True] and row.state == "cancelled" and row.result_id is None


def test_a_solve_stopped_by_a_cancel_keeps_its_best_answer_and_ends_cancelled(sessions, broker):
    """A roster solve stopped by a cancel returns the best roster found by then (CP-SAT's StopSearch): it is
    stored, and the job says it was cancelled."""
    def stopped_search(s, job, progress):
        progress(objective=50.0)
        with sessions() as other:
            jobs.cancel(other, job.id)
        progress.flush()  # the watch hears of the cancel and sets the solver's stop event
        assert progress.stop.is_set()
        return Result(kind="roster", month="2026-12", inputs={}, summary={}, payload=b'{"best": 50}',
                      site_id=job.site_id)

    job_id = enqueue(sessions, broker)
    runner(sessions, broker, stopped_search).run_pending()
    row = job(sessions, job_id)
    assert row.state == "cancelled" and "best answer found by then is kept" in row.error
    with sessions() as s:
        assert s.get(Result, row.result_id).payload == b'{"best": 50}'


def test_a_cancel_reaches_a_job_that_reports_nothing(sessions, broker):
    """A solver deep in a search reports no progress for long stretches: the runner's watch still tells it
    to stop (progress.stop, which scheduler.roster.solve hands to CP-SAT), within about poll_s."""
    waited = []

    def silent_solver(s, job, progress):
        waited.append(progress.stop.wait(20))  # a search that only a stop ends
        progress.check()
        raise AssertionError("not reached")

    r = runner(sessions, broker, silent_solver, poll_s=0.1, heartbeat_s=0.5)
    job_id = enqueue(sessions, broker)
    r.start()
    try:
        wait_for(lambda: job(sessions, job_id).state == "running", what="the claim")
        with sessions() as s:
            jobs.cancel(s, job_id)
        asked = time.monotonic()
        wait_for(lambda: job(sessions, job_id).state != "running", what="the cancel")
    finally:
        r.stop()
    row = job(sessions, job_id)
    assert waited == [True] and row.state == "cancelled" and row.result_id is None
    assert time.monotonic() - asked < 3


def test_a_stopping_worker_stops_its_solve_and_queues_the_job_again(sessions, broker):
    """A worker told to stop (SIGTERM to `shiftcast worker`) ends the solve under way, as a cancel would, and
    gives the job back to the queue, with its message, for the next worker."""
    waited = []

    def silent_solver(s, job, progress):
        waited.append(progress.stop.wait(20))
        progress.check()
        raise AssertionError("not reached")

    r = runner(sessions, broker, silent_solver, poll_s=0.1, heartbeat_s=0.5)
    job_id = enqueue(sessions, broker)
    r.start()
    wait_for(lambda: job(sessions, job_id).state == "running", what="the claim")
    asked = time.monotonic()
    r.stop()
    assert time.monotonic() - asked < 2 and not any(t.is_alive() for t in r._threads)
    row = job(sessions, job_id)
    assert waited == [True] and (row.state, row.runner, row.attempts) == ("queued", None, 1)
    assert "worker stopped" in row.error
    assert runner(sessions, broker).run_pending() == 1  # the next worker gets the message and runs it
    assert (job(sessions, job_id).state, job(sessions, job_id).attempts) == ("succeeded", 2)


def _orphan(sessions, broker, runner_id: str, heartbeat_age_s: float = 0, attempts: int = 1) -> int:
    job_id = enqueue(sessions, broker)
    with sessions() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            state="running", runner=runner_id, attempts=attempts,
            heartbeat_at=utcnow() - dt.timedelta(seconds=heartbeat_age_s)))
        s.commit()
    broker.huey.flush()  # its message was taken by the worker that died with it
    return job_id


def test_a_worker_elsewhere_is_alive_while_its_broker_record_is_fresh_whatever_the_store_says(sessions, broker):
    broker.stale_after_s = 15
    quiet_store = _orphan(sessions, broker, "elsewhere:123:abc", heartbeat_age_s=600)
    gone = _orphan(sessions, broker, "elsewhere:124:abc", heartbeat_age_s=0)
    broker.beat("elsewhere:123:abc")  # alive in the broker; its store heartbeat is ten minutes old
    broker.huey.put("alive:elsewhere:124:abc", time.time() - 60)  # its last word a minute ago
    with sessions() as s:
        recovered = jobs.recover_orphans(s, broker.alive, max_attempts=2)
    assert recovered == [jobs.Recovery(gone, "roster", "queued")]
    assert job(sessions, quiet_store).state == "running"
    row = job(sessions, gone)
    assert row.state == "queued" and "stopped during attempt 1" in row.error and row.runner is None


def test_orphaned_jobs_are_requeued_with_a_message_then_failed_with_their_reason(sessions, broker):
    stale = _orphan(sessions, broker, "elsewhere:123:abc")
    r = runner(sessions, broker, max_attempts=2)
    assert [x.job_id for x in r.recover()] == [stale]
    assert broker.pending() == 1  # sent again: a worker will run it
    with sessions() as s:  # the worker dies again during the second attempt
        assert r.claim(stale)
        s.execute(update(Job).where(Job.id == stale).values(runner="elsewhere:9:zz"))
        s.commit()
        jobs.recover_orphans(s, broker.alive, max_attempts=2)
    row = job(sessions, stale)
    assert row.state == "failed" and "each of its 2 attempts" in row.error and row.finished_at is not None


def test_a_dead_process_on_this_host_is_an_orphan_at_once(sessions, broker):
    from api.broker import HOST

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = _orphan(sessions, broker, f"{HOST}:{gone.pid}:x")
    alive = _orphan(sessions, broker, f"{HOST}:{os.getppid()}:x", heartbeat_age_s=3600)
    with sessions() as s:
        assert [r.job_id for r in jobs.recover_orphans(s, broker.alive, max_attempts=3)] == [dead]
    assert job(sessions, alive).state == "running"


def test_a_result_from_a_runner_that_lost_its_job_is_dropped(sessions, broker):
    job_id = enqueue(sessions, broker)

    def overtaken(s, job, progress):
        with sessions() as other:  # meanwhile the job was declared orphaned and re-queued
            other.execute(update(Job).where(Job.id == job.id).values(state="queued", runner=None))
            other.commit()
        return Result(kind="roster", month="2026-12", inputs={}, summary={}, payload=b"{}", site_id=job.site_id)

    runner(sessions, broker, overtaken).run(job_id)
    assert job(sessions, job_id).state == "queued"
    with sessions() as s:
        assert s.scalars(select(Result)).all() == []


def test_the_worker_recovers_orphans_when_it_starts_and_the_app_leaves_jobs_alone(tmp_path):
    from api.worker import run_worker

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    sessions = testing.sessions(url)
    app = testing.app(url, JOB_POLL_S=0.05)
    broker = app.extensions["shiftcast"].broker
    with sessions() as s:  # a forecast of a calls dataset that is not there: its re-run fails, saying so
        job_id = jobs.submit(s, broker, "forecast", {"calls_id": 999, "month": "2026-12"}, "test", LIMITS,
                             site_id=DEFAULT_SITE_ID, token_id=None).id
        s.execute(update(Job).where(Job.id == job_id).values(state="running", runner="deadhost:1:x", attempts=1))
        s.commit()
    broker.huey.flush()  # its message went with the worker that died
    threads = threading.active_count()
    token = testing.token(url, "viewer")
    client = app.test_client()
    assert threading.active_count() == threads  # the factory starts no job thread
    get = lambda: client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}).json  # noqa: E731
    assert get()["state"] == "running"
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(app, stop))
    worker.start()  # recovers at its start, then runs the job again
    try:
        wait_for(lambda: get()["attempts"] == 2 and get()["state"] != "running", what="the re-run")
    finally:
        stop.set()
        worker.join(10)
    body = get()
    assert body["state"] == "failed" and "999" in body["error"], body


def test_the_background_runner_picks_up_jobs(sessions, broker):
    r = runner(sessions, broker, poll_s=0.05, heartbeat_s=0.05)
    r.start()
    try:
        job_id = enqueue(sessions, broker, 3)
        r.wake()
        wait_for(lambda: job(sessions, job_id).state == "succeeded", what="the job's run")
    finally:
        r.stop()


@pytest.mark.slow
def test_a_20_s_store_lock_does_not_run_a_healthy_job_twice(tmp_path):
    """Another writer holds the SQLite store's write lock for 20 s while a job runs: its worker cannot write
    its heartbeat, yet a second worker's recovery must not take the job for orphaned (its worker is alive)."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    sessions = testing.sessions(url)
    broker = Broker(f"sqlite:///{tmp_path / 'queue.sqlite'}", stale_after_s=3)
    lock_held, calls = threading.Event(), []

    def long_solve(s, job, progress):
        calls.append(job.id)
        lock_held.wait(30)
        time.sleep(22)  # the solve outlasts the lock
        return solve_like(s, job, progress)

    first = runner(sessions, broker, long_solve, poll_s=0.1, heartbeat_s=0.5)
    second = runner(sessions, Broker(broker.url, stale_after_s=3), long_solve, poll_s=0.1, heartbeat_s=0.5)
    job_id = enqueue(sessions, broker)
    first.start()
    wait_for(lambda: job(sessions, job_id).state == "running", what="the claim")
    second.start()
    store = sqlite3.connect(str(tmp_path / "store.sqlite"), timeout=30)
    try:
        store.execute("BEGIN IMMEDIATE")
        lock_held.set()
        time.sleep(20)
        store.rollback()
        wait_for(lambda: job(sessions, job_id).state != "running", timeout=30, what="the job's end")
    finally:
        store.close()
        first.stop()
        second.stop()
    row = job(sessions, job_id)
    assert calls == [job_id] and (row.state, row.attempts) == ("succeeded", 1)


# ---------------------------------------------------------------- the API's limits

def _forecast_request(client, auth) -> dict:
    r = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=14),
                    headers={**auth, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    return {"calls_id": r.json["id"], "month": "2026-12"}


def test_a_full_queue_answers_429_with_retry_after_and_records_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    client = testing.app(url, JOB_MAX_QUEUED=1).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    body = _forecast_request(client, auth)
    assert client.post("/api/v1/forecasts", json=body, headers=auth).status_code == 202
    full = client.post("/api/v1/forecasts", json=body, headers=auth)
    assert full.status_code == 429 and int(full.headers["Retry-After"]) > 0
    assert full.mimetype == "application/problem+json" and "waiting" in full.json["detail"]
    assert len(client.get("/api/v1/jobs", headers=auth).json["items"]) == 1


def test_a_solve_longer_than_the_server_allows_answers_422_naming_the_field(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    client = testing.app(url, JOB_MAX_TIME_LIMIT_S=120).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    staff = client.post("/api/v1/datasets/staff", data=testing.staff_csv(),
                        headers={**auth, "Content-Type": "text/csv"}).json["id"]
    requirement = pd.DataFrame({"scheduled": [3] * 40},
                               index=pd.date_range("2026-12-01 08:00", periods=40, freq="15min", name="interval_start"))
    staffing = testing.store_staffing(url, requirement, "2026-12")
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing, "staff_id": staff, "time_limit_s": 3600},
                    headers=auth)
    assert r.status_code == 422, r.json
    assert r.json["errors"][0]["pointer"] == "/time_limit_s" and "120" in r.json["detail"]
    assert client.get("/api/v1/jobs", headers=auth).json["items"] == []


def test_the_openapi_document_names_the_limits_answers(tmp_path):
    doc = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}").test_client().get("/api/v1/openapi.json").json
    roster = doc["paths"]["/api/v1/rosters"]["post"]["responses"]
    assert {"202", "422", "429", "503"} <= set(roster)
    assert "429" not in doc["paths"]["/api/v1/jobs"]["get"]["responses"]
    assert "503" in doc["paths"]["/api/v1/jobs"]["get"]["responses"]


def test_a_locked_store_answers_503_with_retry_after_not_500(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    client = testing.app(url, DATABASE_BUSY_TIMEOUT_S=0.5).test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    body = _forecast_request(client, auth)
    store = sqlite3.connect(str(tmp_path / "store.sqlite"))
    try:
        store.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        r = client.post("/api/v1/forecasts", json=body, headers=auth)
    finally:
        store.rollback()
        store.close()
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0, r.json
    assert r.mimetype == "application/problem+json"
    assert client.post("/api/v1/forecasts", json=body, headers=auth).status_code == 202  # and once it is free


# ---------------------------------------------------------------- workers as processes, on Redis

@pytest.mark.slow
def test_kill_9_of_a_worker_mid_solve_reruns_the_job_on_another_worker(store_url):
    """Two `shiftcast worker` processes on a Redis broker, the store on SQLite or PostgreSQL; the one solving a
    roster is killed with SIGKILL: the other finds it gone and runs the job again (its second attempt), and a
    cancel then keeps its best roster."""
    from scheduler.roster_synthetic import synthetic_month

    try:
        testing.redis_reachable()
    except testing.Unavailable as exc:
        pytest.skip(f"{exc}; the embedded broker's tests still run")
    url = store_url
    queue = f"shiftcast-test-{uuid.uuid4().hex[:8]}"
    settings = {"BROKER_URL": testing.REDIS, "BROKER_QUEUE": queue, "JOB_HEARTBEAT_S": 0.5, "JOB_POLL_S": 0.2}
    app = testing.app(url, **settings)
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    month = synthetic_month(150, seed=3)
    staff = testing.staff_table(month.staff)
    r = client.post("/api/v1/datasets/staff", data=staff.to_csv(index=False), headers={**sup, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    body = {"staffing_id": testing.store_staffing(url, month.requirement, "2026-12"), "staff_id": r.json["id"],
            "time_limit_s": 120}

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(testing.GUNICORN_CONF.parents[1]), os.environ.get("PYTHONPATH", "")]),
           "SHIFTCAST_DATABASE_URL": url, **{f"SHIFTCAST_{k}": str(v) for k, v in settings.items()}}
    workers = {}
    for name in ("a", "b"):
        proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers[proc.pid] = proc
    try:
        job_url = client.post("/api/v1/rosters", json=body, headers=sup).headers["Location"]
        jobs_of = lambda: client.get(job_url, headers=sup).json  # noqa: E731
        wait_for(lambda: jobs_of()["progress"].get("objective") is not None, timeout=120, what="a first roster")
        with testing.sessions(url)() as s:
            first = s.get(Job, int(job_url.rsplit("/", 1)[1])).runner
        victim = workers.pop(int(first.split(":")[1]))
        victim.kill()  # SIGKILL mid-solve
        victim.wait()
        wait_for(lambda: jobs_of()["attempts"] == 2 and jobs_of()["state"] == "running", timeout=60,
                 what="the second attempt on the other worker")
        with testing.sessions(url)() as s:
            second = s.get(Job, int(job_url.rsplit("/", 1)[1])).runner
        (survivor,) = workers.values()
        assert int(second.split(":")[1]) == survivor.pid and "stopped during attempt 1" in (jobs_of()["error"] or "")
        wait_for(lambda: jobs_of()["progress"].get("objective") is not None, timeout=120, what="its first roster")
        job, _ = testing.cancel_and_wait(client, job_url, sup)
        assert job["state"] == "cancelled" and job["result_id"] is not None and job["attempts"] == 2, job
    finally:
        for proc in workers.values():
            proc.terminate()
            proc.wait(30)
        app.extensions["shiftcast"].broker.huey.flush()


def test_a_searchs_parts_are_listed_under_it_not_among_the_jobs(tmp_path):
    """A headcount search's roster solves (jobs of their own) stay off GET /api/v1/jobs: the search's job links
    to them (`parts_url`), and `?parent_id=` lists them."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    requirement = pd.DataFrame({"scheduled": [3] * 40},
                               index=pd.date_range("2026-12-01 08:00", periods=40, freq="15min", name="interval_start"))
    staffing = testing.store_staffing(url, requirement, "2026-12")
    roster = client.post("/api/v1/rosters", headers=auth, json={
        "staffing_id": staffing, "staff_id": client.post("/api/v1/datasets/staff", data=testing.staff_csv(),
                                                         headers={**auth, "Content-Type": "text/csv"}).json["id"]})
    search = client.post("/api/v1/headcount", json={"staffing_id": staffing},
                         headers={"Authorization": f"Bearer {testing.token(url, 'hr')}"})
    assert roster.status_code == search.status_code == 202, (roster.json, search.json)
    with testing.sessions(url)() as s:  # the parts as the search's worker records them (api.fanout)
        parts = jobs.spawn(s, app.extensions["shiftcast"].broker, s.get(Job, search.json["id"]), "headcount_trial",
                           [{"agents": 40}, {"agents": 39}])
    listed = client.get("/api/v1/jobs", headers=auth).json["items"]
    assert [j["id"] for j in listed] == [search.json["id"], roster.json["id"]]
    assert listed[0]["parts_url"] == f"/api/v1/jobs?parent_id={search.json['id']}" and listed[1]["parts_url"] is None
    under = client.get(listed[0]["parts_url"], headers=auth).json["items"]
    assert sorted(j["id"] for j in under) == sorted(parts)
    assert {(j["kind"], j["parent_id"], j["parts_url"]) for j in under} == {("headcount_trial", search.json["id"], None)}
    assert client.get("/api/v1/jobs", query_string={"parent_id": roster.json["id"]}, headers=auth).json["items"] == []
