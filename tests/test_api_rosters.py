"""Rosters through the API: the whole floor's month in one call, exports, and roster jobs."""
from __future__ import annotations

import gzip
import importlib.util
import io
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from shiftcast.exports.specimen import specimen_roster, specimen_staff
from api import roster_document as documents, testing
from api.db import Export
from api.schemas import RosterOut
from api.worker import job_runner
from core.rules import DEFAULT_RULES

MONTH = "2026-12"


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def app(url):
    return testing.app(url)


@pytest.fixture
def viewer(url, app):
    return {"Authorization": f"Bearer {testing.token(url, 'viewer')}"}


@pytest.fixture
def specimen():
    staff = specimen_staff(24)
    return staff, specimen_roster(staff, MONTH, seed=1)


def test_a_roster_document_reads_back_to_the_same_roster(specimen):
    from scheduler.conflicts import Conflict
    from shiftcast.steps import Roster

    staff, roster = specimen
    roster.conflicts = [Conflict("leader", "2026-12-05", ("A0001", "A0002"), "no leader on the late shift")]
    doc = documents.roster_document(roster, MONTH, staff, DEFAULT_RULES)
    RosterOut.model_validate({"id": 1, "job_id": None, **doc})
    assert len(doc["days"]) == 31 and len(doc["employees"]) == 24
    back = documents.stored_roster(json.loads(json.dumps(doc)))
    assert isinstance(back, Roster) and back.conflicts == roster.conflicts and back.status == roster.status
    want = roster.assignments.sort_values(["employee_id", "date"]).reset_index(drop=True)
    got = back.assignments.sort_values(["employee_id", "date"]).reset_index(drop=True)
    assert (got["shift"] == want["shift"].astype(str)).all()
    assert (got["lunch_start"].fillna("") == want["lunch_start"].map(documents.hhmm).fillna("")).all()
    cov = roster.coverage
    for column in ("required", "staffed", "short", "over"):  # short and over are not sent: they come back derived
        assert np.allclose(back.coverage[column].to_numpy(), cov[column].to_numpy()), column
    assert (back.coverage["airing"].to_numpy() == cov["airing"].to_numpy(bool)).all()
    assert back.coverage.index.equals(pd.DatetimeIndex(cov.index))
    assert back.kpis == roster.kpis
    assert list(back.unmet.columns) == list(roster.unmet.columns) and len(back.unmet) == len(roster.unmet) > 0
    assert (back.unmet["interval_start"].to_numpy() == roster.unmet["interval_start"].to_numpy()).all()
    assert np.allclose(back.unmet["missing"], roster.unmet["missing"])


def test_the_roster_document_is_a_grid(specimen):
    """Days, times and codes once: a character per day per employee, lunches as positions in the day's
    times, coverage as days × times, the short intervals' column names once."""
    staff, roster = specimen
    doc = documents.roster_document(roster, MONTH, staff, DEFAULT_RULES)
    days, times = doc["days"], doc["times"]
    assert doc["codes"] == {"E": "E", "L": "L", "-": "OFF", "+": "LEAVE"}
    a = roster.assignments.set_index(["employee_id", "date"]).sort_index()
    person = doc["employees"][3]
    assert len(person["shifts"]) == len(days) == len(person["lunches"])
    for day, ch, lunch in zip(days, person["shifts"], person["lunches"]):
        want = a.loc[(person["employee_id"], pd.Timestamp(day))]
        assert doc["codes"][ch] == want["shift"]
        assert (times[lunch] if lunch is not None else None) == documents.hhmm(want["lunch_start"])
    assert times[0] == "08:00" and times[-1] == "17:45" and len(times) == 40
    for name in ("required", "staffed", "airing"):
        assert len(doc["coverage"][name]) == len(days) and {len(row) for row in doc["coverage"][name]} == {len(times)}
    t = roster.coverage.index[45]  # the 6th interval of the second day
    i, j = days.index(t.strftime("%Y-%m-%d")), times.index(t.strftime("%H:%M"))
    assert (i, j) == (1, 5) and doc["coverage"]["required"][i][j] == roster.coverage["required"].iloc[45]
    assert doc["unmet"]["columns"][0] == "interval_start" and len(doc["unmet"]["rows"]) == len(roster.unmet)
    # a month without some interval leaves its cell empty, and reads back without it
    partial = roster.coverage.drop(roster.coverage.index[45])
    grid = documents.day_grids(pd.DatetimeIndex(partial.index), {"required": partial["required"].to_numpy(float)},
                              days, times)["required"]
    assert grid[1][5] is None and grid[1][6] == roster.coverage["required"].iloc[46]
    assert len(documents.grid_intervals(days, times, {"required": grid})) == len(partial)


