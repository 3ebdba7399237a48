"""Sites: a token sees only its sites' datasets, results and jobs (an admin every site's); another site's id
is a 404 on every endpoint. Who cancels a job: a supervisor any of its sites', hr only its own."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from api import testing
from api.db import DEFAULT_SITE_ID, Result, Site
from api.schemas import PlanOut
from api.tasks import result_payload
from cli import main
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster

A, B = DEFAULT_SITE_ID, 2
# What create_token says of an admin token given sites, and the CLI and the API show.
ADMIN_WITH_SITES = "an admin token sees every site, so it is given none: leave the sites out"


@pytest.fixture
def app(tmp_path):
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with app.extensions["shiftcast"].sessions() as s:
        s.add(Site(id=B, name="north"))
        s.commit()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(app, role: str, sites: list[int] | None = None) -> dict:
    return {"Authorization": f"Bearer {testing.token(app.config['DATABASE_URL'], role, sites=sites)}"}


def csv_upload(client, headers, kind: str, content: bytes, **query):
    r = client.post(f"/api/v1/datasets/{kind}", data=content, query_string=query,
                    headers={**headers, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.json
    return r.json["id"]


@pytest.fixture
def site_a(app, client):
    """Site A's resources, one of each kind, made by A's supervisor: their ids by path segment."""
    sup = bearer(app, "supervisor", [A])
    ids = {"calls": csv_upload(client, sup, "calls", testing.calls_csv(days=2))}
    ids["staff"] = csv_upload(client, sup, "staff", testing.staff_csv(4, 1))
    ids["leave"] = csv_upload(client, sup, "leave", b"employee_id,date,kind\nA000,2026-12-03,leave\n", staff_id=ids["staff"])
    sent = client.post("/api/v1/actuals", data=testing.calls_csv(days=1), headers={**sup, "Content-Type": "text/csv"})
    assert sent.status_code == 201 and sent.json["site_id"] == A, sent.json
    ids["clock"] = csv_upload(client, sup, "clock", b"employee_id,time,kind\nA000,2026-12-01 08:00,in\n", staff_id=ids["staff"])
    url = app.config["DATABASE_URL"]
    staff = load_staff(testing.staff_csv(4, 1))
    ids["roster"] = testing.store_roster(url, specimen_roster(staff, "2026-12"), "2026-12", staff, site_id=A)
    month = pd.date_range("2026-12-01 08:00", periods=4, freq="15min", name="interval_start")
    ids["staffing"] = testing.store_staffing(url, pd.DataFrame({"scheduled": [1, 2, 2, 1]}, index=month), "2026-12")
    with app.extensions["shiftcast"].sessions() as s:
        doc = {"kind": "hiring", "month": "2026-12", "inputs": {}, "summary": {}, "result": {}}
        hiring = Result(kind="hiring", month="2026-12", inputs={}, summary={}, site_id=A,
                        payload=result_payload(PlanOut, doc))
        s.add(hiring)
        s.commit()
        ids["hiring"] = hiring.id
    job = client.post("/api/v1/forecasts", json={"calls_id": ids["calls"], "month": "2026-12"}, headers=sup)
    assert job.status_code == 202, job.json
    ids["job"] = job.json["id"]
    version = client.post("/api/v1/versions", json={"roster_id": ids["roster"]}, headers=sup)
    assert version.status_code == 201, version.json
    ids["version"] = version.json["id"]
    ids["headers"] = sup
    return ids


def path_ids(site: dict) -> dict[str, int]:
    """The id to put in each resource's path."""
    return {"datasets": site["calls"], "staffing": site["staffing"], "hiring-plans": site["hiring"],
            "jobs": site["job"], "rosters": site["roster"], "versions": site["version"], "forecasts": 10**6, "headcount": 10**6, "requests": 10**6, "tokens": 10**6}


def test_every_endpoint_answers_another_sites_ids_with_404(app, client, site_a):
    other = bearer(app, "supervisor", [B])
    ids = path_ids(site_a)
    asked = 0
    for rule in app.url_map.iter_rules():
        if "<id:" not in rule.rule or rule.rule.startswith("/api/v1/tokens"):
            continue
        resource = rule.rule.split("/")[3]
        path = re.sub(r"<id:\w+>", str(ids[resource]), rule.rule).replace("<employee_id>", "A000")
        # A roster's attendance names the clock records too: site A's, which site B does not see either.
        query = {"clock_id": site_a["clock"]} if "/attendance" in rule.rule else {}
        if rule.rule.endswith("/intraday"):  # a valid look, so that only the site can refuse it
            query = {"day": "2026-12-15", "at": "11:30", "clock_id": site_a["clock"]}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # A POST with a body (publishing takes a reason) is refused for the id, not the body.
            r = client.open(path, method=method, headers=other, query_string=query, json={} if method == "POST" else None)
            assert r.status_code == 404, (method, path, r.status_code, r.json)
            assert str(ids[resource]) in r.json["detail"] or "no " in r.json["detail"]
            asked += 1
    assert asked >= 10
    # Site A's own token reads them.
    mine = site_a["headers"]
    for path in (f"/api/v1/datasets/{site_a['calls']}", f"/api/v1/staffing/{site_a['staffing']}",
                 f"/api/v1/hiring-plans/{site_a['hiring']}", f"/api/v1/jobs/{site_a['job']}",
                 f"/api/v1/rosters/{site_a['roster']}/attendance?clock_id={site_a['clock']}"):
        assert client.get(path, headers=mine).status_code == 200, path


