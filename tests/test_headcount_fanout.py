"""The headcount search's roster solves fanned out as tasks: the same answer as one solve after another, in
process and on real `shiftcast worker` processes (embedded SQLite broker, and Redis where reachable); no
deadlock with one worker; a cancel of the search reaches its solves; a failed solve fails the search in words."""
from __future__ import annotations

import time
import uuid

import pandas as pd
import pytest
from sqlalchemy import select

from api import inputs, testing
from api.db import Job
from core.rules import DEFAULT_RULES
from scheduler.headcount import Search, headcount_bound, required_headcount
from scheduler.roster_synthetic import synthetic_month
from shiftcast.steps import headcount_step

MONTH = "2026-12"
DAYS = 14
LIMIT_S = 1.0


def consulted(width: int, start: int, answer: int, max_solves: int = 12) -> list[int]:
    """The headcounts a search consults when `answer` agents and more meet the target, batches `width` wide."""
    search, solved, order = Search(n=start, fail=0, unit=1), set(), []
    while not search.done and len(order) < max_solves:
        if search.n not in solved:
            batch = search.ahead(width, max_solves - len(order))
            assert batch[0] == search.n and len(batch) == len(set(batch)) <= width
            solved |= set(batch)
        order.append(search.n)
        search.record(search.n, search.n >= answer)
    return order


@pytest.mark.parametrize("width", [2, 3, 5])
def test_batches_consult_the_same_headcounts_in_the_same_order_as_one_at_a_time(width):
    for start in (10, 40, 97):
        for answer in (1, 9, 10, 11, 35, 41, 60, 150):
            assert consulted(width, start, answer) == consulted(1, start, answer), (start, answer)


def curve(result) -> pd.DataFrame:
    return result.curve.drop(columns="seconds")


@pytest.mark.slow
def test_the_search_gives_the_same_answer_and_curve_whatever_the_batch_width():
    m = synthetic_month(30, days=DAYS, seed=1)
    bound = headcount_bound(m.requirement, DEFAULT_RULES, ads=m.ads)
    one = required_headcount(m.requirement, DEFAULT_RULES, m.staff, ads=m.ads, bound=bound, time_limit_s=LIMIT_S,
                             max_solves=6)
    three = required_headcount(m.requirement, DEFAULT_RULES, m.staff, ads=m.ads, bound=bound, time_limit_s=LIMIT_S,
                               max_solves=6, at_once=3)
    assert one.agents is not None and (three.agents, three.verified, three.margin) == (one.agents, one.verified, one.margin)
    pd.testing.assert_frame_equal(curve(three), curve(one))
    assert three.people == one.people and three.roster is not None


# --- on worker processes ------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "redis"])
def broker_settings(request):
    settings = {"BROKER_QUEUE": f"shiftcast-test-{uuid.uuid4().hex[:8]}", "JOB_POLL_S": 0.2, "JOB_HEARTBEAT_S": 0.5}
    if request.param == "redis":
        try:
            testing.redis_reachable()
        except testing.Unavailable as exc:
            pytest.skip(f"{exc}; the embedded broker's variant still runs")
        settings["BROKER_URL"] = testing.REDIS
    return settings


class Center:
    """A synthetic centre's datasets in a store, and a supervisor's client over it."""

    def __init__(self, tmp_path, settings: dict, time_limit_s: float = LIMIT_S) -> None:
        self.url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        self.app = testing.app(self.url, **settings)
        self.client = self.app.test_client()
        self.auth = {"Authorization": f"Bearer {testing.token(self.url, 'hr')}"}  # hr sizes headcount
        m = synthetic_month(30, days=DAYS, seed=1)
        supervisor = {"Authorization": f"Bearer {testing.token(self.url, 'supervisor')}"}  # keeps the staff list
        r = self.client.post("/api/v1/datasets/staff", data=testing.staff_table(m.staff).to_csv(index=False),
                             headers={**supervisor, "Content-Type": "text/csv"})
        assert r.status_code == 201, r.json
        self.body = {"staffing_id": testing.store_staffing(self.url, m.requirement, MONTH), "staff_id": r.json["id"],
                     "time_limit_s": time_limit_s}
        self.sessions = testing.sessions(self.url)

    def search(self) -> str:
        r = self.client.post("/api/v1/headcount", json=self.body, headers=self.auth)
        assert r.status_code == 202, r.json
        return r.headers["Location"]

    def job(self, job_url: str) -> dict:
        return self.client.get(job_url, headers=self.auth).json

    def parts(self, job_url: str) -> list[Job]:
        with self.sessions() as s:
            return s.scalars(select(Job).where(Job.parent_id == int(job_url.rsplit("/", 1)[1])).order_by(Job.id)).all()

    def in_process(self):
        """The same search with the same stored inputs, in this process, one solve after another."""
        with self.sessions() as s:
            step_inputs = inputs.step_inputs(s, staff_id=self.body["staff_id"])
            staffing = inputs.result(s, self.body["staffing_id"], "staffing", "staffing_id")
            requirement = inputs.interval_frame(inputs.payload(staffing))
        return headcount_step(step_inputs, requirement, time_limit_s=LIMIT_S)

    def close(self) -> None:
        self.app.extensions["shiftcast"].broker.huey.flush()


