"""HR's endpoints: headcount (a job) and hiring plans."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api import testing
from api.schemas import PlanOut
from api.worker import job_runner

MONTH = "2026-12"


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    hr = {"Authorization": f"Bearer {testing.token(url, 'hr')}"}
    return url, app, app.test_client(), hr


def test_hiring_plan(setup):
    url, app, client, hr = setup
    body = {"monthly_requirements": {"2027-01": 90, "2027-02": 100, "2027-03": 110}, "current_staff": 92,
            "training_weeks": 6}
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    assert client.post("/api/v1/hiring-plans", json=body, headers=sup).status_code == 403
    r = client.post("/api/v1/hiring-plans", json=body, headers=hr)
    assert r.status_code == 201, r.json
    plan = PlanOut.model_validate(r.json)
    table = plan.result["table"]
    assert [row["month"] for row in table] == ["2027-01", "2027-02", "2027-03"]
    assert [row["required"] for row in table] == [90, 100, 110]
    assert plan.summary["total_hires"] == sum(row["hires"] for row in table) > 0  # growth needs hires
    assert plan.result["assumptions"]["training_weeks"] == 6
    assert client.get(r.headers["Location"], headers=hr).json == r.json
    gap = client.post("/api/v1/hiring-plans", json={**body, "monthly_requirements": {"2027-01": 90, "2027-03": 1}},
                      headers=hr)
    assert gap.status_code == 422 and "consecutive" in gap.json["detail"]
    bad = client.post("/api/v1/hiring-plans", json={**body, "attrition": 1.5}, headers=hr)
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"] == "/attrition"


@pytest.mark.slow
def test_headcount_job(setup):
    from core.periods import month_intervals

    url, app, client, hr = setup
    index = month_intervals(MONTH)
    minutes = index.hour * 60 + index.minute
    calls = np.where((minutes >= 600) & (minutes < 960), 30.0, 12.0)
    requirement = pd.DataFrame({"calls": calls, "aht_s": 240.0, "scheduled": np.where(calls > 20, 8, 4)}, index=index)
    staffing_id = testing.store_staffing(url, requirement, MONTH)
    r = client.post("/api/v1/headcount", json={"staffing_id": staffing_id, "time_limit_s": 3, "max_solves": 4}, headers=hr)
    assert r.status_code == 202, r.json
    job_runner(app).run_pending()
    job = client.get(r.headers["Location"], headers=hr).json
    assert job["state"] == "succeeded", job
    plan = PlanOut.model_validate(client.get(job["result_url"], headers=hr).json)
    assert plan.kind == "headcount" and plan.month == MONTH
    agents, curve = plan.result["agents"], plan.result["curve"]
    assert agents >= plan.result["lower_bound_agents"] and agents >= 8  # 8 on the phones at the peak
    assert 1 <= plan.result["solves"] <= 4 and curve
    assert agents in {row["agents"] for row in curve}
    assert job["progress"]["message"]  # the search said what it was doing


def test_a_headcount_job_solves_as_long_as_the_cli_unless_told(setup):
    """The API's default time limit per roster solve is `shiftcast headcount`'s: the same inputs, the same search."""
    from api.db import Job
    from cli.commands.headcount import command
    from scheduler.headcount import DEFAULT_SOLVE_SECONDS

    url, app, client, hr = setup
    index = pd.date_range("2026-12-07 08:00", periods=40, freq="15min")
    staffing_id = testing.store_staffing(url, pd.DataFrame({"scheduled": 6}, index=index), MONTH)
    ids = [client.post("/api/v1/headcount", json={"staffing_id": staffing_id, **extra}, headers=hr).json["id"]
           for extra in ({}, {"time_limit_s": 3})]
    cli_default = next(p.default for p in command.params if p.name == "time_limit")
    with testing.sessions(url)() as s:
        assert [s.get(Job, i).params["time_limit_s"] for i in ids] == [DEFAULT_SOLVE_SECONDS, 3] and cli_default == DEFAULT_SOLVE_SECONDS


def test_cancelling_a_running_headcount_job_stops_its_roster_solve(tmp_path, monkeypatch):
    """A cancel reaches the roster solve under way in the search (through scheduler.roster_solver.stopping, which
    scheduler.roster.solve obeys: tests/test_roster_stop.py): the job ends at once, not when the solve would."""
    import time

    from scheduler import headcount
    from scheduler.roster_solver import stopped

    def solve_until_stopped(requirement, staff, rules, leave, ads, time_limit_s):
        deadline = time.monotonic() + 60
        while not stopped() and time.monotonic() < deadline:
            time.sleep(0.02)
        raise RuntimeError("stopped")

    monkeypatch.setattr(headcount, "_default_solve", solve_until_stopped)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url, JOB_POLL_S=0.2)
    runner = job_runner(app)  # the job worker's runner, in the background as `shiftcast worker` runs it
    runner.start()
    try:
        client = app.test_client()
        hr = {"Authorization": f"Bearer {testing.token(url, 'hr')}"}
        index = pd.date_range("2026-12-07 08:00", periods=40, freq="15min")
        staffing_id = testing.store_staffing(url, pd.DataFrame({"scheduled": 6}, index=index), MONTH)
        r = client.post("/api/v1/headcount", json={"staffing_id": staffing_id, "max_solves": 4}, headers=hr)
        job_url = r.headers["Location"]
        deadline = time.monotonic() + 60
        # The search reports its bound, then starts the roster solves (its parts): cancel into the first of them.
        started = ("bound", "roster solves at")
        while not str((job := client.get(job_url, headers=hr).json)["progress"].get("message", "")).startswith(started):
            assert job["state"] in ("queued", "running") and time.monotonic() < deadline, job
            time.sleep(0.05)
        time.sleep(0.5)
        job, took = testing.cancel_and_wait(client, job_url, hr)
        assert job["state"] == "cancelled" and job["result_id"] is None, job
        assert took < 5, f"the search went on {took:.1f} s after the cancel"
    finally:
        runner.stop()