def test_requests_naming_another_sites_ids_are_404_and_queue_nothing(app, client, site_a):
    other = bearer(app, "supervisor", [B])
    hr = bearer(app, "hr", [B])
    bodies = [
        ("/api/v1/forecasts", {"calls_id": site_a["calls"], "month": "2026-12"}, other),
        ("/api/v1/staffing", {"forecast_id": site_a["staffing"]}, other),
        ("/api/v1/rosters", {"staffing_id": site_a["staffing"], "staff_id": site_a["staff"]}, other),
        ("/api/v1/headcount", {"staffing_id": site_a["staffing"]}, hr),
    ]
    for path, body, headers in bodies:
        r = client.post(path, json=body, headers=headers)
        assert r.status_code == 404, (path, r.json)
    r = client.post("/api/v1/datasets/leave", data=b"employee_id,date,kind\n", query_string={"staff_id": site_a["staff"]},
                    headers={**other, "Content-Type": "text/csv"})
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/staff_id"
    # Another site's staff is no way in even with the site named: the token does not see site A.
    r = client.post("/api/v1/rosters", json={"staffing_id": site_a["staffing"], "staff_id": site_a["staff"],
                                             "site_id": A}, headers=other)
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/site_id"
    assert client.get("/api/v1/jobs", headers=bearer(app, "admin")).json["items"][0]["id"] == site_a["job"]


def test_lists_show_only_the_tokens_sites_and_an_admin_sees_all(app, client, site_a):
    other = bearer(app, "viewer", [B])
    for path in ("/api/v1/datasets", "/api/v1/staffing", "/api/v1/hiring-plans", "/api/v1/jobs", "/api/v1/actuals"):
        assert client.get(path, headers=other).json["items"] == [], path
        assert client.get(path, headers=site_a["headers"]).json["items"], path
    assert [s["name"] for s in client.get("/api/v1/sites", headers=other).json["items"]] == ["north"]
    admin = bearer(app, "admin")
    assert [s["id"] for s in client.get("/api/v1/sites", headers=admin).json["items"]] == [A, B]
    items = client.get("/api/v1/datasets", headers=admin).json["items"]
    assert {d["site_id"] for d in items} == {A}
    # An admin working in two sites says which one an upload is for.
    r = client.post("/api/v1/datasets/staff", data=testing.staff_csv(2, 1), headers={**admin, "Content-Type": "text/csv"})
    assert r.status_code == 422 and r.json["errors"][0]["pointer"] == "/site_id"
    r = client.post("/api/v1/datasets/staff", data=testing.staff_csv(2, 1), query_string={"site_id": B},
                    headers={**admin, "Content-Type": "text/csv"})
    assert r.status_code == 201 and r.json["site_id"] == B
    assert [d["id"] for d in client.get("/api/v1/datasets", headers=other).json["items"]] == [r.json["id"]]
    assert client.get("/api/v1/datasets", query_string={"site_id": A}, headers=admin).json["items"] == items


def test_hr_cancels_only_its_own_jobs_and_a_supervisor_any_of_its_sites(app, client, site_a):
    hr = bearer(app, "hr", [A])
    r = client.post(f"/api/v1/jobs/{site_a['job']}/cancel", headers=hr)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/jobs/{site_a['job']}", headers=hr).json["state"] == "queued"
    own = client.post("/api/v1/headcount", json={"staffing_id": site_a["staffing"]}, headers=hr)
    assert own.status_code == 202, own.json
    assert client.post(f"/api/v1/jobs/{own.json['id']}/cancel", headers=hr).json["state"] == "cancelled"
    assert client.post(f"/api/v1/jobs/{site_a['job']}/cancel", headers=bearer(app, "supervisor", [A])).status_code == 202


def test_token_cli_site_option_makes_a_token_that_sees_only_that_site(app, client, site_a):
    url = app.config["DATABASE_URL"]
    result = CliRunner().invoke(main, ["token", "create", "--role", "viewer", "--name", "Ms Li", "--site", "north",
                                       "--site", "south", "--database-url", url])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert "site 3 'south' added" in result.stderr
    headers = {"Authorization": f"Bearer {token}"}
    assert [s["name"] for s in client.get("/api/v1/sites", headers=headers).json["items"]] == ["north", "south"]
    assert client.get(f"/api/v1/datasets/{site_a['calls']}", headers=headers).status_code == 404
    refused = CliRunner().invoke(main, ["token", "create", "--role", "admin", "--name", "IT", "--site", "east",
                                        "--database-url", url])
    assert refused.exit_code == 2 and ADMIN_WITH_SITES in refused.output, refused.output
    assert "east" not in [s["name"] for s in client.get("/api/v1/sites", headers=bearer(app, "admin")).json["items"]]