@pytest.fixture
def center(tmp_path, broker_settings):
    c = Center(tmp_path, broker_settings)
    yield c
    c.close()


def wait_ended(center: Center, job_url: str, timeout: float = 600, seen: list | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while (job := center.job(job_url))["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"the search did not end in {timeout} s"
        if seen is not None and job["progress"].get("message"):
            seen.append(job["progress"]["message"])
        time.sleep(0.2)
    return job


@pytest.mark.slow
def test_two_workers_solve_a_searchs_trials_side_by_side_with_the_sequential_answer(center, tmp_path, broker_settings):
    with testing.worker_processes(center.url, tmp_path, 2, broker_settings):
        job_url = center.search()
        messages: list[str] = []
        job = wait_ended(center, job_url, seen=messages)
    assert job["state"] == "succeeded", job
    answer = center.client.get(job["result_url"], headers=center.auth).json["result"]
    alone = center.in_process()
    assert (answer["agents"], answer["verified"], answer["margin"]) == (alone.agents, alone.verified, alone.margin)
    assert [row["agents"] for row in answer["curve"]] == list(alone.curve.index)
    assert [row["met"] for row in answer["curve"]] == alone.curve["met"].tolist()
    parts = center.parts(job_url)
    assert len(parts) >= 2 and all(p.state == "succeeded" and p.kind == "headcount_trial" for p in parts)
    assert len({p.runner for p in parts}) == 2, "both workers ran a roster solve of the search"
    assert any("roster solves at" in m and "done" in m for m in messages), messages
    listed = center.client.get("/api/v1/jobs", headers=center.auth).json["items"]
    assert [j["id"] for j in listed] == [job["id"]], "the search's parts are listed under it, not among the jobs"
    under = center.client.get(job["parts_url"], headers=center.auth).json["items"]
    assert sorted(j["id"] for j in under) == sorted(p.id for p in parts)


@pytest.mark.slow
def test_one_worker_runs_the_search_and_all_its_trials_without_waiting_on_itself(center, tmp_path, broker_settings):
    with testing.worker_processes(center.url, tmp_path, 1, broker_settings):
        job = wait_ended(center, center.search())
    assert job["state"] == "succeeded", job
    with center.sessions() as s:
        search_runner = s.get(Job, job["id"]).runner
    parts = center.parts(job["url"])
    assert parts and {p.runner for p in parts} == {search_runner}
    assert center.client.get(job["result_url"], headers=center.auth).json["result"]["agents"] == center.in_process().agents


@pytest.mark.slow
def test_a_cancel_of_the_search_stops_its_running_trials(tmp_path, broker_settings):
    center = Center(tmp_path, broker_settings, time_limit_s=300)  # solves that run until stopped
    try:
        with testing.worker_processes(center.url, tmp_path, 2, broker_settings):
            job_url = center.search()
            deadline = time.monotonic() + 300
            while sum(p.state == "running" for p in center.parts(job_url)) < 2:
                assert time.monotonic() < deadline, "two trials did not start"
                time.sleep(0.2)
            job, after = testing.cancel_and_wait(center.client, job_url, center.auth, timeout=120)
            deadline = time.monotonic() + 60
            while any(p.state in ("queued", "running") for p in center.parts(job_url)):
                assert time.monotonic() < deadline, "a trial went on after its search was cancelled"
                time.sleep(0.2)
        assert job["state"] == "cancelled" and job["result_id"] is None, job
        assert {p.state for p in center.parts(job_url)} == {"cancelled"}
    finally:
        center.close()


@pytest.mark.slow
def test_a_trial_that_fails_fails_the_search_with_its_reason(tmp_path, broker_settings):
    center = Center(tmp_path, broker_settings, time_limit_s=300)
    try:
        with testing.worker_processes(center.url, tmp_path, 2, broker_settings):
            job_url = center.search()
            deadline = time.monotonic() + 300
            while not any(p.state == "running" for p in center.parts(job_url)):
                assert time.monotonic() < deadline, "no trial started"
                time.sleep(0.2)
            part = next(p for p in center.parts(job_url) if p.state == "running")
            # a supervisor stops one of the search's solves by itself
            assert center.client.post(f"/api/v1/jobs/{part.id}/cancel", headers=center.auth).status_code == 202
            job = wait_ended(center, job_url, timeout=120)
        assert job["state"] == "failed", job
        agents = part.params["agents"]
        assert f"the roster solve at {agents} agents (job {part.id}) cancelled" in job["error"], job["error"]
    finally:
        center.close()
