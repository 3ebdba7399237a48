"""GET /api/v1/rosters/{id}/intraday: a stored roster's day at a time of day, from the site's stored actuals and
clock records; site-scoped, in the OpenAPI document, bad times refused in words."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from api import testing
from api.db import Result, Site
from shiftcast.exports.specimen import specimen_roster, specimen_staff

MONTH, DAY = "2026-12", "2026-12-02"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    return stored_day(f"sqlite:///{tmp_path_factory.mktemp('intraday') / 'store.sqlite'}")


def stored_day(url: str) -> dict:
    """A site with four weeks of calls, a forecast, staffing and roster made from them, the day's actuals sent
    up to 13:00 and a clock dataset in which one early-shift agent of the day never clocks in."""
    app = testing.app(url)
    with app.extensions["shiftcast"].sessions() as s:
        s.add(Site(id=2, name="north"))
        s.commit()
    client = app.test_client()
    supervisor = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}

    def upload(kind: str, content: bytes, **query) -> int:
        r = client.post(f"/api/v1/datasets/{kind}", data=content, query_string=query,
                        headers={**supervisor, "Content-Type": "text/csv"})
        assert r.status_code == 201, r.json
        return r.json["id"]

    history = testing.calls_csv(days=28, start="2026-11-01")
    calls_id = upload("calls", history)
    day = pd.read_csv(io.BytesIO(testing.calls_csv(days=1, start=DAY, seed=3)))
    sent = day[day["interval_start"] < f"{DAY} 13:00"]
    r = client.post("/api/v1/actuals", data=sent.to_csv(index=False).encode(), query_string={"name": "today.csv"},
                    headers={**supervisor, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    staff = specimen_staff(16)
    staff_id = upload("staff", staff.to_csv(index=False).encode())
    roster = specimen_roster(staff, MONTH, seed=1)
    a = roster.assignments
    today = a[a["date"] == pd.Timestamp(DAY)]
    agents = set(staff.loc[staff["role"] == "agent", "employee_id"])
    early = today[(today["shift"] == "E") & today["employee_id"].isin(agents)]
    absent = early["employee_id"].iloc[0]
    rows = [f"{e},{DAY} {'07:55' if code == 'E' else '09:55'},in"
            for e, code in zip(today["employee_id"], today["shift"]) if code in ("E", "L") and e != absent]
    clock_id = upload("clock", ("employee_id,time,kind\n" + "\n".join(rows) + "\n").encode(), staff_id=staff_id,
                      name="clock.csv")
    with testing.sessions(url)() as s:
        forecast = Result(kind="forecast", month=MONTH, inputs={"calls_id": calls_id}, summary={}, payload=b"{}",
                          site_id=1)
        s.add(forecast)
        s.flush()
        staffing = Result(kind="staffing", month=MONTH, inputs={"forecast_id": forecast.id}, summary={}, payload=b"{}",
                          site_id=1)
        s.add(staffing)
        s.commit()
        staffing_id = staffing.id
    bare_id = testing.store_roster(url, roster, MONTH, staff)
    # stored last: the month's latest roster, the one the page shows
    roster_id = testing.store_roster(url, roster, MONTH, staff, inputs={"staffing_id": staffing_id, "staff_id": staff_id})
    viewer = {"Authorization": f"Bearer {testing.token(url, 'viewer')}"}
    return {"client": client, "url": url, "viewer": viewer, "roster_id": roster_id, "bare_id": bare_id,
            "clock_id": clock_id, "absent": absent, "sent": sent, "today": today}


def _rows(table: dict) -> pd.DataFrame:
    return pd.DataFrame(table["rows"], columns=table["columns"])


@pytest.mark.slow
def test_the_day_at_a_time_reads_the_stored_actuals_and_the_newest_clock(stored):
    client, absent = stored["client"], stored["absent"]
    r = client.get(f"/api/v1/rosters/{stored['roster_id']}/intraday", query_string={"day": DAY, "at": "11:30"},
                   headers=stored["viewer"])
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["day"], body["at"], body["clock_id"]) == (DAY, "11:30", stored["clock_id"])
    so_far = _rows(body["so_far"])
    sent = stored["sent"]
    assert so_far["actual"].sum() == sent.loc[sent["interval_start"] < f"{DAY} 11:30", "calls"].sum()
    rest = _rows(body["rest"])
    assert rest["interval_start"].iloc[0] == f"{DAY}T11:30:00" and rest["interval_start"].iloc[-1] == f"{DAY}T17:45:00"
    people = {p["employee_id"]: p for p in body["people"]}
    assert people[absent]["status"] == "not_in" and people[absent]["clock_in"] is None
    assert all(p["status"] == "in" for e, p in people.items() if e != absent)
    # the absent early agent is out of every interval of their shift but their lunch
    before_five = rest[rest["interval_start"] < f"{DAY}T17:00:00"]
    assert ((before_five["rostered"] - before_five["present"]).isin([0, 1])).all()
    assert (before_five["rostered"] - before_five["present"]).sum() >= len(before_five) - 4
    assert any(line.startswith("not clocked in by 11:30") and absent in line for line in body["summary"])
    for i, action in enumerate(body["actions"], 1):
        assert action["rank"] == i and action["employee_id"] in people | {e: None for e in stored["today"]["employee_id"]}
        assert action["what"] and action["start"] < action["end"]


@pytest.mark.slow
def test_a_named_clock_another_sites_roster_and_bad_times_are_said(stored):
    client, viewer = stored["client"], stored["viewer"]
    url = f"/api/v1/rosters/{stored['roster_id']}/intraday"
    north = {"Authorization": f"Bearer {testing.token(stored['url'], 'viewer', sites=[2])}"}
    assert client.get(url, query_string={"day": DAY, "at": "11:30"}, headers=north).status_code == 404
    r = client.get(url, query_string={"day": DAY, "at": "11:40"}, headers=viewer)
    assert r.status_code == 422 and "11:40 does not start one of the rules' 15-minute intervals" in r.json["detail"]
    assert client.get(url, query_string={"day": DAY, "at": "25:00"}, headers=viewer).status_code == 422
    r = client.get(url, query_string={"day": DAY, "at": "11:30", "clock_id": 999}, headers=viewer)
    assert r.status_code == 404 and "clock_id" in r.json["detail"]
    r = client.get(f"/api/v1/rosters/{stored['bare_id']}/intraday", query_string={"day": DAY, "at": "11:30"},
                   headers=viewer)
    assert r.status_code == 422 and "names no staffing" in r.json["detail"]
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/rosters/{result_id}/intraday"]


@pytest.mark.slow
def test_a_days_fit_serves_its_later_looks_and_the_rosters_planned_on_it_and_refits_when_a_day_before_comes(
        stored, monkeypatch):
    from collections import OrderedDict

    from api import intraday

    client, viewer, url = stored["client"], stored["viewer"], stored["url"]
    fits = []
    fit = intraday.day_forecast_step
    monkeypatch.setattr(intraday, "day_forecast_step", lambda *args: fits.append(args) or fit(*args))
    monkeypatch.setattr(intraday, "_FITTED", OrderedDict())
    with testing.sessions(url)() as s:
        row = s.get(Result, stored["roster_id"])
        twin = Result(kind="roster", month=row.month, inputs=dict(row.inputs), summary=dict(row.summary),
                      payload=row.payload, site_id=row.site_id, created_by="test")
        s.add(twin)
        s.commit()
        twin_id = twin.id

    def look(roster_id: int, at: str) -> None:
        r = client.get(f"/api/v1/rosters/{roster_id}/intraday", query_string={"day": DAY, "at": at}, headers=viewer)
        assert r.status_code == 200, r.json

    look(stored["roster_id"], "11:30")
    look(stored["roster_id"], "12:30")
    look(twin_id, "11:30")
    assert len(fits) == 1
    before = pd.read_csv(io.BytesIO(testing.calls_csv(days=1, start="2026-12-01", seed=4)))
    supervisor = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    r = client.post("/api/v1/actuals", data=before.to_csv(index=False).encode(), query_string={"name": "day1.csv"},
                    headers={**supervisor, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    look(stored["roster_id"], "11:30")
    assert len(fits) == 2


@pytest.mark.slow
def test_a_clock_dataset_not_over_the_day_is_not_read_as_everyone_missing(stored):
    """The newest clock dataset may be another day's (today's punches not sent yet): it is passed over for the
    newest over the day, and one named that is not over it is refused in words."""
    client, viewer, url = stored["client"], stored["viewer"], stored["url"]
    with testing.sessions(url)() as s:
        staff_id = s.get(Result, stored["roster_id"]).inputs["staff_id"]
    someone = stored["today"]["employee_id"].iloc[0]
    r = client.post("/api/v1/datasets/clock", data=f"employee_id,time,kind\n{someone},2026-12-01 07:55,in\n".encode(),
                    query_string={"staff_id": staff_id, "name": "yesterday.csv"},
                    headers={"Authorization": f"Bearer {testing.token(url, 'supervisor')}", "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    yesterday = r.json["id"]
    url_day = f"/api/v1/rosters/{stored['roster_id']}/intraday"
    r = client.get(url_day, query_string={"day": DAY, "at": "11:30"}, headers=viewer)
    assert r.status_code == 200 and r.json["clock_id"] == stored["clock_id"], r.json
    r = client.get(url_day, query_string={"day": DAY, "at": "11:30", "clock_id": yesterday}, headers=viewer)
    assert r.status_code == 422, r.json
    assert f"clock dataset {yesterday} holds punches from 2026-12-01" in r.json["detail"] and DAY in r.json["detail"]
    assert r.json["errors"][0]["pointer"] == "/clock_id"
    r = client.get(url_day, query_string={"day": "2026-12-03", "at": "11:30"}, headers=viewer)
    assert r.status_code == 200 and r.json["clock_id"] is None, r.json
    assert {p["status"] for p in r.json["people"]} == {"expected"}