def test_shift_symbols_are_one_character_each_and_distinct():
    assert documents.shift_symbols(["E", "L", "LEAVE", "OFF"]) == {"E": "E", "L": "L", "LEAVE": "+", "OFF": "-"}
    odd = documents.shift_symbols(["-", "E1", "E2", "LEAVE", "OFF", "x"])  # a code may take a symbol OFF wants
    assert odd["-"] == "-" and odd["x"] == "x" and len(set(odd.values())) == 6
    assert all(len(ch) == 1 for ch in odd.values())


def test_the_whole_floor_month_in_one_call(app, url, viewer, specimen):
    staff, roster = specimen
    rid = testing.store_roster(url, roster, MONTH, staff)
    client = app.test_client()
    r = client.get(f"/api/v1/rosters/{rid}", headers=viewer)
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = RosterOut.model_validate(r.json)
    assert doc.id == rid and doc.month == MONTH and len(doc.employees) == len(staff)
    first = roster.assignments.sort_values(["employee_id", "date"]).iloc[0]
    person = next(e for e in r.json["employees"] if e["employee_id"] == first["employee_id"])
    assert documents.roster_shifts(r.json, person)[0] == first["shift"]
    assert documents.roster_lunches(r.json, person)[0] == documents.hhmm(first["lunch_start"])
    gz = client.get(f"/api/v1/rosters/{rid}", headers={**viewer, "Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == r.data
    assert len(gz.data) < len(r.data) / 4
    again = client.get(f"/api/v1/rosters/{rid}", headers={**viewer, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    listed = client.get("/api/v1/rosters", query_string={"month": MONTH}, headers=viewer).json["items"]
    assert [i["id"] for i in listed] == [rid] and listed[0]["url"] == f"/api/v1/rosters/{rid}"
    assert client.get("/api/v1/rosters", query_string={"month": "2027-01"}, headers=viewer).json["items"] == []
    assert client.get(f"/api/v1/rosters/{rid + 1}", headers=viewer).status_code == 404


def test_a_cached_roster_still_asks_the_store_about_the_token(app, url, specimen):
    """A roster served from the process's cache still checks the token: a revocation (by any process) holds at once."""
    staff, roster = specimen
    rid = testing.store_roster(url, roster, MONTH, staff)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {testing.token(url, 'admin')}"}
    made = client.post("/api/v1/tokens", json={"name": "wallboard", "role": "viewer"}, headers=admin).json
    reader = {"Authorization": f"Bearer {made['token']}"}
    assert client.get(f"/api/v1/rosters/{rid}", headers=reader).status_code == 200
    assert client.get(f"/api/v1/rosters/{rid}", headers=reader).status_code == 200  # now from the cache
    with testing.sessions(url)() as s:  # revoked behind the app's back, as another worker would
        from api.auth import revoke_token
        revoke_token(s, made["id"])
    r = client.get(f"/api/v1/rosters/{rid}", headers=reader)
    assert r.status_code == 401 and r.json["title"] and "revoked" in r.json["detail"]
    assert client.get(f"/api/v1/rosters/{rid}", headers=admin).status_code == 200


def test_exports_are_made_once_and_open(app, url, viewer, specimen):
    openpyxl = pytest.importorskip("openpyxl")
    staff, roster = specimen
    rid = testing.store_roster(url, roster, MONTH, staff)
    client = app.test_client()
    r = client.get(f"/api/v1/rosters/{rid}/xlsx", headers=viewer)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert f'roster-{MONTH}-{rid}.xlsx' in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    grid = wb.worksheets[0]
    cells = {str(c.value) for row in grid.iter_rows() for c in row if c.value is not None}
    assert any(e in cells for e in staff["employee_id"])
    assert client.get(f"/api/v1/rosters/{rid}/xlsx", headers=viewer).data == r.data  # served from the store
    csv = client.get(f"/api/v1/rosters/{rid}/csv", headers=viewer)
    table = pd.read_csv(io.BytesIO(csv.data))
    assert list(table.columns) == ["employee_id", "date", "shift", "lunch_start"] and len(table) == len(staff) * 31
    import zipfile

    ics = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/rosters/{rid}/ics", headers=viewer).data))
    assert len(ics.namelist()) == len(staff) and b"BEGIN:VCALENDAR" in ics.read(ics.namelist()[0])
    with testing.sessions(url)() as s:
        assert s.scalar(select(func.count()).select_from(Export)) == 3
    assert client.get(f"/api/v1/rosters/{rid}/xlsx", query_string={"lang": "fr"}, headers=viewer).status_code == 422


def test_a_roster_job_from_post_to_result(app, url, viewer):
    from core.periods import month_intervals

    from dataclasses import replace

    from core.rules import ShiftTemplate, rules_to_toml

    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    # Rules of three shifts: the roster is solved with them and its document says how to show each.
    rules = replace(DEFAULT_RULES, shifts=(*DEFAULT_RULES.shifts,
                                           ShiftTemplate("M", "中班", "Middle", "09:00", "17:30", 60, "12:00", "14:00")))
    rules_id = client.post("/api/v1/datasets/rules", data=rules_to_toml(rules).encode(),
                           headers={**sup, "Content-Type": "application/toml"}).json["id"]
    staff = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=16, leaders=4),
                        query_string={"rules_id": rules_id}, headers={**sup, "Content-Type": "text/csv"}).json
    index = month_intervals(MONTH)
    minutes = index.hour * 60 + index.minute
    requirement = pd.DataFrame({"scheduled": np.where((minutes >= 600) & (minutes < 960), 8, 4)}, index=index)
    staffing_id = testing.store_staffing(url, requirement, MONTH)
    r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff["id"], "rules_id": rules_id,
                                             "time_limit_s": 5}, headers=sup)
    assert r.status_code == 202 and r.json["state"] == "queued"
    job_url = r.headers["Location"]
    assert job_runner(app).run_pending() == 1
    job = client.get(job_url, headers=viewer).json
    assert job["state"] == "succeeded", job
    assert job["progress"]["objective"] is not None and job["progress"]["bound"] is not None
    doc = client.get(job["result_url"], headers=viewer).json
    roster = RosterOut.model_validate(doc)
    assert roster.job_id == job["id"] and len(roster.employees) == 20 and len(roster.days) == 31
    for person in doc["employees"]:
        assert len(person["shifts"]) == 31 and set(documents.roster_shifts(doc, person)) <= {"E", "L", "M", "OFF", "LEAVE"}
    assert list(doc["shifts"]) == ["E", "L", "M", "OFF", "LEAVE"]
    assert doc["shifts"]["M"] | {"colour": None} == {"zh": "中", "en": "Middle", "name_zh": "中班", "name_en": "Middle",
                                                   "colour": None, "worked": True, "start": "09:00", "end": "17:30"}
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=sup).status_code == 409
    if importlib.util.find_spec("shiftcast.exports") is not None:  # the job rendered the workbook, stored with it
        with testing.sessions(url)() as s:
            assert s.scalars(select(Export.format).where(Export.result_id == roster.id)).all() == ["xlsx-zh"]
    # References are checked when the job is asked for, not when it runs.
    bad = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staffing_id + 100}, headers=sup)
    assert bad.status_code == 404 and bad.json["errors"][0]["pointer"] == "/staff_id"
    wrong = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff["id"],
                                                 "leave_id": staff["id"]}, headers=sup)
    assert wrong.status_code == 422 and wrong.json["errors"][0]["pointer"] == "/leave_id"


