"""People and roles: tokens of one person (agent, group leader, team leader) made from the staff file; each sees
its own schedule, its group's or its team's, and nothing else (404 for another person, 403 for the floor's data)."""
from __future__ import annotations

from click.testing import CliRunner

import pytest

from api import testing
from cli import main
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster

STAFF = testing.people_staff_csv()
MONTH = "2026-12"


@pytest.fixture
def app(tmp_path):
    return testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def floor(app):
    """The staff uploaded, a roster and two versions of it (the first published, the second a draft changing A001
    and A004), and the supervisor's and admin's headers."""
    client, url = app.test_client(), app.config["DATABASE_URL"]
    sup, admin = bearer(testing.token(url, "supervisor")), bearer(testing.token(url, "admin"))
    staff_id = client.post("/api/v1/datasets/staff", data=STAFF, headers={**sup, "Content-Type": "text/csv"}).json["id"]
    staff = load_staff(STAFF)
    first = testing.store_roster(url, specimen_roster(staff, MONTH), MONTH, staff)
    changed = specimen_roster(staff, MONTH)
    a = changed.assignments
    for eid in ("A001", "A004"):
        at = (a["employee_id"] == eid) & (a["date"] == "2026-12-21")
        a.loc[at, "shift"], a.loc[at, "lunch_start"] = ("OFF", None) if a.loc[at, "shift"].item() != "OFF" else ("E", "12:00")
    second = testing.store_roster(url, changed, MONTH, staff)
    v1 = client.post("/api/v1/versions", json={"roster_id": first}, headers=sup).json["id"]
    client.post(f"/api/v1/versions/{v1}/publish", json={}, headers=sup)
    v2 = client.post("/api/v1/versions", json={"roster_id": second}, headers=sup).json["id"]
    return {"staff_id": staff_id, "roster": first, "v1": v1, "v2": v2, "sup": sup, "admin": admin}


def person_token(client, floor, role: str, person: str) -> dict:
    r = client.post("/api/v1/tokens", json={"name": person, "role": role, "person": person, "staff_id": floor["staff_id"]},
                    headers=floor["admin"])
    assert r.status_code == 201, r.json
    return bearer(r.json["token"])


def test_each_person_sees_their_own_group_or_team(app, floor):
    client = app.test_client()
    seen = {}
    for role, person in (("agent", "A001"), ("group_leader", "G001"), ("team_leader", "T001")):
        headers = person_token(client, floor, role, person)
        r = client.get(f"/api/v1/versions/{floor['v1']}/schedules", headers=headers)
        assert r.status_code == 200, r.json
        seen[person] = [e["employee_id"] for e in r.json["employees"]]
        assert all(len(e["shifts"]) == 31 for e in r.json["employees"])
    assert seen["A001"] == ["A001"]
    assert sorted(seen["G001"]) == ["A001", "A002", "G001"]
    assert sorted(seen["T001"]) == ["A001", "A002", "A003", "G001", "G002", "T001"]
    everyone = client.get(f"/api/v1/versions/{floor['v1']}/schedules", headers=floor["sup"]).json["employees"]
    assert len(everyone) == 9


def test_an_agent_sees_nothing_of_others(app, floor):
    client = app.test_client()
    agent = person_token(client, floor, "agent", "A001")
    me = client.get("/api/v1/me", headers=agent).json
    assert (me["person"], me["group"], me["team"], me["scope"], me["supervises"]) == ("A001", "G1", "T1", "self", False)
    assert client.get(f"/api/v1/versions/{floor['v1']}/ics/A001", headers=agent).status_code == 200
    for path in (f"/api/v1/versions/{floor['v1']}/ics/A002", f"/api/v1/versions/{floor['v2']}",
                 f"/api/v1/versions/{floor['v2']}/schedules"):
        assert client.get(path, headers=agent).status_code == 404, path
    for path in (f"/api/v1/rosters/{floor['roster']}", "/api/v1/datasets", "/api/v1/audit", "/api/v1/notices",
                 f"/api/v1/rosters/{floor['roster']}/ics/A001", "/api/v1/jobs"):
        assert client.get(path, headers=agent).status_code == 403, path
    assert client.post(f"/api/v1/versions/{floor['v2']}/publish", json={}, headers=agent).status_code == 403
    assert [v["id"] for v in client.get("/api/v1/versions", headers=agent).json["items"]] == [floor["v1"]]
    # Once published, the change list shows the agent their own days only.
    client.post(f"/api/v1/versions/{floor['v2']}/publish", json={}, headers=floor["sup"])
    mine = client.get(f"/api/v1/versions/{floor['v2']}", headers=agent).json["changes"]
    everyone = client.get(f"/api/v1/versions/{floor['v2']}", headers=floor["sup"]).json["changes"]
    assert [c["employee_id"] for c in mine] == ["A001"] and [c["employee_id"] for c in everyone] == ["A001", "A004"]
    leader = person_token(client, floor, "group_leader", "G001")
    assert client.get(f"/api/v1/versions/{floor['v1']}/ics/A002", headers=leader).status_code == 200
    assert client.get(f"/api/v1/versions/{floor['v1']}/ics/A003", headers=leader).status_code == 404


def test_a_persons_token_names_them_on_the_staff(app, floor):
    client = app.test_client()
    made = client.post("/api/v1/tokens", json={"name": "a", "role": "team_leader", "person": "T002",
                                               "staff_id": floor["staff_id"]}, headers=floor["admin"]).json
    assert (made["person"], made["team"], made["sites"]) == ("T002", "T2", [1])
    cases = [({"role": "agent", "person": "Z999", "staff_id": floor["staff_id"]}, "/person", "'Z999' is not on staff"),
             ({"role": "agent", "person": "G001", "staff_id": floor["staff_id"]}, "/role", "G001 is a group_leader"),
             ({"role": "agent"}, "/person", "a token of role agent is one person's"),
             ({"role": "viewer", "person": "A001", "staff_id": floor["staff_id"]}, "/person", "both or neither"),
             ({"role": "agent", "person": "A001", "staff_id": floor["staff_id"], "sites": [2]}, "/sites",
              "sees the site of their staff dataset (site 1)")]
    for body, pointer, words in cases:
        r = client.post("/api/v1/tokens", json={"name": "x", **body}, headers=floor["admin"])
        assert r.status_code == 422 and r.json["errors"][0]["pointer"] == pointer and words in r.json["detail"], r.json
    runner = CliRunner()
    url = app.config["DATABASE_URL"]
    out = runner.invoke(main, ["token", "create", "--role", "agent", "--name", "A004", "--person", "A004",
                               "--staff-id", str(floor["staff_id"]), "--database-url", url])
    assert out.exit_code == 0, out.output
    text = out.stdout.strip().splitlines()[0]
    assert client.get("/api/v1/me", headers=bearer(text)).json["person"] == "A004"
    bad = runner.invoke(main, ["token", "create", "--role", "agent", "--name", "x", "--person", "G001",
                               "--staff-id", str(floor["staff_id"]), "--database-url", url])
    assert bad.exit_code != 0 and "G001 is a group_leader" in bad.output
