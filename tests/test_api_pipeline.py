"""Forecast (a job) and staffing through the API, on a small generated history."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from api import testing
from api.schemas import ForecastOut, StaffingOut
from api.worker import job_runner

MONTH = "2026-12"


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    return app, app.test_client(), {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}


def test_forecast_job_then_staffing(setup):
    app, client, sup = setup
    calls = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=56, start="2026-10-01"),
                        headers={**sup, "Content-Type": "text/csv"}).json
    r = client.post("/api/v1/forecasts", json={"calls_id": calls["id"], "month": MONTH}, headers=sup)
    assert r.status_code == 202 and r.json["kind"] == "forecast"
    job_runner(app).run_pending()
    job = client.get(r.headers["Location"], headers=sup).json
    assert job["state"] == "succeeded", job
    forecast = ForecastOut.model_validate(client.get(job["result_url"], headers=sup).json)
    assert forecast.month == MONTH and len(forecast.intervals) == 31 * 40
    assert all(i.lower <= i.mean <= i.upper or i.mean == 0 for i in forecast.intervals)
    assert 0 < forecast.summary["calls"] < 31 * 40 * 100
    csv = pd.read_csv(io.BytesIO(client.get(f"{job['result_url']}/csv", headers=sup).data))
    assert list(csv.columns) == ["interval_start", "mean", "lower", "upper"] and len(csv) == 1240

    s = client.post("/api/v1/staffing", json={"forecast_id": forecast.id, "calls": "upper"}, headers=sup)
    assert s.status_code == 201, s.json
    staffing = StaffingOut.model_validate(s.json)
    assert [i["interval_start"] for i in staffing.intervals] == [i.interval_start for i in forecast.intervals]
    # More calls never need fewer agents: the busiest interval needs the most.
    peak = max(range(len(forecast.intervals)), key=lambda k: forecast.intervals[k].upper)
    assert staffing.intervals[peak]["scheduled"] == max(i["scheduled"] for i in staffing.intervals) > 0
    assert staffing.intervals[peak]["calls"] == pytest.approx(forecast.intervals[peak].upper)
    assert staffing.summary["aht_s"] == pytest.approx(240, abs=15)  # from the history's aht_s column
    listed = client.get("/api/v1/staffing", query_string={"month": MONTH}, headers=sup).json["items"]
    assert [i["id"] for i in listed] == [staffing.id]
    assert client.post("/api/v1/staffing", json={"forecast_id": staffing.id + 50}, headers=sup).status_code == 404


def test_forecast_says_which_open_hours_have_no_history(setup):
    app, client, sup = setup
    calls = client.post("/api/v1/datasets/calls", data=testing.calls_csv(days=28, start="2026-11-01"),
                        headers={**sup, "Content-Type": "text/csv"}).json
    rules = client.post("/api/v1/datasets/rules", data=b'close_time = "19:00"\n',
                        headers={**sup, "Content-Type": "application/toml"}).json
    r = client.post("/api/v1/forecasts", json={"calls_id": calls["id"], "rules_id": rules["id"], "month": MONTH},
                    headers=sup)
    job_runner(app).run_pending()
    job = client.get(r.headers["Location"], headers=sup).json
    forecast = ForecastOut.model_validate(client.get(job["result_url"], headers=sup).json)
    assert [i.mean for i in forecast.intervals if i.interval_start.endswith(("18:00", "18:15", "18:30", "18:45"))] \
        == [0.0] * 31 * 4
    assert len(forecast.notes) == 1
    assert forecast.notes[0].startswith("no call history for 18:00–19:00 (every day, 124 intervals this month): "
                                        "forecast as 0 calls")