@pytest.mark.slow
@pytest.mark.slow
def test_a_roster_job_of_a_large_staff_cancelled_while_its_model_is_built_ends_cancelled_with_nothing_kept(tmp_path):
    """A cancel that comes while a large staff's first model is built (before any solution) ends the job
    there, cancelled, with no roster: none is built just to be thrown away."""
    from core.periods import month_intervals

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url, JOB_POLL_S=0.2)
    runner = job_runner(app)  # in the background, as `shiftcast worker` runs it
    runner.start()
    try:
        client = app.test_client()
        sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
        staff = client.post("/api/v1/datasets/staff", data=testing.staff_csv(agents=4_500, leaders=450),
                            headers={**sup, "Content-Type": "text/csv"})
        assert staff.status_code == 201, staff.json
        index = month_intervals(MONTH)
        requirement = pd.DataFrame({"scheduled": np.full(len(index), 3_000)}, index=index)
        body = {"staffing_id": testing.store_staffing(url, requirement, MONTH), "staff_id": staff.json["id"],
                "time_limit_s": 600}
        job_url = client.post("/api/v1/rosters", json=body, headers=sup).headers["Location"]
        while (job := client.get(job_url, headers=sup).json)["state"] == "queued":
            pass
        job, _ = testing.cancel_and_wait(client, job_url, sup, timeout=120)
        assert job["progress"].get("objective") is None, job  # no solution yet when the cancel came
        assert job["state"] == "cancelled" and job["result_id"] is None and "cancelled" in job["error"], job
    finally:
        runner.stop()


