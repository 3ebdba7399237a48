"""Requests and approvals through the API: routed by the [requests] rules (allowances, notice, blackout days),
approved at once when they allow it, decided by the right leader with the coverage impact in view, refused
with a reason, swaps agreed by the colleague, each seen only by the people in scope, all in the audit trail."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from api import testing
from scheduler.data import load_staff
from shiftcast.exports.specimen import specimen_roster


def next_month_but_one() -> str:
    """A month whose every day is more than the notice ahead, whenever the test runs."""
    return (dt.date.today().replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")


MONTH = next_month_but_one()
STAFF = testing.people_staff_csv()


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def working_days(roster, employee_id: str) -> list[str]:
    a = roster.assignments
    mine = a[(a["employee_id"] == employee_id) & a["shift"].isin(["E", "L"])]
    return [d.strftime("%Y-%m-%d") for d in pd.to_datetime(mine["date"])]


@pytest.fixture
def floor(tmp_path):
    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    client, url = app.test_client(), app.config["DATABASE_URL"]
    admin, sup = bearer(testing.token(url, "admin")), bearer(testing.token(url, "supervisor", "Ms Wang"))
    staff = load_staff(STAFF)
    roster = specimen_roster(staff, MONTH)
    blackout = working_days(roster, "A003")[-1]
    toml = f"[service]\nshrinkage = 0.0\n\n[requests]\nnotice_days = 3\ngroup_days_off_per_day = 1\nteam_days_off_per_day = 2\nblackout_days = [{blackout}]\n"
    rules_id = client.post("/api/v1/datasets/rules?name=rules.toml", data=toml.encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    staff_id = client.post("/api/v1/datasets/staff", data=STAFF, headers={**sup, "Content-Type": "text/csv"}).json["id"]
    # Few calls: every interval meets the service target before and after one person's day moves.
    requirement = pd.DataFrame({"calls": 1.0, "aht_s": 240.0, "scheduled": 1}, index=roster.coverage.index)
    staffing_id = testing.store_staffing(url, requirement, MONTH)
    roster_id = testing.store_roster(url, roster, MONTH, staff,
                                     inputs={"rules_id": rules_id, "staffing_id": staffing_id, "staff_id": staff_id})
    version = client.post("/api/v1/versions", json={"roster_id": roster_id}, headers=sup).json["id"]
    client.post(f"/api/v1/versions/{version}/publish", json={}, headers=sup)
    tokens = {"sup": sup}
    for role, person in (("agent", "A001"), ("agent", "A002"), ("agent", "A003"), ("group_leader", "G001"),
                         ("group_leader", "G002"), ("team_leader", "T001"), ("team_leader", "T002")):
        made = client.post("/api/v1/tokens", json={"name": person, "role": role, "person": person, "staff_id": staff_id},
                           headers=admin)
        tokens[person] = bearer(made.json["token"])
    return client, tokens, roster, blackout


def ask(client, headers, **body):
    return client.post("/api/v1/requests", json=body, headers=headers)


def test_leave_within_the_allowance_is_approved_at_once_beyond_it_goes_up(floor):
    client, t, roster, _ = floor
    day = sorted(set(working_days(roster, "A001")) & set(working_days(roster, "A002")))[0]
    first = ask(client, t["A001"], kind="leave", days=[day], note="a wedding")
    assert first.status_code == 201, first.json
    first = first.json
    assert first["routing"] == [], first["routing"]
    assert (first["state"], first["decided_by"], first["routing"], first["level"]) == ("approved", "the rules", [], "group_leader")
    assert first["changes"][0]["after"] == "LEAVE"
    touched = first["impact"]["intervals"]
    assert touched and all(i["staffed_after"] == i["staffed_before"] - 1 for i in touched)
    assert all(i["service_level_after"] <= i["service_level_before"] for i in touched)
    assert all(i["abandoned_after"] >= i["abandoned_before"] for i in touched)

    second = ask(client, t["A002"], kind="leave", days=[day]).json
    assert (second["state"], second["level"]) == ("pending", "team_leader")
    assert "group G1 off already" in second["routing"][0]
    may = {who: client.get(f"/api/v1/requests/{second['id']}", headers=t[who]).json["may_decide"]
           for who in ("A002", "G001", "T001", "sup")}
    assert may == {"A002": False, "G001": False, "T001": True, "sup": True}  # what the page offers each
    denied = client.post(f"/api/v1/requests/{second['id']}/approve", json={}, headers=t["G001"])
    assert denied.status_code == 403 and "team leader" in denied.json["detail"]
    done = client.post(f"/api/v1/requests/{second['id']}/approve", json={"reason": "covered by G2"},
                       headers=t["T001"]).json
    assert (done["state"], done["decided_by"], done["decision_reason"]) == ("approved", "T001", "covered by G2")
    again = client.post(f"/api/v1/requests/{second['id']}/refuse", json={"reason": "x"}, headers=t["sup"])
    assert again.status_code == 409


def test_a_rest_day_waits_for_the_group_leader_and_a_refusal_says_why(floor):
    client, t, roster, blackout = floor
    day = working_days(roster, "A001")[3]
    r = ask(client, t["A001"], kind="rest", days=[day]).json
    assert (r["state"], r["level"]) == ("pending", "group_leader")
    assert any("rest days per week" in reason for reason in r["routing"])
    assert client.post(f"/api/v1/requests/{r['id']}/approve", json={}, headers=t["A001"]).status_code == 403
    assert client.get(f"/api/v1/requests/{r['id']}", headers=t["G002"]).status_code == 404
    assert client.get(f"/api/v1/requests/{r['id']}", headers=t["T002"]).status_code == 404
    assert client.get(f"/api/v1/requests/{r['id']}", headers=t["A002"]).status_code == 404
    bare = client.post(f"/api/v1/requests/{r['id']}/refuse", json={}, headers=t["G001"])
    assert bare.status_code == 422 and bare.json["errors"][0]["pointer"] == "/reason"
    client.post(f"/api/v1/requests/{r['id']}/refuse", json={"reason": "two of the group are off"},
                headers=t["G001"])
    seen = client.get(f"/api/v1/requests/{r['id']}", headers=t["A001"]).json
    assert (seen["state"], seen["decision_reason"], seen["decided_by"]) == ("refused", "two of the group are off", "G001")
    # A blackout day is the supervisor's to decide.
    b = ask(client, t["A003"], kind="leave", days=[blackout]).json
    assert (b["state"], b["level"]) == ("pending", "supervisor") and "blackout day" in b["routing"][0]
    trail = client.get("/api/v1/audit", headers=t["sup"]).json["items"]
    refused = [e for e in trail if e["action"] == "request.refuse"]
    assert [(e["actor"], e["reason"]) for e in refused] == [("G001", "two of the group are off")]


def test_a_swap_waits_for_the_colleague(floor):
    client, t, roster, _ = floor
    a, b = roster.assignments.set_index(["employee_id", "date"])["shift"], None
    day = next(d for d in working_days(roster, "A001") if a[("A002", pd.Timestamp(d))] != a[("A001", pd.Timestamp(d))])
    r = ask(client, t["A001"], kind="swap", days=[day], partner="A002").json
    assert r["state"] == "awaiting_partner" and len(r["changes"]) == 2
    assert [x["id"] for x in client.get("/api/v1/requests", headers=t["A002"]).json["items"]] == [r["id"]]
    assert client.get("/api/v1/requests", headers=t["A003"]).json["items"] == []
    assert client.post(f"/api/v1/requests/{r['id']}/agree", headers=t["A001"]).status_code == 403
    agreed = client.post(f"/api/v1/requests/{r['id']}/agree", headers=t["A002"]).json
    assert agreed["state"] == "pending" and agreed["partner_agreed_at"]
    assert client.post(f"/api/v1/requests/{r['id']}/agree", headers=t["A002"]).status_code == 409


def test_bad_requests_name_the_field(floor):
    client, t, roster, _ = floor
    day = working_days(roster, "A001")[0]
    cases = [({"kind": "leave", "days": [str(dt.date.today())]}, "/days", "has begun"),
             ({"kind": "shift", "days": [day], "shift": "X"}, "/shift", "not one of the rules' shifts"),
             ({"kind": "swap", "days": [day]}, "/partner", "names the colleague"),
             ({"kind": "leave", "days": [day], "shift": "L"}, "/shift", "only a shift or work request"),
             ({"kind": "work", "days": [day], "shift": "L"}, "/days", "a work request is for a day off"),
             ({"kind": "leave", "days": ["2031-01-05"]}, "/days", "no roster of 2031-01 is published")]
    for body, pointer, words in cases:
        r = ask(client, t["A001"], **body)
        assert r.status_code == 422 and r.json["errors"][0]["pointer"] == pointer and words in r.json["detail"], r.json
    # An agent asks only for themselves; a leader for the people they see.
    assert ask(client, t["A001"], kind="leave", days=[day], employee_id="A002").status_code == 404
    assert ask(client, t["G002"], kind="leave", days=[day], employee_id="A001").status_code == 404
    assert ask(client, t["G001"], kind="leave", days=[day], employee_id="A001").status_code == 201
    viewer = bearer(testing.token(client.application.config["DATABASE_URL"], "viewer"))
    assert ask(client, viewer, kind="leave", days=[day], employee_id="A001").status_code == 403
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/requests", "/api/v1/requests/{request_id}", "/api/v1/requests/{request_id}/agree",
                 "/api/v1/requests/{request_id}/approve", "/api/v1/requests/{request_id}/refuse",
                 "/api/v1/versions/{version_id}/replan", "/api/v1/versions/{version_id}/schedules", "/api/v1/me"):
        assert path in paths, path


@pytest.mark.slow
def test_approved_leave_is_re_planned_by_a_roster_job(tmp_path):
    from api.worker import job_runner
    from core.periods import month_intervals

    app = testing.app(f"sqlite:///{tmp_path / 'store.sqlite'}")
    client, url = app.test_client(), app.config["DATABASE_URL"]
    sup, admin = bearer(testing.token(url, "supervisor")), bearer(testing.token(url, "admin"))
    staff_id = client.post("/api/v1/datasets/staff", data=STAFF, headers={**sup, "Content-Type": "text/csv"}).json["id"]
    requirement = pd.DataFrame({"scheduled": 2}, index=month_intervals(MONTH))
    staffing_id = testing.store_staffing(url, requirement, MONTH)
    job = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff_id, "time_limit_s": 3},
                      headers=sup)
    assert job_runner(app).run_pending() == 1
    first = client.get(job.headers["Location"], headers=sup).json["result_id"]
    v1 = client.post("/api/v1/versions", json={"roster_id": first}, headers=sup).json["id"]
    client.post(f"/api/v1/versions/{v1}/publish", json={}, headers=sup)
    assert client.post(f"/api/v1/versions/{v1}/replan", json={}, headers=sup).status_code == 409  # nothing approved
    roster = client.get(f"/api/v1/rosters/{first}", headers=sup).json
    a001 = next(e for e in roster["employees"] if e["employee_id"] == "A001")
    # a day after the month's first: the re-plan starts there and keeps the days before it
    day = next(d for d, c in zip(roster["days"], a001["shifts"]) if roster["codes"][c] in ("E", "L")
               and not d.endswith("-01"))
    agent = bearer(client.post("/api/v1/tokens", json={"name": "A001", "role": "agent", "person": "A001",
                                                        "staff_id": staff_id}, headers=admin).json["token"])
    asked = client.post("/api/v1/requests", json={"kind": "leave", "days": [day]}, headers=agent).json
    if asked["state"] == "pending":
        client.post(f"/api/v1/requests/{asked['id']}/approve", json={"reason": "ok"}, headers=sup)
    replan = client.post(f"/api/v1/versions/{v1}/replan", json={"reason": "A001's leave", "time_limit_s": 3}, headers=sup)
    assert replan.status_code == 202, replan.json
    assert job_runner(app).run_pending() == 1
    second = client.get(replan.headers["Location"], headers=sup).json
    assert second["state"] == "succeeded", second
    v2 = client.post("/api/v1/versions", json={"roster_id": second["result_id"]}, headers=sup).json
    assert {"employee_id": "A001", "name": "Agent 1", "date": day, "before": a001_code(roster, a001, day),
            "after": "LEAVE"} in v2["changes"]
    assert all(c["date"] >= day for c in v2["changes"])
    assert client.get(f"/api/v1/rosters/{second['result_id']}", headers=sup).json["diff"]["from_day"] == day
    assert "version.replan" in [e["action"] for e in client.get("/api/v1/audit", headers=sup).json["items"]]


def a001_code(roster: dict, person: dict, day: str) -> str:
    return roster["codes"][person["shifts"][roster["days"].index(day)]]


def test_the_impact_counts_only_people_on_the_phones_and_the_day_rules_exist():
    from core.rules import DEFAULT_RULES
    from scheduler.rules import ROSTER_RULES
    from shiftcast.approvals import DAY_RULES, Asked, coverage_impact, requested_changes

    assert set(DAY_RULES) <= {rule.name for rule in ROSTER_RULES}  # a renamed rule is not skipped unseen
    staff = load_staff(STAFF)
    roster = specimen_roster(staff, MONTH)
    requirement = pd.DataFrame({"calls": 30.0, "aht_s": 240.0}, index=roster.coverage.index)
    names = dict(zip(staff["employee_id"], staff["name"]))

    def impact(employee_id: str):
        days = tuple(dt.date.fromisoformat(d) for d in working_days(roster, employee_id)[:2])
        changes = requested_changes(Asked("leave", employee_id, days), roster, DEFAULT_RULES, names)
        return coverage_impact(roster, requirement, staff, DEFAULT_RULES, changes)

    assert impact("S001").intervals == ()  # a supervisor takes no calls: their leave moves no interval
    agent = impact("A001").intervals
    assert agent and all(i.staffed_after == i.staffed_before - 1 for i in agent)


def test_the_re_plans_leave_reads_the_months_leave_as_the_roster_did(floor):
    """The month's leave saved from Excel (a byte-order mark, a wish's own weight) goes into the re-plan's leave
    as the roster read it, with the approved request over it."""
    client, t, roster, _ = floor
    sup, url = t["sup"], client.application.config["DATABASE_URL"]
    ids = {d["kind"]: d["id"] for d in client.get("/api/v1/datasets", headers=sup).json["items"]}
    rest_day = working_days(roster, "A002")[-1]
    leave_csv = f"\ufeffemployee_id,date,kind,shift,weight\nA002,{rest_day},rest_request,,7\n".encode()
    leave = client.post("/api/v1/datasets/leave", data=leave_csv, query_string={"staff_id": ids["staff"],
                        "rules_id": ids["rules"]}, headers={**sup, "Content-Type": "text/csv"})
    assert leave.status_code == 201, leave.json
    requirement = pd.DataFrame({"calls": 1.0, "aht_s": 240.0, "scheduled": 1}, index=roster.coverage.index)
    given = {"rules_id": ids["rules"], "staff_id": ids["staff"], "leave_id": leave.json["id"],
             "staffing_id": testing.store_staffing(url, requirement, MONTH)}
    roster_id = testing.store_roster(url, roster, MONTH, load_staff(STAFF), inputs=given)
    version = client.post("/api/v1/versions", json={"roster_id": roster_id}, headers=sup).json["id"]
    client.post(f"/api/v1/versions/{version}/publish", json={}, headers=sup)
    day = working_days(roster, "A001")[0]
    asked = ask(client, t["A001"], kind="leave", days=[day], version_id=version).json
    if asked["state"] == "pending":
        client.post(f"/api/v1/requests/{asked['id']}/approve", json={"reason": "ok"}, headers=sup)
    replanned = client.post(f"/api/v1/versions/{version}/replan", json={}, headers=sup)
    assert replanned.status_code == 202, replanned.json
    replan = [e for e in client.get("/api/v1/audit", headers=sup).json["items"] if e["action"] == "version.replan"][-1]
    assert replan["detail"]["from_day"] == (None if day.endswith("-01") else day)  # the days before it are kept
    content = client.get(f"/api/v1/datasets/{replan['detail']['leave_id']}/content", headers=sup).data.decode()
    assert content.splitlines() == ["employee_id,date,kind,shift,weight", f"A002,{rest_day},rest_request,,7",
                                    f"A001,{day},leave,,"]


def test_a_re_plan_starts_at_the_first_day_ahead_it_changes(monkeypatch):
    from dataclasses import replace

    from api import time_requests
    from api.db import RosterVersion
    from api.problems import Problem
    from core.rules import DEFAULT_RULES

    monkeypatch.setattr(time_requests, "today", lambda: dt.date(2027, 3, 10))
    v = RosterVersion(id=4, month="2027-03")

    def first(*days: str, rules=DEFAULT_RULES):
        return time_requests.replan_from_day(v, [{"date": d} for d in days], rules)

    assert first("2027-03-20", "2027-03-15") == dt.date(2027, 3, 15)
    assert first("2027-03-05", "2027-03-20") == dt.date(2027, 3, 11)  # a day begun: from tomorrow
    assert first("2027-03-11") == dt.date(2027, 3, 11)
    assert first("2027-03-15", rules=replace(DEFAULT_RULES, monthly_paid_hours_cap_enabled=True)) is None
    monkeypatch.setattr(time_requests, "today", lambda: dt.date(2027, 2, 20))
    assert first("2027-03-01", "2027-03-09") is None  # from the month's first day: the whole month
    monkeypatch.setattr(time_requests, "today", lambda: dt.date(2027, 3, 31))
    with pytest.raises(Problem) as gone:
        first("2027-03-20", "2027-03-31")
    assert gone.value.status == 409 and "has begun" in gone.value.detail


def test_a_group_and_a_team_of_one_name_count_their_own_days_off():
    from dataclasses import replace

    from core.rules import DEFAULT_RULES
    from shiftcast.approvals import Asked, DaysOffTaken, routing

    rules = replace(DEFAULT_RULES, requests=replace(DEFAULT_RULES.requests, notice_days=0, group_days_off_per_day=1,
                                                    team_days_off_per_day=2, auto_approve=True))
    day = dt.date(2027, 3, 15)
    asked = Asked("leave", "A001", (day,))
    # one of team "A" off already: within the team leader's allowance, and group "A" has nobody off
    taken = DaysOffTaken(by_team={("A", day): 1})
    assert routing(asked, "A", "A", dt.date(2027, 3, 1), rules, taken).auto_approved
    taken = DaysOffTaken(by_group={("A", day): 1})
    assert routing(asked, "A", "A", dt.date(2027, 3, 1), rules, taken).level == "team_leader"