def test_the_tokens_api_makes_tokens_of_named_sites(app, client, site_a):
    admin = bearer(app, "admin")
    r = client.post("/api/v1/tokens", json={"name": "north desk", "role": "viewer", "sites": [B]}, headers=admin)
    assert r.status_code == 201 and r.json["sites"] == [B]
    north = {"Authorization": f"Bearer {r.json['token']}"}
    assert client.get(f"/api/v1/datasets/{site_a['calls']}", headers=north).status_code == 404
    r = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer"}, headers=admin)
    assert r.json["sites"] == [A]
    r = client.post("/api/v1/tokens", json={"name": "x", "role": "admin", "sites": [B]}, headers=admin)
    assert r.status_code == 422 and r.json["errors"][0]["pointer"] == "/sites" and r.json["detail"] == ADMIN_WITH_SITES
    r = client.post("/api/v1/tokens", json={"name": "x", "role": "viewer", "sites": [99]}, headers=admin)
    assert r.status_code == 404 and r.json["errors"][0]["pointer"] == "/sites"
    items = client.get("/api/v1/tokens", headers=admin).json["items"]
    assert [t["sites"] for t in items if t["role"] == "admin"] == [None]  # an admin's: every site


@pytest.fixture
def two_sites_rosters(app):
    """A roster month in each site, with names and months found nowhere else: {site: (roster id, month, staff)}.
    Site B's month is the later one, so a page that opened on the store's latest month would show it."""
    from shiftcast.exports.specimen import specimen_roster, specimen_staff

    url = app.config["DATABASE_URL"]
    stored = {}
    for site, month, who in ((A, "2031-07", "Southpaw"), (B, "2032-03", "Northwind")):
        staff = specimen_staff(12)
        staff["name"] = who + staff["employee_id"]
        stored[site] = (testing.store_roster(url, specimen_roster(staff, month), month, staff, site_id=site), month, staff)
    return stored


def test_the_page_without_a_token_carries_no_roster_data_of_any_site(client, two_sites_rosters):
    """The page, its script and its styles, fetched as a browser without a token fetches them, hold no month,
    name or id of any site's roster; the data the script asks for answers 401 until a token is given."""
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    served = [html] + [client.get(src).get_data(as_text=True) for src in re.findall(r'(?:src|href)="(/[^"]+)"', html)]
    assert len(served) >= 3  # the page, roster.js and roster.css
    for site, (roster_id, month, staff) in two_sites_rosters.items():
        for text in served:
            assert month not in text, (site, month)
            assert not [n for n in staff["name"] if n in text], site
        assert client.get(f"/api/v1/rosters/{roster_id}").status_code == 401
    for path in ("/api/v1/sites", "/api/v1/rosters"):
        assert client.get(path).status_code == 401, path


def test_a_token_of_one_site_never_sees_another_sites_month_as_the_page_asks(app, client, two_sites_rosters):
    """The page's own calls with site A's token: its sites (where the month picker opens), the rosters of a
    month, a roster. Site B's later month is never named, listed or served."""
    (a_id, a_month, a_staff), (b_id, b_month, _) = two_sites_rosters[A], two_sites_rosters[B]
    mine = bearer(app, "viewer", [A])
    assert client.get("/api/v1/sites", headers=mine).json["items"] == [
        {"id": A, "name": "default", "latest_roster_month": a_month}]
    assert client.get("/api/v1/rosters", query_string={"month": b_month}, headers=mine).json["items"] == []
    assert client.get("/api/v1/rosters", query_string={"month": b_month, "site_id": B}, headers=mine).json["items"] == []
    assert [r["id"] for r in client.get("/api/v1/rosters", headers=mine).json["items"]] == [a_id]
    assert client.get(f"/api/v1/rosters/{b_id}", headers=mine).status_code == 404
    doc = client.get(f"/api/v1/rosters/{a_id}", headers=mine).json
    assert doc["month"] == a_month and {e["name"] for e in doc["employees"]} == set(a_staff["name"])
    # Site B's token, and an admin's, see B's month where the page opens.
    north = client.get("/api/v1/sites", headers=bearer(app, "viewer", [B])).json["items"]
    assert [(s["id"], s["latest_roster_month"]) for s in north] == [(B, b_month)]
    every = client.get("/api/v1/sites", headers=bearer(app, "admin")).json["items"]
    assert [(s["id"], s["latest_roster_month"]) for s in every] == [(A, a_month), (B, b_month)]