def test_cancelling_a_running_roster_job_stops_the_solver(tmp_path):
    """A cancel reaches CP-SAT mid-search (StopSearch): the job ends within seconds, not at its time limit."""
    import time

    from scheduler.roster_synthetic import synthetic_month

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    app = testing.app(url, JOB_POLL_S=0.2)
    runner = job_runner(app)  # in the background, as `shiftcast worker` runs it
    runner.start()
    try:
        client = app.test_client()
        sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
        # 300 people with airings and leave: the first roster comes in ~2.5 s and the search goes on improving it
        # until ~20 s (measured unhindered, through this job: 150 people took 14 s); with a 300 s limit it is
        # still running when the cancel comes.
        month = synthetic_month(300, seed=3)
        staff = testing.staff_table(month.staff)

        def upload(kind: str, frame: pd.DataFrame, **query) -> int:
            r = client.post(f"/api/v1/datasets/{kind}", data=frame.to_csv(index=False, date_format="%Y-%m-%d %H:%M"),
                            query_string=query, headers={**sup, "Content-Type": "text/csv"})
            assert r.status_code == 201, r.json
            return r.json["id"]

        staff_id = upload("staff", staff)
        leave = month.leave.assign(date=month.leave["date"].dt.strftime("%Y-%m-%d"))
        body = {"staffing_id": testing.store_staffing(url, month.requirement, MONTH), "staff_id": staff_id,
                "leave_id": upload("leave", leave, staff_id=staff_id), "ads_plan_id": upload("ads", month.ads),
                "time_limit_s": 300}
        r = client.post("/api/v1/rosters", json=body, headers=sup)
        job_url = r.headers["Location"]
        deadline = time.monotonic() + 120
        # Cancel once the solver has reported a solution: the search is under way, not before or after it.
        while (job := client.get(job_url, headers=sup).json)["progress"].get("objective") is None:
            assert job["state"] in ("queued", "running") and time.monotonic() < deadline, job
            time.sleep(0.05)
        assert job["state"] == "running"
        job, took = testing.cancel_and_wait(client, job_url, sup)
        assert job["state"] == "cancelled" and "best answer found by then is kept" in job["error"], job
        # Cancelled (not succeeded) and stopped within seconds of the cancel: the search was cut short. The job's
        # whole length is not asserted: on a loaded machine the first roster alone takes longer.
        assert took < 8, f"the solve went on {took:.1f} s after the cancel"
        # The best roster found before the cancel is kept, every person on it.
        roster = client.get(job["result_url"], headers=sup).json
        assert roster["status"] == "CANCELLED" and len(roster["employees"]) == len(staff)
    finally:
        runner.stop()


