"""One question, one answer: the sample planned by `shiftcast plan` and through the HTTP API comes out the same.

Both entry points call shiftcast.steps; this test holds them to it on the bundled sample: the same
forecast, the same requirement and, with a seeded (reproducible) solve, the same roster.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.worker import job_runner
from cli import main
from shiftcast.inputs import SAMPLE_MONTH, InputPaths

SAMPLE = InputPaths.sample()
SEED, TIME_LIMIT_S = 0, 10


def _plan_with_the_cli(out) -> None:
    args = ["plan", "--month", SAMPLE_MONTH, "--out", str(out), "--lang", "en", "--seed", str(SEED),
            "--time-limit", str(TIME_LIMIT_S)]
    for option in ("calls", "ads", "plan", "staff", "leave", "rules"):
        args += [f"--{option}", str(getattr(SAMPLE, option))]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def _upload(client, headers: dict, kind: str, path, **query) -> int:
    r = client.post(f"/api/v1/datasets/{kind}", query_string={"name": path.name, **query}, data=path.read_bytes(),
                    headers={**headers, "Content-Type": "application/toml" if kind == "rules" else "text/csv"})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _finished(app, client, headers: dict, response) -> dict:
    assert response.status_code == 202, response.json
    job_runner(app).run_pending()
    job = client.get(response.headers["Location"], headers=headers).json
    assert job["state"] == "succeeded", job
    return job


def _csv(client, headers: dict, url: str) -> pd.DataFrame:
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.data[:300]
    return pd.read_csv(io.BytesIO(r.data))


@pytest.mark.slow
def test_the_cli_and_the_api_plan_the_sample_alike(tmp_path):
    out = tmp_path / "out"
    _plan_with_the_cli(out)

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url)
    client = app.test_client()
    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    rules = _upload(client, sup, "rules", SAMPLE.rules)
    calls = _upload(client, sup, "calls", SAMPLE.calls)
    history = _upload(client, sup, "ads", SAMPLE.ads)
    plan = _upload(client, sup, "ads", SAMPLE.plan)
    staff = _upload(client, sup, "staff", SAMPLE.staff, rules_id=rules)
    leave = _upload(client, sup, "leave", SAMPLE.leave, staff_id=staff, rules_id=rules)

    job = _finished(app, client, sup, client.post("/api/v1/forecasts", headers=sup, json={
        "calls_id": calls, "ads_history_id": history, "ads_plan_id": plan, "rules_id": rules, "month": SAMPLE_MONTH}))
    api_forecast = _csv(client, sup, f"{job['result_url']}/csv")
    cli_forecast = pd.read_csv(out / "forecast.csv")
    assert list(api_forecast["interval_start"]) == list(cli_forecast["interval_start"])
    for column in ("mean", "lower", "upper"):  # the CLI's file keeps three decimals
        assert api_forecast[column].round(3).tolist() == pytest.approx(cli_forecast[column].tolist(), abs=1e-9)

    forecast_id = int(job["result_url"].rsplit("/", 1)[1])
    staffing = client.post("/api/v1/staffing", json={"forecast_id": forecast_id, "rules_id": rules}, headers=sup)
    assert staffing.status_code == 201, staffing.json
    api_requirement = pd.DataFrame(staffing.json["intervals"])
    cli_requirement = pd.read_csv(out / "requirement.csv")
    assert len(api_requirement) == len(cli_requirement)
    assert pd.to_datetime(api_requirement["interval_start"]).tolist() == pd.to_datetime(
        cli_requirement["interval_start"]).tolist()
    for column in ("agents", "scheduled", "callback_agents"):
        assert api_requirement[column].tolist() == cli_requirement[column].tolist(), column
    for column in ("aht_s", "service_level", "callbacks", "callbacks_worked"):
        assert api_requirement[column].tolist() == pytest.approx(cli_requirement[column].tolist(), rel=1e-9), column

    job = _finished(app, client, sup, client.post("/api/v1/rosters", headers=sup, json={
        "staffing_id": staffing.json["id"], "staff_id": staff, "leave_id": leave, "ads_plan_id": plan,
        "rules_id": rules, "time_limit_s": TIME_LIMIT_S, "seed": SEED}))
    api_roster = _csv(client, sup, f"{job['result_url']}/csv")
    cli_roster = pd.read_csv(out / "roster.csv")
    pd.testing.assert_frame_equal(api_roster, cli_roster)