@pytest.mark.slow
def test_a_roster_job_carries_the_previous_month_over_the_month_edge(app, url, viewer, tmp_path):
    """January's roster job with December's stored roster as previous_month_roster_id: no run of work days longer
    than the rules allow across Dec 31 / Jan 1. A roster of another month or another center is refused."""
    from core.periods import open_intervals
    from scheduler.data import load_staff
    from scheduler.roster_checks import roster_violations

    sup = {"Authorization": f"Bearer {testing.token(url, 'supervisor')}"}
    client = app.test_client()
    staff_bytes = testing.staff_csv(agents=27, leaders=4)
    staff_id = client.post("/api/v1/datasets/staff", data=staff_bytes,
                           headers={**sup, "Content-Type": "text/csv"}).json["id"]

    def staffing(month: str, days: int) -> int:
        index = open_intervals(pd.date_range(f"{month}-01", periods=days, freq="D"))
        minutes = index.hour * 60 + index.minute
        scheduled = np.where((minutes >= 600) & (minutes < 960), 18, 9) + (index.day % 3)
        return testing.store_staffing(url, pd.DataFrame({"scheduled": scheduled}, index=index), month)

    def roster_job(staffing_id: int, **extra) -> dict:
        r = client.post("/api/v1/rosters", json={"staffing_id": staffing_id, "staff_id": staff_id, "time_limit_s": 2,
                                                 "seed": 1, **extra}, headers=sup)
        assert r.status_code == 202, r.json
        assert job_runner(app).run_pending() == 1
        return client.get(r.headers["Location"], headers=viewer).json

    december_job = roster_job(staffing("2026-12", 31))
    assert december_job["state"] == "succeeded", december_job
    december_id = december_job["result_id"]
    january_staffing = staffing("2027-01", 31)
    january_job = roster_job(january_staffing, previous_month_roster_id=december_id)
    assert january_job["state"] == "succeeded", january_job
    doc = client.get(january_job["result_url"], headers=viewer).json
    december = documents.stored_roster(client.get(december_job["result_url"], headers=viewer).json).assignments
    january = documents.stored_roster(doc).assignments
    (tmp_path / "staff.csv").write_bytes(staff_bytes)
    staff = load_staff(tmp_path / "staff.csv", DEFAULT_RULES)
    assert roster_violations(january, staff, DEFAULT_RULES, previous_month=december) == []

    # a roster of the same month is no previous month: refused when the job is asked for
    same = client.post("/api/v1/rosters", json={"staffing_id": january_staffing, "staff_id": staff_id,
                                                "previous_month_roster_id": january_job["result_id"]}, headers=sup)
    assert same.status_code == 422 and same.json["errors"][0]["pointer"] == "/previous_month_roster_id"
    assert "is of 2027-01, not 2026-12" in same.json["detail"]
    # another center's December: none of its people is on this staff, and the job says so
    others = specimen_staff(24).assign(employee_id=lambda f: "X" + f["employee_id"])
    elsewhere = testing.store_roster(url, specimen_roster(others, "2026-12", seed=1), "2026-12", others)
    failed = roster_job(january_staffing, previous_month_roster_id=elsewhere)
    assert failed["state"] == "failed" and "none of its 24 people is on the staff of 2027-01" in failed["error"]
